import { describe, expect, it } from 'vitest';
import { describeTransfer, formatBytes, newTransfer, readMavenLine, statusLine, throttle } from '../src/domain/progress.ts';

/** Maven 3.8's console output for one download, as it arrives (\r between progress updates). */
const mavenOutput = [
  '[INFO] Scanning for projects...',
  'Downloading from central: https://repo.example/maven2/org/apache/maven/plugins/maven-plugins/22/maven-plugins-22.pom',
  'Progress (1): 4.1/13 kB\rProgress (1): 8.1/13 kB\rProgress (1): 13 kB   \r                   ',
  'Downloaded from central: https://repo.example/maven2/org/apache/maven/plugins/maven-plugins/22/maven-plugins-22.pom (13 kB at 686 kB/s)',
  'Downloading from central: https://repo.example/maven2/org/apache/kafka/kafka-clients/4.1.1/kafka-clients-4.1.1.jar',
  'Progress (1): 0/9.8 MB\rProgress (1): 3.2/9.8 MB',
].join('\n');

const lines = (text: string) => text.split(/\r|\n/).filter(Boolean);

describe('progress of the local stack\'s long steps', () => {
  it('reads Maven\'s transfer output into files, bytes and the file in flight with its share', () => {
    const t = newTransfer();
    const changed = lines(mavenOutput).map((l) => readMavenLine(t, l));
    expect(changed[0]).toBe(false);
    expect(t).toMatchObject({ files: 1, bytes: 13_000, current: { name: 'kafka-clients-4.1.1.jar', done: 3_200_000, total: 9_800_000 } });
    expect(describeTransfer(t)).toEqual({
      text: 'kafka-clients-4.1.1.jar 3.2 MB of 9.8 MB (32%); 1 file (13.0 kB) done',
      at: { key: 'kafka-clients-4.1.1.jar', fraction: 3.2 / 9.8 },
    });
  });

  it('reads Maven 3.9\'s progress, which names the file before its sizes', () => {
    const t = newTransfer();
    readMavenLine(t, 'Downloading from central: https://repo.example/io/apicurio/apicurio-registry-app/3.3.3/apicurio-registry-app-3.3.3-all.tar.gz');
    expect(readMavenLine(t, 'Progress (1): apicurio-registry-app-3.3.3-all.tar.gz (79/158 MB)')).toBe(true);
    expect(describeTransfer(t).text).toBe('apicurio-registry-app-3.3.3-all.tar.gz 79.0 MB of 158.0 MB (50%)');
  });

  it('gives a small file no share (it is over before a tenth would show) and a size-less one its bytes', () => {
    const t = newTransfer();
    for (const l of lines(mavenOutput).slice(0, 4)) readMavenLine(t, l);
    expect(describeTransfer(t)).toEqual({ text: 'maven-plugins-22.pom 8.1 kB of 13.0 kB (62%)', at: {} });
    readMavenLine(t, 'Progress (1): 13 kB   ');
    expect(describeTransfer(t).text).toBe('maven-plugins-22.pom 13.0 kB');
  });

  it('shows transfers in flight together as their sum, then the one left by its name', () => {
    const t = newTransfer();
    readMavenLine(t, 'Downloading from central: https://repo.example/a/kafka-server-4.3.1.jar');
    readMavenLine(t, 'Downloading from central: https://repo.example/a/kafka-storage-4.3.1.jar');
    readMavenLine(t, 'Progress (2): 1.2 MB | 0.4/2.0 MB');
    expect(describeTransfer(t).text).toBe('2 files 1.6 MB of 3.2 MB (50%)');
    readMavenLine(t, 'Downloaded from central: https://repo.example/a/kafka-server-4.3.1.jar (1.2 MB at 5 MB/s)');
    readMavenLine(t, 'Progress (1): 1.0/2.0 MB');
    expect(describeTransfer(t).text).toBe('kafka-storage-4.3.1.jar 1.0 MB of 2.0 MB (50%); 1 file (1.2 MB) done');
  });

  it('formats sizes in Maven\'s decimal units', () => {
    expect([0, 999, 1000, 54_321_000, 158_000_000, 2_500_000_000].map(formatBytes)).toEqual(['0 B', '999 B', '1.0 kB', '54.3 MB', '158.0 MB', '2.5 GB']);
  });

  it('in a log, prints a large file at each new tenth and never more than once a second', () => {
    const due = throttle({ tty: false, everyMs: 1000 });
    const printed: number[] = [];
    // 158 MB at 20 MB/s, updates every 50 ms: 8 s of output.
    for (let ms = 0; ms <= 8000; ms += 50) {
      const fraction = Math.min(1, (ms * 20_000) / 158_000_000);
      if (due(ms, { key: 'app.tar.gz', fraction })) printed.push(Math.floor(fraction * 100));
    }
    expect(printed.length).toBeGreaterThanOrEqual(7);
    expect(printed.length).toBeLessThanOrEqual(9);
    expect(new Set(printed.map((p) => Math.floor(p / 10))).size).toBe(printed.length); // one line per tenth at most
  });

  it('in a log, a step without a known share (many small files, a wait) prints once per interval', () => {
    const due = throttle({ tty: false, everyMs: 5000 });
    const printed = Array.from({ length: 301 }, (_, i) => i * 100).filter((ms) => due(ms));
    expect(printed).toEqual([0, 5000, 10000, 15000, 20000, 25000, 30000]);
  });

  it('on a terminal, rewrites the line at most ten times a second', () => {
    const due = throttle({ tty: true, everyMs: 1000 });
    expect(Array.from({ length: 100 }, (_, i) => i * 10).filter((ms) => due(ms, { key: 'a', fraction: ms / 1000 }))).toHaveLength(10);
  });

  it('shows the steps under way on one line with their elapsed seconds, fitted to the terminal\'s width', () => {
    const steps = [
      { what: 'postgres: waiting for connections', elapsedMs: 2400 },
      { what: 'registry: downloading Apicurio Registry 3.3.3 with Maven (a 158 MB tarball)', detail: 'app.tar.gz 79.0 MB of 158.0 MB (50%)', elapsedMs: 5000 },
    ];
    const full = 'postgres: waiting for connections… 2 s · registry: downloading Apicurio Registry 3.3.3 with Maven (a 158 MB tarball)… '
      + 'app.tar.gz 79.0 MB of 158.0 MB (50%) 5 s';
    expect(statusLine(steps, 200)).toBe(full);
    // Narrower: the explanations go first, the numbers stay.
    expect(statusLine(steps, 130))
      .toBe('postgres: waiting for connections… 2 s · registry: downloading Apicurio Registry 3.3.3… app.tar.gz 79.0 MB of 158.0 MB (50%) 5 s');
    // Narrower still: cut, never wrapped (a wrapped line could not be rewritten in place).
    expect(statusLine(steps, 40)).toHaveLength(39);
  });
});
