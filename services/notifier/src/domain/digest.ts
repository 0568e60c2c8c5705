import { balanceLine, summaryLine, type InvoiceNotification } from './notification.ts';
import { flagLabel } from './flag-labels.ts';
import { dueDay } from './time-zone.ts';

/** The summary with the balance still owed and the last failure, for alerts. */
const headline = (i: InvoiceNotification) => {
  const balance = balanceLine(i);
  return balance ? `${summaryLine(i)} (${balance})` : summaryLine(i);
};

const order = ['high', 'medium', 'low', 'none'];
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Items grouped by risk level, highest first; empty groups left out. */
export function groupByRisk(items: InvoiceNotification[]): Array<{ risk: string; items: InvoiceNotification[] }> {
  const rank = (r: string) => (order.indexOf(r) === -1 ? order.length : order.indexOf(r));
  const risks = [...new Set(items.map((i) => i.riskLevel))].sort((a, b) => rank(a) - rank(b));
  return risks.map((risk) => ({ risk, items: items.filter((i) => i.riskLevel === risk).sort((a, b) => (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity)) }));
}

/** The digest e-mail, due dates on the CSM's calendar (`timeZone`); refuses to render an empty one (a digest is never empty). */
export function renderDigest(
  items: InvoiceNotification[], opts: { periodLabel: string; publicUrl: string; timeZone: string },
): { subject: string; text: string; html: string } {
  const day = (ms: number | null) => dueDay(ms, opts.timeZone);
  if (items.length === 0) throw new Error('a digest needs at least one notification');
  const groups = groupByRisk(items);
  const high = items.filter((i) => i.riskLevel === 'high').length;
  const subject = `invoice-signal digest (${opts.periodLabel}): ${items.length} notification${items.length === 1 ? '' : 's'}${high ? `, ${high} high risk` : ''}`;
  const inbox = `${opts.publicUrl.replace(/\/$/, '')}/inbox`;
  const line = (i: InvoiceNotification) =>
    `${headline(i)} — due ${day(i.dueAt)}, health ${i.customerContext.healthScore ?? 'unknown'}, payment history ${i.customerContext.paymentHistory}${i.riskFlags.length ? `, flags: ${i.riskFlags.map(flagLabel).join(', ')}` : ''}`;
  const text = [subject, '', ...groups.flatMap((g) => [`${g.risk.toUpperCase()} RISK (${g.items.length})`, ...g.items.map((i) => `- ${line(i)}${i.recommendedActions[0] ? `\n  Next: ${i.recommendedActions[0]}` : ''}`), '']), `Open the inbox: ${inbox}`].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif"><h1 style="font-size:18px">${esc(subject)}</h1>${groups
    .map((g) => `<h2 style="font-size:15px">${esc(g.risk)} risk (${g.items.length})</h2><ul>${g.items
      .map((i) => `<li><strong>${esc(headline(i))}</strong><br>due ${esc(day(i.dueAt))} · health ${esc(String(i.customerContext.healthScore ?? 'unknown'))} · payment history ${esc(i.customerContext.paymentHistory)}${i.riskFlags.length ? ` · flags: ${esc(i.riskFlags.map(flagLabel).join(', '))}` : ''}${i.recommendedActions[0] ? `<br><em>Next: ${esc(i.recommendedActions[0])}</em>` : ''}</li>`)
      .join('')}</ul>`)
    .join('')}<p><a href="${esc(inbox)}">Open the inbox</a></p></body></html>`;
  return { subject, text, html };
}
