import { describeTransfer, newTransfer, readMavenLine } from './domain/progress.ts';
import { runAsync } from './processes.ts';
import type { Step } from './progress.ts';
import type { StackSettings } from './settings.ts';

/**
 * Runs Maven (its console transfer output on, colours off) and shows its downloads in `step`:
 * files and bytes so far, and the file in flight with its share done.
 */
export async function maven(s: StackSettings, step: Step, args: string[]): Promise<void> {
  const transfer = newTransfer();
  const localRepo = s.mavenRepo ? [`-Dmaven.repo.local=${s.mavenRepo}`] : [];
  await runAsync('mvn', ['-Dstyle.color=never', ...localRepo, ...args], {
    onLine(line) {
      if (!readMavenLine(transfer, line)) return;
      const { text, at } = describeTransfer(transfer);
      step.update(text, at);
    },
  });
}
