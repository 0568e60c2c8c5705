import { describe, expect, it } from 'vitest';
import { sampleNotification } from '../../../test/support/notification.ts';
import { notificationView, type NotificationView } from '../views.ts';
import { ackLabel, compareCards, groupByInvoice, matches, nextActions, pathOf, shorten, toCard, valueSummaryOf } from './cards.js';

const day = 86_400_000;
const now = Date.UTC(2026, 10, 30, 9);
const iso = (ms: number) => new Date(ms).toISOString();

const base = sampleNotification();

/** A notification as the CSM API shows it (the API's own view), with what a test changes. */
function view(over: Record<string, unknown> = {}): NotificationView {
  const n = sampleNotification({
    id: 'ntf_1', invoiceId: 'stripe:in_1', customerId: 'acc_acme', customerName: 'Acme Corp',
    amountMinor: 1_250_000, amountRemainingMinor: 1_250_000, currency: 'EUR', dueAt: Date.parse('2026-12-01T23:59:59.999Z'),
    riskLevel: 'high', riskFlags: [], recommendedActions: [], notifiedAt: now - 20 * day, updatedAt: now - 20 * day,
    details: { ...base.details, invoiceNumber: 'INV-1', flags: [], actions: [], prompts: [], valuePrompts: [], issuedAt: now - 21 * day },
  });
  return { ...notificationView(n, 'UTC'), ...over } as NotificationView;
}

describe('one card per invoice', () => {
  it('groups an invoice\'s notifications and shows its current status from the newest one', () => {
    const issued = view({ id: 'a', status: 'overdue', version: 3, updatedAt: iso(now - 2 * day) });
    // The overdue alert changed last: the invoice was paid since.
    const overdue = view({ id: 'b', kind: 'overdue', status: 'paid', version: 2, updatedAt: iso(now - day), timeline: [
      { at: iso(now - 10 * day), event: 'payment_failed', note: 'card declined' },
      { at: iso(now - 9 * day), event: 'payment_failed', note: 'card declined' },
      { at: iso(now - 3 * day), event: 'overdue', note: '€12,500.00 unpaid' },
      { at: iso(now - 3 * day), event: 'updated', note: 'due date moved from 2026-11-25 to 2026-11-27' },
      { at: iso(now - day), event: 'paid', note: null },
    ] });
    const other = view({ id: 'c', invoiceId: 'stripe:in_2', customerName: 'Beta' });
    const cards = groupByInvoice([issued, overdue, other]);
    expect(cards.map((c) => c.invoiceId).sort()).toEqual(['stripe:in_1', 'stripe:in_2']);
    const card = cards.find((c) => c.invoiceId === 'stripe:in_1')!;
    expect(card.status).toBe('paid');
    expect(card.notifications.map((n) => n.kind).sort()).toEqual(['invoice_issued', 'overdue']);
    expect(card.section).toBe('settled');
    expect(pathOf(card).map((s) => [s.label, s.count])).toEqual([['Issued', 1], ['Payment failed', 2], ['Overdue', 1], ['Paid', 1]]);
  });

  it('keeps a settled invoice in front while a chargeback or write-off alert is unacknowledged, then files it as done or settled', () => {
    const lost = [{ at: iso(now - 2 * day), event: 'disputed', note: null }, { at: iso(now - day), event: 'dispute_lost', note: null }];
    const disputed = toCard([view({ status: 'paid', timeline: lost }), view({ id: 'd', kind: 'disputed', status: 'paid', timeline: lost, updatedAt: iso(now - day) })]);
    expect([disputed.section, disputed.dispute]).toEqual(['open', 'lost']);
    const handled = toCard([view({ status: 'paid', acknowledgedAt: iso(now), actionTaken: 'contacted_customer', acknowledgment: { actionTaken: 'contacted_customer', note: null } })]);
    expect(handled.section).toBe('settled');
    const done = toCard([view({ acknowledgedAt: iso(now), actionTaken: 'acknowledged in inbox', acknowledgment: { actionTaken: 'other', note: 'left a voicemail' } })]);
    expect(done.section).toBe('done');
    expect(done.recorded).toMatchObject({ action: 'other', note: 'left a voicemail' });
    expect(toCard([view({ acknowledgedAt: iso(now), actionTaken: 'scheduled_call' })]).recorded?.action).toBe('scheduled_call');
    // Changed later: the newest recorded action shows, with its time.
    const changed = toCard([
      view({ id: 'a', acknowledgedAt: iso(now - day), acknowledgment: { actionTaken: 'no_action_needed', note: null, at: iso(now - day) } }),
      view({ id: 'b', kind: 'overdue', acknowledgedAt: iso(now - 2 * day), acknowledgment: { actionTaken: 'confirmed_payment_date', note: null, at: iso(now) } }),
    ]);
    expect(changed.recorded).toEqual({ action: 'confirmed_payment_date', note: null, at: iso(now) });
    expect([ackLabel('scheduled_call'), ackLabel('acknowledged in Slack'), ackLabel(null)]).toEqual(['Scheduled a call', 'acknowledged in Slack', 'Seen, no action given']);
  });
});

describe('next actions', () => {
  const card = toCard([view({
    actions: [
      { code: 'PROACTIVE_OUTREACH', text: 'Reach out to Acme.', dueBy: iso(now - day), dueDay: '2026-11-29', forFlags: ['HEALTH_DECLINING'] },
      { code: 'WATCH_HIGH_VALUE_PAYMENT', text: 'Follow the invoice.', dueBy: iso(now + day), dueDay: '2026-12-01', forFlags: ['HIGH_VALUE'] },
      { code: 'LINK_ACCOUNT', text: 'Map the customer.', dueBy: null, dueDay: null, forFlags: ['UNMATCHED_ACCOUNT'] },
      { code: 'PREPARE_RENEWAL', text: 'Line up the renewal.', dueBy: iso(now + 5 * day), dueDay: '2026-12-05', forFlags: ['RENEWAL_APPROACHING'] },
    ],
    valuePrompts: [
      { kind: 'send_value_summary', text: 'Hello Acme team, here is your value.', data: {} },
      { kind: 'schedule_check_in', text: 'Schedule a check-in before 2026-11-28.', data: { checkInBy: '2026-11-28' } },
    ],
  })]);

  it('shows at most three, the most urgent first, a past date as "now", the rest behind more', () => {
    const { shown, more } = nextActions(card, now);
    expect(shown.map((a) => [a.text, a.when])).toEqual([
      ['Reach out to Acme.', 'now'],
      ['Schedule a check-in before 2026-11-28.', 'now'],
      ['Follow the invoice.', '2026-12-01'],
    ]);
    expect(more.map((a) => [a.text, a.when])).toEqual([['Line up the renewal.', '2026-12-05'], ['Map the customer.', null]]);
  });

  it('keeps the value-summary draft out of the list, in its own block', () => {
    expect(valueSummaryOf(card)).toBe('Hello Acme team, here is your value.');
    const { shown, more } = nextActions(card, now);
    expect([...shown, ...more].some((a) => a.text.startsWith('Hello'))).toBe(false);
    expect(valueSummaryOf(toCard([view()]))).toBeNull();
  });

  it('names the card\'s own invoice once: in an action it reads "this invoice"', () => {
    const own = { invoiceNumber: 'INV-2026-0042', invoiceId: 'stripe:in_1' };
    expect(shorten('Make sure the dispute is settled before invoice INV-2026-0042 (€12,500.00) is due; follow invoice INV-2026-0042 until paid.', own))
      .toBe('Make sure the dispute is settled before this invoice is due; follow this invoice until paid.');
    expect(shorten('Schedule a call (invoice INV-2026-0042, due 2026-12-01).', own)).toBe('Schedule a call (this invoice, due 2026-12-01).');
    // Another invoice, or a number that only starts the same, stays named.
    expect(shorten('Unlike invoice INV-2026-00421 (€1.00) and invoice INV-7.', own)).toBe('Unlike invoice INV-2026-00421 (€1.00) and invoice INV-7.');
    expect(shorten('Map stripe:in_1 so invoice stripe:in_1 (€5.00) reaches you.', { invoiceNumber: null, invoiceId: 'stripe:in_1' })).toBe('Map stripe:in_1 so this invoice reaches you.');
  });
});

describe('filters and order', () => {
  const cards = groupByInvoice([
    view({ id: 'a', invoiceId: 'stripe:in_a', invoiceNumber: 'INV-0042', customerId: 'acc_acme', customerName: 'Acme Corp', riskLevel: 'high', status: 'overdue', dueDate: '2026-12-03T00:00:00.000Z' }),
    view({ id: 'b', invoiceId: 'chargebee:b', invoiceNumber: null, customerId: 'acc_zen', customerName: 'Zen Ltd', riskLevel: 'low', status: 'pending', dueDate: '2026-12-01T00:00:00.000Z' }),
    view({ id: 'c', invoiceId: 'stripe:in_c', invoiceNumber: 'INV-0043', customerId: 'acc_acme', customerName: 'Acme Corp', riskLevel: 'medium', status: 'failed', dueDate: null }),
  ]);
  const ids = (f: Parameters<typeof matches>[1]) => cards.filter((c) => matches(c, f)).map((c) => c.invoiceId).sort();

  it('filters by risk, status and account, and searches customer and invoice number or id', () => {
    expect(ids({})).toEqual(['chargebee:b', 'stripe:in_a', 'stripe:in_c']);
    expect(ids({ risk: 'high' })).toEqual(['stripe:in_a']);
    expect(ids({ status: 'failed' })).toEqual(['stripe:in_c']);
    expect(ids({ account: 'acc_acme' })).toEqual(['stripe:in_a', 'stripe:in_c']);
    expect(ids({ search: 'zen' })).toEqual(['chargebee:b']);
    expect(ids({ search: ' inv-0043 ' })).toEqual(['stripe:in_c']);
    expect(ids({ search: 'chargebee:' })).toEqual(['chargebee:b']);
    expect(ids({ account: 'acc_acme', risk: 'low' })).toEqual([]);
  });

  it('sorts by risk then due date, or by due date (undated last)', () => {
    expect([...cards].sort(compareCards('risk')).map((c) => c.invoiceId)).toEqual(['stripe:in_a', 'stripe:in_c', 'chargebee:b']);
    expect([...cards].sort(compareCards('dueDate')).map((c) => c.invoiceId)).toEqual(['chargebee:b', 'stripe:in_a', 'stripe:in_c']);
  });
});
