import { DateTime } from 'luxon';
import type { LatencyStats, OnTimeRate, OutreachRate } from './outcomes.ts';

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

/**
 * The weekly report most recently due at `at`: sent at `hour` on `weekday` (local time in
 * `zone`), it covers the seven UTC days before the day it is sent. The key names the week, which
 * is what makes it go out once.
 */
export function weeklyOutcomeWindow(at: number, zone: string, weekday: Weekday, hour: number): { key: string; sendAt: number; from: number; to: number } {
  const local = DateTime.fromMillis(at, { zone });
  const target = weekdays.indexOf(weekday) + 1;
  let send = local.set({ weekday: target as 1, hour, minute: 0, second: 0, millisecond: 0 });
  if (send > local) send = send.minus({ weeks: 1 }).set({ hour });
  const to = Date.UTC(send.year, send.month - 1, send.day);
  const from = to - 7 * 86_400_000;
  return { key: `outcomes-weekly:${new Date(from).toISOString().slice(0, 10)}`, sendAt: send.toMillis(), from, to };
}

/** What the e-mail shows: the API's report (GET /api/outcomes), the fields it needs. */
export interface OutcomesEmailReport {
  from: string | null;
  to: string | null;
  goLiveAt: string | null;
  targets: { outreachRate: number; onTimeLiftPoints: number };
  delivery: { bySource: Array<{ source: string; issuedToNotified: LatencyStats; receivedToNotified: LatencyStats }> };
  outreach: { overall: OutreachRate; perTeam: Array<OutreachRate & { team: string | null }> };
  onTime: { withOutreach: OnTimeRate; withoutOutreach: OnTimeRate; notified: OnTimeRate; baseline: OnTimeRate; liftPoints: { notifiedVsBaseline: number | null; withOutreachVsBaseline: number | null; withOutreachVsWithout: number | null } };
  perCsm: Array<{ csmId: string; team: string | null; notified: number; outreach: OutreachRate }>;
  needsOutreach: Array<{ invoiceId: string; customerName: string | null; customerId: string; csmId: string; status: string; dueDay: string | null; amountDisplay: string }>;
}

export const pct = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
const points = (p: number | null) => (p === null ? '—' : `${p > 0 ? '+' : ''}${p.toFixed(1)} pts`);
const minutes = (ms: number | null) => (ms === null ? '—' : `${(ms / 60_000).toFixed(1)} min`);
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The weekly e-mail to managers: the same numbers as the page, each rate with its sample size. */
export function renderOutcomesEmail(r: OutcomesEmailReport, publicUrl: string): { subject: string; text: string; html: string } {
  const week = `${r.from?.slice(0, 10)} to ${r.to?.slice(0, 10)}`;
  const o = r.outreach.overall;
  const t = r.onTime;
  const subject = `invoice-signal outcomes, ${week}: outreach ${pct(o.rate)} (n=${o.eligible}), on time ${points(t.liftPoints.notifiedVsBaseline)} vs baseline`;
  const lines = [
    `Proactive outreach: ${pct(o.rate)} (${o.contacted} of ${o.eligible}; ${o.open} still open) · target ${pct(r.targets.outreachRate)}`,
    ...r.outreach.perTeam.map((x) => `  team ${x.team ?? '(none)'}: ${pct(x.rate)} (n=${x.eligible})`),
    `On-time payment: with outreach ${pct(t.withOutreach.rate)} (n=${t.withOutreach.due}), without ${pct(t.withoutOutreach.rate)} (n=${t.withoutOutreach.due}), all notified ${pct(t.notified.rate)} (n=${t.notified.due}), baseline ${pct(t.baseline.rate)} (n=${t.baseline.due})`,
    `  notified vs baseline ${points(t.liftPoints.notifiedVsBaseline)}, with outreach vs baseline ${points(t.liftPoints.withOutreachVsBaseline)} · target +${r.targets.onTimeLiftPoints} pts`,
    'Delivery (invoice → notification):',
    ...r.delivery.bySource.map((d) => `  ${d.source}: p50 ${minutes(d.issuedToNotified.p50Ms)}, p95 ${minutes(d.issuedToNotified.p95Ms)}, max ${minutes(d.issuedToNotified.maxMs)}, over 1 h: ${d.issuedToNotified.overOneHour} (n=${d.issuedToNotified.n})`),
    'Per CSM:',
    ...r.perCsm.map((c) => `  ${c.csmId}${c.team ? ` (${c.team})` : ''}: ${c.notified} notified, outreach ${pct(c.outreach.rate)} (n=${c.outreach.eligible})`),
    `Needs outreach now (${r.needsOutreach.length}):`,
    ...r.needsOutreach.slice(0, 10).map((i) => `  ${i.invoiceId} ${i.customerName ?? i.customerId}, ${i.amountDisplay}, ${i.status}, due ${i.dueDay ?? '—'} (${i.csmId})`),
  ];
  const page = `${publicUrl.replace(/\/$/, '')}/outcomes`;
  const text = [subject, '', ...lines, '', `The page: ${page}`].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif"><h1 style="font-size:18px">${esc(subject)}</h1><pre style="font-family:inherit">${esc(lines.join('\n'))}</pre><p><a href="${esc(page)}">Open the outcomes page</a></p></body></html>`;
  return { subject, text, html };
}
