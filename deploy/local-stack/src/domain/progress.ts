/**
 * What the local stack shows during its long steps, without I/O: Maven's transfer output read
 * into totals, the line that describes them, and when a line is due.
 */

const unitBytes: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };
/** A file at least this large shows its share done; smaller ones are over before it would matter. */
const showShareFrom = 1e6;

/** Decimal units, as Maven prints them: "950 B", "12.3 kB", "158.0 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1e3) return `${Math.round(bytes)} B`;
  const [unit, size] = bytes < 1e6 ? ['kB', 1e3] : bytes < 1e9 ? ['MB', 1e6] : ['GB', 1e9];
  return `${(bytes / size).toFixed(1)} ${unit}`;
}

export const formatElapsed = (ms: number): string => `${Math.floor(ms / 1000)} s`;

const files = (n: number) => `${n} ${n === 1 ? 'file' : 'files'}`;

/** A Maven download in progress: files done so far, their bytes, and the file in flight. */
export interface Transfer {
  files: number;
  bytes: number;
  current?: { name: string; done: number; total?: number };
  /** The file Maven started last: the one a single transfer in progress is about. */
  file?: string;
}

export const newTransfer = (): Transfer => ({ files: 0, bytes: 0 });

const quantity = /([\d.]+)(?:\/([\d.]+))? (B|kB|KB|MB|GB)\b/g;

/**
 * Reads one line of Maven's console output (split on \r and \n; colours off) into `t`:
 * "Downloading from <repo>: <url>", "Progress (1): 4.1/13 kB" (Maven 3.9 names the file first),
 * "Downloaded from <repo>: <url> (13 kB at 686 kB/s)". Several transfers at once
 * ("Progress (2): 13 kB | 4.1/87 kB") are shown together, as "2 files". Returns whether `t` changed.
 */
export function readMavenLine(t: Transfer, line: string): boolean {
  const started = /^Downloading from [^:]+: (\S+)/.exec(line);
  if (started) {
    t.file = started[1].slice(started[1].lastIndexOf('/') + 1);
    t.current = { name: t.file, done: 0 };
    return true;
  }
  const finished = /^Downloaded from [^:]+: \S+ \(([\d.]+) (B|kB|KB|MB|GB)/.exec(line);
  if (finished) {
    t.files += 1;
    t.bytes += Number(finished[1]) * unitBytes[finished[2]];
    t.current = undefined;
    return true;
  }
  if (!line.startsWith('Progress (') || !t.file) return false;
  const parts = [...line.slice(line.indexOf(':') + 1).matchAll(quantity)]
    .map((m) => ({ done: Number(m[1]) * unitBytes[m[3]], total: m[2] && Number(m[2]) * unitBytes[m[3]] }));
  if (!parts.length) return false;
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const name = parts.length > 1 ? files(parts.length) : t.file;
  // A finished part prints its size alone: its total is what it did.
  t.current = { name, done: sum(parts.map((p) => p.done)), total: parts.some((p) => p.total) ? sum(parts.map((p) => p.total || p.done)) : undefined };
  return true;
}

/** Where a step is, for the throttle: the item in flight and its share done (0..1) when known. */
export interface Position {
  key?: string;
  fraction?: number;
}

/** "kafka-clients-4.1.1.jar 3.2 MB of 9.8 MB (32%); 23 files (12.4 MB) done", and the big file's share. */
export function describeTransfer(t: Transfer): { text: string; at: Position } {
  const done = t.files ? `${files(t.files)} (${formatBytes(t.bytes)}) done` : '';
  const c = t.current;
  if (!c) return { text: done || 'resolving', at: {} };
  const share = c.total ? Math.min(1, c.done / c.total) : undefined;
  const size = c.total && share !== undefined ? `${formatBytes(c.done)} of ${formatBytes(c.total)} (${Math.floor(share * 100)}%)` : formatBytes(c.done);
  return { text: `${c.name} ${size}${done ? `; ${done}` : ''}`, at: c.total && c.total >= showShareFrom ? { key: c.name, fraction: share } : {} };
}

export interface ThrottleOptions {
  /** A terminal: the line is rewritten in place, at most every 100 ms. */
  tty: boolean;
  /** Not a terminal: at least this long between lines, and a file of known size only at each new tenth. */
  everyMs: number;
}

/** Decides whether a progress line is due now; on a terminal often, in a log file sparingly. */
export function throttle({ tty, everyMs }: ThrottleOptions): (now: number, at?: Position) => boolean {
  let last = Number.NEGATIVE_INFINITY;
  let key: string | undefined;
  let tenth = -1;
  return (now, at = {}) => {
    if (now - last < (tty ? 100 : everyMs)) return false;
    if (!tty && at.fraction !== undefined) {
      const reached = Math.floor(at.fraction * 10);
      if (at.key === key && reached <= tenth) return false;
      key = at.key;
      tenth = reached;
    }
    last = now;
    return true;
  };
}

/** A step's name without its explanation ("… with Maven (a 158 MB tarball)"), for a narrow terminal. */
const shortName = (what: string) => what.replace(/ (\(|with ).*$/, '');

/**
 * One terminal line for the steps under way: "postgres: waiting… 3 s · kafka: downloading… 3.1 MB 5 s".
 * Too wide for the terminal, the names lose their explanations first, so the numbers stay in view.
 */
export function statusLine(steps: Array<{ what: string; detail?: string; elapsedMs: number }>, columns = 160): string {
  const line = (name: (what: string) => string) =>
    steps.map((s) => `${name(s.what)}… ${s.detail ? `${s.detail} ` : ''}${formatElapsed(s.elapsedMs)}`).join(' · ');
  const full = line((what) => what);
  const fitted = full.length < columns ? full : line(shortName);
  return fitted.length < columns ? fitted : `${fitted.slice(0, columns - 2)}…`;
}
