// One invoice's card as DOM. The handlers (record an action, copy the draft) come from app.js.
import { ackActions, ackLabel, isoDay, nextActions, pathOf, statusLabels, valueSummaryOf } from './cards.js';

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : v);
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

let serial = 0;
const riskLabels = { high: 'High risk', medium: 'Medium risk', low: 'Low risk', none: 'No risk flags' };
const day = (at) => (at ? isoDay(Date.parse(at)) : null);
const time = (at) => (at ? new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '');

/** The card of an invoice; `key` attributes let app.js put focus and open expanders back after a re-render. */
export function cardElement(card, handlers) {
  const id = `card-${++serial}`;
  const article = el('article', {
    class: 'card', tabindex: '-1', 'aria-labelledby': `${id}-title`,
    'data-invoice-id': card.invoiceId, 'data-risk': card.riskLevel, 'data-status': card.status, 'data-section': card.section,
  });
  article.append(...[
    head(card, id),
    el('ol', { class: 'path', 'aria-label': 'Timeline' }, ...pathOf(card).map(step)),
    next(card, handlers.now),
    draft(card, id, handlers),
    flags(card),
    context(card),
    acknowledgment(card, id, handlers),
  ].filter(Boolean));
  return article;
}

function head(card, id) {
  // What is still owed matters once a payment failed, or when part of it was paid.
  const partlyPaid = card.status === 'pending' && card.amountRemaining < card.amount;
  const owed = card.amountRemainingDisplay !== null && (['failed', 'overdue', 'uncollectible'].includes(card.status) || partlyPaid);
  const dispute = card.dispute ? `Chargeback ${card.dispute}` : null;
  return el('div', { class: 'card-head' },
    el('h3', { id: `${id}-title` }, el('span', { class: 'customer' }, card.customerName), ' ', el('span', { class: 'amount' }, card.amountDisplay)),
    el('p', { class: `status status-${card.status}` }, el('span', { class: 'visually-hidden' }, 'Status: '), statusLabels[card.status] ?? card.status, dispute ? ` · ${dispute}` : null),
    el('p', { class: 'meta' },
      `Invoice ${card.invoiceNumber ?? card.invoiceId} · due ${card.dueDay ?? 'n/a'} · `,
      el('span', { class: `risk risk-${card.riskLevel}` }, riskLabels[card.riskLevel] ?? `${card.riskLevel} risk`),
      owed ? ` · ${card.amountRemainingDisplay} still owed` : null,
      card.failureReason && ['failed', 'overdue'].includes(card.status) ? ` · last failure: ${card.failureReason}` : null),
  );
}

function step(s, i, all) {
  const label = s.count > 1 ? `${s.label} ×${s.count}` : s.label;
  return el('li', { class: `step step-${s.event}`, 'aria-current': i === all.length - 1 ? 'step' : null }, label, s.at ? el('time', { datetime: s.at }, ` ${day(s.at)}`) : null);
}

function next(card, now) {
  const { shown, more } = nextActions(card, now);
  if (!shown.length) return null;
  const item = (a) => el('li', {},
    el('span', { class: a.when === 'now' ? 'when when-now' : 'when' }, a.when ?? 'any time'), ' ', el('span', { class: 'what' }, a.text));
  return el('section', { class: 'next' },
    el('h4', {}, 'Next actions'),
    el('ol', { class: 'actions' }, ...shown.map(item)),
    more.length ? el('details', { class: 'more', 'data-key': 'more' }, el('summary', { 'data-key': 'more-summary' }, `${more.length} more`), el('ol', { class: 'actions', start: String(shown.length + 1) }, ...more.map(item))) : null);
}

function draft(card, id, handlers) {
  const text = valueSummaryOf(card);
  if (!text) return null;
  const copied = el('span', { class: 'copied', role: 'status' });
  const button = el('button', { type: 'button', class: 'copy', 'data-key': 'copy', 'aria-describedby': `${id}-draft-title` }, 'Copy');
  button.addEventListener('click', () => handlers.copy(text, copied));
  return el('section', { class: 'draft' },
    el('h4', { id: `${id}-draft-title` }, 'Value summary draft'),
    el('p', { class: 'draft-text' }, text),
    el('div', { class: 'draft-actions' }, button, copied));
}

function flags(card) {
  if (!card.flags.length) return null;
  return el('section', { class: 'flags' },
    el('h4', {}, 'Flags'),
    el('ul', {}, ...card.flags.map((f) => el('li', { 'data-code': f.code },
      el('details', { 'data-key': `flag:${f.code}` },
        el('summary', { 'data-key': `flag-summary:${f.code}` }, el('span', { class: `severity severity-${f.severity}` }, f.severity), ' ', f.label ?? f.code),
        el('p', { class: 'reason' }, f.message))))));
}

function context(card) {
  const ctx = card.customerContext ?? {};
  const ph = card.paymentHistory ?? {};
  const lines = [
    `Health ${ctx.healthScore ?? 'unknown'}${card.healthTrend ? ` (${card.healthTrend.direction})` : ''}`,
    `payment history ${ctx.paymentHistory ?? 'unknown'}${ph.invoices ? ` (${ph.paidOnTime}/${ph.invoices} on time, ${ph.paidLate} late, ${ph.failed} failed)` : ''}`,
    ctx.recentIssues ? 'recent support issues' : null,
  ].filter(Boolean);
  return el('details', { class: 'context', 'data-key': 'context' },
    el('summary', { 'data-key': 'context-summary' }, 'Account and history'),
    el('p', {}, lines.join(' · ')),
    card.timeline.length ? el('ol', { class: 'history' }, ...card.timeline.map((e) => el('li', {}, el('time', { datetime: e.at }, day(e.at)), ` ${e.event.replaceAll('_', ' ')}${e.note ? `: ${e.note}` : ''}`))) : null,
    /^https:\/\//.test(card.hostedInvoiceUrl ?? '') ? el('a', { href: card.hostedInvoiceUrl, rel: 'noopener noreferrer', target: '_blank' }, 'Open the invoice') : null);
}

/** One click for the common actions; Other asks for a note. Done and settled cards keep them behind an expander. */
function acknowledgment(card, id, handlers) {
  const recorded = card.recorded
    ? el('p', { class: 'recorded' }, 'Recorded: ', el('strong', {}, ackLabel(card.recorded.action)), card.recorded.note ? ` (${card.recorded.note})` : null, ` · ${day(card.recorded.at)} ${time(card.recorded.at)}`)
    : null;
  const buttons = ackActions.map(([action, label]) => {
    const b = el('button', { type: 'button', class: 'ack', 'data-action': action, 'data-key': `ack:${action}` }, label);
    b.addEventListener('click', () => handlers.record(card, action, null, b));
    return b;
  });
  const noteId = `${id}-note`;
  const form = el('form', { class: 'other-form', id: `${id}-other`, hidden: true },
    el('label', { for: noteId }, 'What did you do?'), ' ',
    el('input', { id: noteId, name: 'note', required: true, maxlength: '2000', autocomplete: 'off', 'data-key': 'note' }), ' ',
    el('button', { type: 'submit', 'data-key': 'other-submit' }, 'Record'));
  const other = el('button', { type: 'button', class: 'ack-other', 'aria-expanded': 'false', 'aria-controls': `${id}-other`, 'data-key': 'ack:other' }, 'Other…');
  other.addEventListener('click', () => {
    const open = form.hidden;
    form.hidden = !open;
    other.setAttribute('aria-expanded', String(open));
    if (open) form.querySelector('input').focus();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    handlers.record(card, 'other', form.querySelector('input').value.trim(), form.querySelector('button'));
  });
  const group = el('div', { class: 'ack-buttons', role: 'group', 'aria-label': `Record what you did about ${card.customerName}, invoice ${card.invoiceNumber ?? card.invoiceId}` }, ...buttons, other, form);
  if (card.section === 'open') return el('div', { class: 'acknowledge' }, recorded, el('p', { class: 'ack-prompt' }, 'What did you do?'), group);
  return el('div', { class: 'acknowledge' }, recorded,
    el('details', { 'data-key': 'change' }, el('summary', { 'data-key': 'change-summary' }, card.recorded ? 'Change what you recorded' : 'Record an action'), group));
}
