import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls until `probe` returns a value that is not undefined/false, or fails after the deadline
 * with the description and the last error. Tests wait on conditions, never on fixed sleeps.
 */
export async function eventually<T>(description: string, probe: () => Promise<T | undefined | false> | T | undefined | false, { timeoutMs = 20000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await sleep(intervalMs);
  }
}
