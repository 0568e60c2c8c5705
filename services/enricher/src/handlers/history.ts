import type { InvoiceEvent } from '@invoice-signal/events';
import type { Knex } from '@invoice-signal/runtime';
import type { MatchKey } from '../domain/account-resolution.ts';
import { referenceTime } from '../domain/enrichment.ts';
import { historyBefore, windowStart, type PaymentRecord } from '../domain/payment-history.ts';
import { paymentStore, refKey, type Histories, type HistoryLookup } from '../adapters/payment-store.ts';

/** An invoice whose payment history is wanted: its account's, or (no account) its billing identity's. */
export interface HistoryNeed {
  invoice: InvoiceEvent;
  accountId: string | null;
  key: MatchKey;
}

/** One entry per account and per unclaimed reference, reaching back to the earliest window asked for. */
function lookupOf(needs: HistoryNeed[], froms: number[]): HistoryLookup {
  const accounts = new Map<string, HistoryLookup['accounts'][number]>();
  const refs = new Map<string, HistoryLookup['refs'][number]>();
  needs.forEach(({ accountId, key }, i) => {
    const from = froms[i]!;
    if (accountId) {
      const held = accounts.get(accountId);
      accounts.set(accountId, { accountId, from: Math.min(from, held?.from ?? from) });
    } else if (key.kind === 'vendor') {
      const id = refKey(key.ref.source, key.ref.vendorCustomerId);
      const held = refs.get(id);
      refs.set(id, { ...key.ref, from: Math.min(from, held?.from ?? from) });
    }
  });
  return { accounts: [...accounts.values()], refs: [...refs.values()] };
}

function recordsOf(found: Histories, { accountId, key }: HistoryNeed): PaymentRecord[] {
  if (accountId) return found.byAccount.get(accountId) ?? [];
  if (key.kind === 'vendor') return found.byRef.get(refKey(key.ref.source, key.ref.vendorCustomerId)) ?? [];
  return [];
}

/**
 * The payment history of each invoice (aligned with `needs`) from one lookup for all of them:
 * each cut to its own window, the invoice itself left out.
 */
export async function paymentHistories(trx: Knex, needs: HistoryNeed[], months: number): Promise<PaymentRecord[][]> {
  const froms = needs.map((n) => windowStart(referenceTime(n.invoice), months));
  const found = await paymentStore(trx).historyFor(lookupOf(needs, froms));
  return needs.map((n, i) => historyBefore(recordsOf(found, n), n.invoice.invoiceId, froms[i]!));
}
