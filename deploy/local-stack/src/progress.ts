import { formatElapsed, statusLine, throttle, type Position } from './domain/progress.ts';

/** A long step under way: `update` tells where it is (shown when due, with the elapsed seconds). */
export interface Step {
  update(detail: string, at?: Position): void;
}

/** Shows long steps as they go: a line rewritten in place on a terminal, sparse lines in a log. */
export interface Reporter {
  say(line: string): void;
  /**
   * Runs `work` as a step named `what` ("kafka: formatting storage"): announced, its progress and
   * elapsed seconds shown while it runs (in a log: its updates at most every `everyMs`, default
   * 5 s, a large download's at each new tenth, and a line after 5 s of silence), and its end.
   */
  step<T>(what: string, work: (step: Step) => Promise<T>, opts?: { everyMs?: number }): Promise<T>;
}

interface Active {
  what: string;
  detail?: string;
  began: number;
  lastLine: number;
  due: (now: number, at?: Position) => boolean;
}

/** In a log, a step with no news still says it is alive this often. */
const heartbeatMs = 5000;

/**
 * Writes to `say` when given (a caller's own log: plain lines), else to stdout, rewriting one
 * status line when stdout is a terminal.
 */
export function createReporter(opts: { say?: (line: string) => void; now?: () => number } = {}): Reporter {
  const now = opts.now ?? Date.now;
  const tty = !opts.say && process.stdout.isTTY === true;
  const print = opts.say ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const active = new Set<Active>();
  const render = () => {
    if (!tty) return;
    const steps = [...active].map((a) => ({ what: a.what, detail: a.detail, elapsedMs: now() - a.began }));
    process.stdout.write(`\r\x1b[2K${steps.length ? statusLine(steps, process.stdout.columns) : ''}`);
  };
  const say = (line: string) => {
    if (tty) process.stdout.write('\r\x1b[2K');
    print(line);
    render();
  };
  const show = (a: Active, at?: Position) => {
    if (!a.due(now(), at)) return;
    a.lastLine = now();
    if (tty) render();
    else print(`${a.what}… ${a.detail ? `${a.detail}, ` : ''}${formatElapsed(now() - a.began)}`);
  };
  // Each second: the elapsed time on a terminal; in a log, a line only after a silence.
  const tick = (a: Active) => {
    if (tty) render();
    else if (now() - a.lastLine >= heartbeatMs) show(a);
  };

  return {
    say,
    async step(what, work, stepOpts = {}) {
      const a: Active = { what, began: now(), lastLine: now(), due: throttle({ tty, everyMs: stepOpts.everyMs ?? heartbeatMs }) };
      a.due(a.began); // the announcement below counts as the first line
      active.add(a);
      if (tty) render(); // the status line announces it; the line that stays is its end
      else print(`${what}…`);
      const ticker = setInterval(() => tick(a), 1000);
      ticker.unref();
      const end = (outcome: string) => {
        clearInterval(ticker);
        active.delete(a);
        say(`${what}: ${a.detail ? `${a.detail}, ` : ''}${outcome} ${formatElapsed(now() - a.began).replace(/^0 s$/, 'under 1 s')}`);
      };
      try {
        const result = await work({
          update(detail, at) {
            a.detail = detail;
            show(a, at);
          },
        });
        end('done in');
        return result;
      } catch (error) {
        end('failed after');
        throw error;
      }
    },
  };
}

/** For restarts inside the reliability suite: no output. */
export const silentReporter: Reporter = { say() {}, step: (_what, work) => work({ update() {} }) };
