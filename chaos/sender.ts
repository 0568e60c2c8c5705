/**
 * Sends deliveries the way a billing vendor does: each one is retried (with fresh signatures,
 * as Stripe re-signs every attempt) until the endpoint answers 2xx. 503, 429 and refused
 * connections are expected while a component is down; any other 4xx is a finding.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { signed } from '@invoice-signal/testkit';
import type { Delivery } from './workload.ts';

export interface SenderSecrets {
  stripeSecret: string;
  chargebeeUser: string;
  chargebeePassword: string;
}

export interface SendStats {
  sent: number;
  attempts: number;
  byStatus: Record<string, number>;
  rejected: Array<{ label: string; invoiceId: string; status: number; body: string }>;
  maxAttempts: number;
}

export function newStats(): SendStats {
  return { sent: 0, attempts: 0, byStatus: {}, rejected: [], maxAttempts: 0 };
}

function request(d: Delivery, secrets: SenderSecrets): { path: string; init: RequestInit } {
  const payload = JSON.stringify(d.body, null, 2);
  if (d.vendor === 'stripe') {
    return { path: '/api/webhooks/billing/stripe', init: { method: 'POST', headers: signed(payload, { secret: secrets.stripeSecret.split(',')[0] }), body: payload } };
  }
  const basic = Buffer.from(`${secrets.chargebeeUser}:${secrets.chargebeePassword}`).toString('base64');
  return { path: '/api/webhooks/billing/chargebee', init: { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${basic}` }, body: payload } };
}

/** Delivers one until 2xx; gives up only on a permanent rejection (4xx other than 408/429) or the deadline. */
export async function deliver(d: Delivery, gatewayUrl: () => string | undefined, secrets: SenderSecrets, stats: SendStats, deadlineAt: number): Promise<void> {
  let backoff = 100;
  for (let attempt = 1; ; attempt++) {
    if (Date.now() > deadlineAt) throw new Error(`gave up on ${d.label} of ${d.invoiceId} after ${attempt - 1} attempts`);
    const base = gatewayUrl();
    let status = 'refused';
    if (base) {
      const { path, init } = request(d, secrets);
      try {
        const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
        status = String(res.status);
        const text = await res.text();
        if (res.ok) {
          stats.attempts++;
          stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
          stats.sent++;
          stats.maxAttempts = Math.max(stats.maxAttempts, attempt);
          return;
        }
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
          stats.rejected.push({ label: d.label, invoiceId: d.invoiceId, status: res.status, body: text.slice(0, 300) });
          stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
          return;
        }
      } catch (error) {
        status = (error as Error).name === 'TimeoutError' ? 'timeout' : 'refused';
      }
    }
    stats.attempts++;
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    await sleep(backoff);
    backoff = Math.min(backoff * 2, 2000);
  }
}

/** Streams deliveries at about `ratePerSecond`, at most `concurrency` in flight, each retried until 2xx. */
export async function stream(deliveries: Delivery[], opts: { ratePerSecond: number; concurrency: number; gatewayUrl: () => string | undefined; secrets: SenderSecrets; deadlineAt: number; onProgress?: (done: number) => void }): Promise<SendStats> {
  const stats = newStats();
  const began = Date.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= deliveries.length) return;
      const due = began + (i * 1000) / opts.ratePerSecond;
      if (due > Date.now()) await sleep(due - Date.now());
      await deliver(deliveries[i], opts.gatewayUrl, opts.secrets, stats, opts.deadlineAt);
      opts.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return stats;
}
