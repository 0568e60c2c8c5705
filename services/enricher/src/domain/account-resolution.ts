import type { BillingSource, CustomerContext, InvoiceEvent } from '@invoice-signal/events';

/** A billing identity: which vendor, and the customer id in that vendor's system. */
export interface VendorRef {
  source: BillingSource;
  vendorCustomerId: string;
}

/** The vendor references a context snapshot declares, one per billing system that has one. */
export function vendorRefsOf(context: Pick<CustomerContext, 'vendorRefs'>): VendorRef[] {
  const { stripeCustomerId, chargebeeCustomerId, salesforceAccountId } = context.vendorRefs;
  const refs: Array<[BillingSource, string | null]> = [['stripe', stripeCustomerId], ['chargebee', chargebeeCustomerId], ['salesforce', salesforceAccountId]];
  return refs.flatMap(([source, id]) => (id ? [{ source, vendorCustomerId: id }] : []));
}

export const UNMATCHED_PREFIX = 'unmatched:';

/** The key an unmatched invoice is published under, so all invoices of one unknown customer stay together. */
export function unmatchedAccountId(invoice: Pick<InvoiceEvent, 'source' | 'vendorCustomerId'>): string {
  return `${UNMATCHED_PREFIX}${invoice.source}:${invoice.vendorCustomerId ?? 'none'}`;
}

/** What an issued invoice waits for when no context is known: its own account id, or its vendor reference. */
export type MatchKey = { kind: 'account'; accountId: string } | { kind: 'vendor'; ref: VendorRef } | { kind: 'none' };

export function matchKeyOf(invoice: Pick<InvoiceEvent, 'accountId' | 'source' | 'vendorCustomerId'>): MatchKey {
  if (invoice.accountId) return { kind: 'account', accountId: invoice.accountId };
  if (invoice.vendorCustomerId) return { kind: 'vendor', ref: { source: invoice.source, vendorCustomerId: invoice.vendorCustomerId } };
  return { kind: 'none' };
}
