/**
 * What the vendors will send: invoices with their lifecycle, as deliveries with duplicates and
 * some payment events delivered before the invoice's issue event. The expected final payment
 * status follows from the event set (vendor times), whatever the delivery order.
 */
import { chargebeeEvent, chargebeeInvoice, chargebeeTransaction, stripeEvent, stripeInvoice } from '@invoice-signal/testkit';

export type Vendor = 'stripe' | 'chargebee';
export type FinalStatus = 'pending' | 'paid' | 'failed';

export interface Delivery {
  vendor: Vendor;
  invoiceId: string; // canonical id, <source>:<vendor invoice id>
  body: Record<string, unknown>;
  label: string;
}

export interface PlannedInvoice {
  invoiceId: string;
  vendor: Vendor;
  expected: FinalStatus;
}

export interface Workload {
  invoices: PlannedInvoice[];
  deliveries: Delivery[];
  duplicates: number;
  reordered: number;
}

export const customersPerVendor = 20;
export const stripeCustomer = (i: number) => `cus_chaos_${i}`;
export const chargebeeCustomer = (i: number) => `cb_chaos_${i}`;

type Lifecycle = Array<'issued' | 'payment_failed' | 'paid'>;
const lifecycles: Array<{ steps: Lifecycle; expected: FinalStatus; weight: number }> = [
  { steps: ['issued'], expected: 'pending', weight: 4 },
  { steps: ['issued', 'paid'], expected: 'paid', weight: 3 },
  { steps: ['issued', 'payment_failed'], expected: 'failed', weight: 2 },
  { steps: ['issued', 'payment_failed', 'paid'], expected: 'paid', weight: 1 },
];

function lifecycleOf(i: number) {
  const total = lifecycles.reduce((n, l) => n + l.weight, 0);
  let slot = i % total;
  for (const l of lifecycles) {
    if (slot < l.weight) return l;
    slot -= l.weight;
  }
  return lifecycles[0];
}

const stripeTypes = { issued: 'invoice.finalized', payment_failed: 'invoice.payment_failed', paid: 'invoice.paid' } as const;
const chargebeeTypes = { issued: 'invoice_generated', payment_failed: 'payment_failed', paid: 'payment_succeeded' } as const;

function stripeDeliveries(i: number, steps: Lifecycle, baseSeconds: number, dueSeconds: number): Delivery[] {
  const invoice = stripeInvoice({ customer: stripeCustomer(i % customersPerVendor), due_date: dueSeconds, amount_due: 50_000 + (i % 97) * 1000, total: 50_000 + (i % 97) * 1000 });
  const invoiceId = `stripe:${invoice.id as string}`;
  return steps.map((step, k) => {
    const state = step === 'paid' ? { status: 'paid', amount_paid: invoice.total, amount_remaining: 0 } : step === 'payment_failed' ? { attempt_count: 1, attempted: true } : {};
    return { vendor: 'stripe', invoiceId, label: step, body: stripeEvent(stripeTypes[step], { ...invoice, ...state }, { created: baseSeconds + k * 60 }) };
  });
}

function chargebeeDeliveries(i: number, steps: Lifecycle, baseSeconds: number, dueSeconds: number): Delivery[] {
  const total = 40_000 + (i % 89) * 1000;
  const invoice = chargebeeInvoice({ customer_id: chargebeeCustomer(i % customersPerVendor), due_date: dueSeconds, total, amount_due: total, amount_to_collect: total, sub_total: total });
  const invoiceId = `chargebee:${invoice.id as string}`;
  return steps.map((step, k) => {
    const occurred_at = baseSeconds + k * 60;
    if (step === 'issued') return { vendor: 'chargebee', invoiceId, label: step, body: chargebeeEvent(chargebeeTypes[step], { invoice }, { occurred_at }) };
    const paid = step === 'paid';
    const content = {
      invoice: paid ? { ...invoice, status: 'paid', amount_paid: total, amount_due: 0 } : { ...invoice, dunning_attempts: [{ attempt: 0, created_at: occurred_at, transaction_id: `txn_${i}`, dunning_type: 'auto_collect' }] },
      transaction: chargebeeTransaction(paid ? { amount: total } : { status: 'failure', error_text: 'Card declined' }),
    };
    return { vendor: 'chargebee', invoiceId, label: step, body: chargebeeEvent(chargebeeTypes[step], content, { occurred_at }) };
  });
}

/**
 * `count` invoices, half per vendor. Every `duplicateEvery`-th delivery is sent twice (the second
 * copy later in the stream); every `reorderEvery`-th invoice with payment events has them
 * delivered before its issue event.
 */
export function planWorkload(count: number, opts = { duplicateEvery: 5, reorderEvery: 4 }): Workload {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const dueSeconds = nowSeconds + 30 * 86_400; // due in the future: no overdue clock in this run
  const invoices: PlannedInvoice[] = [];
  const groups: Delivery[][] = [];
  let reordered = 0;
  for (let i = 0; i < count; i++) {
    const { steps, expected } = lifecycleOf(i);
    const vendor: Vendor = i % 2 === 0 ? 'stripe' : 'chargebee';
    const base = nowSeconds - 3600 + i;
    let group = vendor === 'stripe' ? stripeDeliveries(i, steps, base, dueSeconds) : chargebeeDeliveries(i, steps, base, dueSeconds);
    if (steps.length > 1 && i % opts.reorderEvery === 0) {
      group = [...group.slice(1).reverse(), group[0]];
      reordered++;
    }
    invoices.push({ invoiceId: group[0].invoiceId, vendor, expected });
    groups.push(group);
  }
  // Interleave invoices (a window of 8 in flight at once) so one invoice's events are spread out.
  const deliveries: Delivery[] = [];
  for (let start = 0; start < groups.length; start += 8) {
    const window = groups.slice(start, start + 8).map((g) => [...g]);
    while (window.some((g) => g.length)) for (const g of window) if (g.length) deliveries.push(g.shift()!);
  }
  let duplicates = 0;
  const withCopies: Delivery[] = [];
  const pendingCopies: Array<{ at: number; d: Delivery }> = [];
  deliveries.forEach((d, n) => {
    withCopies.push(d);
    if ((n + 1) % opts.duplicateEvery === 0) {
      pendingCopies.push({ at: n + 7, d: { ...d, label: `${d.label} (duplicate)` } });
      duplicates++;
    }
    while (pendingCopies.length && pendingCopies[0].at <= n) withCopies.push(pendingCopies.shift()!.d);
  });
  for (const { d } of pendingCopies) withCopies.push(d);
  return { invoices, deliveries: withCopies, duplicates, reordered };
}
