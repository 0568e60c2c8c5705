import { balanceLine, formatMoney, summaryLine, type InvoiceNotification } from './notification.ts';
import { flagLabel } from './flag-labels.ts';
import { dueDay } from './time-zone.ts';
import { ackLabels, oneClickActions } from './acknowledgment.ts';

/**
 * Slack reads `<…>` in mrkdwn as links and mentions (`<!channel>`, `<https://evil|Update card>`)
 * and `&` as an entity: every vendor- or customer-supplied string is escaped before it goes in.
 */
export const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * One Block Kit message for one notification, or for several of one account (batching). The
 * action buttons (one per one-click acknowledgment) carry the notification ids; Open links to the inbox. Due dates are the
 * dates on the CSM's calendar (`zone`).
 */
export function slackMessage(items: InvoiceNotification[], publicUrl: string, zone: string): { text: string; blocks: object[] } {
  const first = items[0];
  const who = first.customerName ?? first.customerId;
  const text = items.length === 1 ? summaryLine(first) : `${items.length} invoice notifications for ${who}`;
  const blocks: object[] = [{ type: 'header', text: { type: 'plain_text', text: text.slice(0, 150) } }];
  for (const n of items.slice(0, 10)) {
    const ctx = n.customerContext;
    const lines = [
      `*${summaryLine(n)}*${n.details.invoiceNumber ? ` (${n.details.invoiceNumber})` : ''}`,
      `Amount *${formatMoney(n.amountMinor, n.currency)}*, due ${dueDay(n.dueAt, zone)} · risk *${n.riskLevel}*`,
      `Health ${ctx.healthScore ?? 'unknown'}${n.details.healthTrend ? ` (${n.details.healthTrend.direction})` : ''} · payment history ${ctx.paymentHistory}${ctx.recentIssues ? ' · recent support issues' : ''}`,
    ];
    const balance = balanceLine(n);
    if (balance) lines.splice(1, 0, balance);
    if (n.previousCsmId) lines.push(`_Moved to you from ${n.previousCsmId}: the account is yours now._`);
    if (n.details.flags.length) lines.push(...n.details.flags.map((f) => `• *${flagLabel(f.code)}*: ${f.message}`));
    if (n.recommendedActions.length) lines.push(`_Next:_ ${n.recommendedActions.slice(0, 3).join(' · ')}`);
    // Our own markup (*, _, •) has no &, < or >, so the whole section is escaped at once.
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(lines.join('\n')).slice(0, 2900) } });
  }
  if (items.length > 10) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `and ${items.length - 10} more in the inbox` }] });
  const ids = items.map((n) => n.id).join(',').slice(0, 2000);
  blocks.push({
    type: 'actions',
    elements: [
      // One button per one-click action: the click records what the CSM did (outreach is counted from it).
      ...oneClickActions.map((a, i) => ({ type: 'button', action_id: `ack:${a}`, ...(i === 0 ? { style: 'primary' } : {}), text: { type: 'plain_text', text: ackLabels[a] }, value: ids })),
      { type: 'button', action_id: 'open', text: { type: 'plain_text', text: 'Open' }, url: `${publicUrl.replace(/\/$/, '')}/inbox#invoice=${encodeURIComponent(first.invoiceId)}` },
    ],
  });
  // The header is plain_text (never parsed); the notification text is mrkdwn.
  return { text: escapeMrkdwn(text), blocks };
}
