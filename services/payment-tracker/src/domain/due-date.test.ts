import { describe, expect, it } from 'vitest';
import type { InvoiceEvent } from '@invoice-signal/events';
import { sampleEnrichedInvoice, sampleInvoiceEvent } from '@invoice-signal/testkit';
import { dueZoneOf } from '../handlers/due-zone.ts';
import { foldInvoice } from './fold.ts';
import { dueZoneEntry, overdueMarker, vendorEntry, type LedgerEntry } from './ledger.ts';
import { overdueFireAt } from './publication.ts';
import { validateInvoiceEvent } from './validate.ts';

const id = 'salesforce:a0x1';
let n = 0;
const ev = (type: InvoiceEvent['type'], at: string, extra: Partial<InvoiceEvent> = {}) =>
  vendorEntry(sampleInvoiceEvent({ eventId: `e${++n}`, invoiceId: id, type, occurredAt: Date.parse(at), amountPaidMinor: 0, ...extra }));
// What the gateway publishes for "due 2026-12-01" with BILLING_TIME_ZONE=UTC.
const dueUtc = { dueDate: '2026-12-01', dueTimeZone: 'UTC', dueAt: Date.parse('2026-12-01T23:59:59.999Z') };
const la = (revision = 2) => dueZoneEntry(id, `enr_${revision}`, revision, 'America/Los_Angeles', Date.parse('2026-11-01T10:00:00Z'));
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const fold = (entries: LedgerEntry[]) => foldInvoice(entries)!.view;

describe("the tracker's due date follows the account's billing zone", () => {
  it('re-reads a date-only due date in the zone the enricher chose, in any arrival order', () => {
    const issued = ev('issued', '2026-11-01T10:00:00Z', dueUtc);
    expect(iso(fold([issued]).dueAt)).toBe('2026-12-01T23:59:59.999Z');
    expect(iso(fold([issued, la()]).dueAt)).toBe('2026-12-02T07:59:59.999Z');
    expect(iso(fold([la(), issued]).dueAt)).toBe('2026-12-02T07:59:59.999Z');
  });

  it('applies the zone to a due date moved later by another event, and the highest revision wins', () => {
    const moved = ev('updated', '2026-11-10T10:00:00Z', { dueDate: '2026-12-15', dueTimeZone: 'UTC', dueAt: Date.parse('2026-12-15T23:59:59.999Z') });
    const paris = dueZoneEntry(id, 'enr_1', 1, 'Europe/Paris', 0);
    expect(iso(fold([ev('issued', '2026-11-01T10:00:00Z', dueUtc), moved, paris, la(2)]).dueAt)).toBe('2026-12-16T07:59:59.999Z');
  });

  it('leaves a due instant alone', () => {
    const instant = ev('issued', '2026-11-01T10:00:00Z', { dueAt: Date.parse('2026-12-01T10:00:00Z'), dueDate: null, dueTimeZone: null });
    expect(iso(fold([instant, la()]).dueAt)).toBe('2026-12-01T10:00:00.000Z');
  });

  it('a payment on the due date in Los Angeles, after midnight UTC, is on time and never overdue', () => {
    const issued = ev('issued', '2026-11-01T10:00:00Z', dueUtc);
    const view = fold([issued, la(), ev('paid', '2026-12-02T05:00:00Z', { ...dueUtc, amountPaidMinor: 1_250_000, amountRemainingMinor: 0 })]);
    expect(view.status).toBe('paid');
    expect(view.paidAt! <= view.dueAt!).toBe(true);
  });

  it('an overdue marker of the UTC due date no longer applies once the account zone moved it', () => {
    const issued = ev('issued', '2026-11-01T10:00:00Z', dueUtc);
    const utcMarker = overdueMarker(id, dueUtc.dueAt, 0);
    expect(fold([issued, utcMarker]).status).toBe('overdue');
    expect(fold([issued, utcMarker, la()]).status).toBe('pending');
  });
});

describe('the last on-time instant is dueAt: overdue starts one millisecond after dueAt + grace', () => {
  const dueAt = Date.parse('2026-12-02T07:59:59.999Z');
  const issued = ev('issued', '2026-11-01T10:00:00Z', { dueAt });
  it.each([0, 3_600_000])('grace %i ms', (grace) => {
    expect(overdueFireAt(fold([issued]), grace)).toBe(dueAt + grace + 1);
    const marker = overdueMarker(id, dueAt, grace);
    expect(marker.occurredAt).toBe(dueAt + grace + 1);
    // Paid at the very last instant: on time, no overdue step in the history.
    const { view, transitions } = foldInvoice([issued, marker, vendorEntry(sampleInvoiceEvent({ eventId: `p${grace}`, invoiceId: id, type: 'paid', occurredAt: dueAt + grace, dueAt }))])!;
    expect(view.status).toBe('paid');
    expect(transitions.map((t) => t.to)).toEqual(['pending', 'paid']);
  });
});

describe('inputs', () => {
  it('takes a zone only from an enrichment with a valid date-only due date', () => {
    const enriched = (invoice: Partial<InvoiceEvent>) => sampleEnrichedInvoice({ enrichmentId: 'enr_x', revision: 2, invoice: sampleInvoiceEvent({ invoiceId: id, ...invoice }) });
    expect(dueZoneOf(enriched({ dueDate: '2026-12-01', dueTimeZone: 'America/Los_Angeles' }))).toMatchObject({ invoiceId: id, timeZone: 'America/Los_Angeles', revision: 2, eventId: 'enricher:due-zone:enr_x' });
    expect(dueZoneOf(enriched({ dueDate: null, dueTimeZone: null }))).toBeNull();
    expect(dueZoneOf(enriched({ dueDate: '2026-12-01', dueTimeZone: 'Nowhere/Land' }))).toBeNull();
    expect(dueZoneOf(null)).toBeNull();
  });

  it('dead-letters an event whose dueDate or dueTimeZone it could not re-read', () => {
    expect(() => validateInvoiceEvent(sampleInvoiceEvent({ invoiceId: id, dueDate: '2026-02-30' }), id)).toThrow(/PT_DUE_DATE|dueDate must be a calendar date/);
    expect(() => validateInvoiceEvent(sampleInvoiceEvent({ invoiceId: id, dueDate: '2026-12-01', dueTimeZone: 'Pacific/Nowhere' }), id)).toThrow(/dueTimeZone must be an IANA time zone/);
    expect(validateInvoiceEvent(sampleInvoiceEvent({ invoiceId: id, ...dueUtc }), id).dueDate).toBe('2026-12-01');
  });
});
