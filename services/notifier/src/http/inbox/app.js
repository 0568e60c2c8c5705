// The CSM inbox: pending notifications from the CSM API, kept live over Server-Sent Events
// (read with fetch so the bearer token stays in a header, never in a URL).
const $ = (id) => document.getElementById(id);
const state = { token: null, csmId: null, items: new Map() };

function readToken() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const fromHash = hash.get('token');
  if (fromHash) {
    sessionStorage.setItem('invoice-signal-token', fromHash);
    hash.delete('token');
    history.replaceState(null, '', `${location.pathname}${hash.toString() ? `#${hash}` : ''}`);
  }
  return sessionStorage.getItem('invoice-signal-token');
}

async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${state.token}` } });
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
  if (!res.ok) throw new Error(body?.detail ?? `${res.status} ${res.statusText}`);
  return body;
}

const kindLabel = { invoice_issued: 'Invoice issued', payment_failed: 'Payment failed', overdue: 'Overdue', disputed: 'Chargeback', written_off: 'Written off' };
const riskOrder = { high: 3, medium: 2, low: 1, none: 0 };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

function renderItem(n) {
  const ctx = n.customerContext;
  const ph = n.paymentHistory ?? {};
  const li = el('li', { class: 'item', 'data-notification-id': n.id, 'data-invoice-id': n.invoiceId, 'data-risk': n.riskLevel });
  li.append(
    el('div', { class: 'title' }, `${kindLabel[n.kind] ?? n.kind}: ${n.customerName ?? n.customerId} — ${n.amountDisplay}`),
    el('div', { class: 'meta' }, `Due ${n.dueDay ?? 'n/a'} · status ${n.status} · risk ${n.riskLevel}`),
    el('div', { class: 'meta health' }, `Health ${ctx.healthScore ?? 'unknown'}${n.healthTrend ? ` (${n.healthTrend.direction})` : ''} · payment history ${ctx.paymentHistory}` +
      (ph.invoices ? ` (${ph.paidOnTime}/${ph.invoices} on time, ${ph.paidLate} late, ${ph.failed} failed)` : '') + (ctx.recentIssues ? ' · recent support issues' : '')),
  );
  const owed = n.kind !== 'invoice_issued' && n.amountRemainingMinor != null ? `${money(n.amountRemainingMinor, n.currency)} still owed` : null;
  const lastFailure = n.failureReason && (n.kind === 'payment_failed' || n.kind === 'overdue') ? `last failure: ${n.failureReason}` : null;
  const latest = n.timeline?.at(-1);
  const lifecycle = [owed, lastFailure, latest ? `${latest.at.slice(0, 10)} ${latest.event.replace('_', ' ')}${latest.note ? `: ${latest.note}` : ''}` : null].filter(Boolean);
  if (lifecycle.length) li.append(el('div', { class: 'meta lifecycle' }, lifecycle.join(' · ')));
  const flags = el('div', { class: 'flags' });
  for (const f of n.flags ?? []) flags.append(el('span', { title: f.message }, f.code));
  li.append(flags);
  if (n.recommendedActions.length) li.append(el('div', { class: 'actions' }, `Next: ${n.recommendedActions.join(' · ')}`));
  const button = el('button', { class: 'ack', type: 'button' }, 'Acknowledge');
  button.addEventListener('click', () => acknowledge(n.invoiceId, button));
  li.append(button);
  return li;
}

function render() {
  const sort = $('sort').value;
  const items = [...state.items.values()].sort((a, b) =>
    sort === 'risk' ? riskOrder[b.riskLevel] - riskOrder[a.riskLevel] || (a.dueDate ?? '').localeCompare(b.dueDate ?? '') : (a.dueDate ?? '~').localeCompare(b.dueDate ?? '~'));
  $('items').replaceChildren(...items.map(renderItem));
  $('empty').hidden = items.length > 0;
}

async function acknowledge(invoiceId, button) {
  button.disabled = true;
  try {
    await api(`/api/invoices/${encodeURIComponent(invoiceId)}/acknowledge`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ actionTaken: 'acknowledged in inbox' }) });
    for (const [id, n] of state.items) if (n.invoiceId === invoiceId) state.items.delete(id);
    $('message').textContent = `Acknowledged ${invoiceId}`;
    render();
  } catch (error) {
    button.disabled = false;
    $('message').textContent = `Could not acknowledge: ${error.message}`;
  }
}

function apply(event, data) {
  if (event === 'created' || event === 'updated') {
    if (data.acknowledgedAt) state.items.delete(data.id);
    else state.items.set(data.id, data);
  } else if (event === 'acknowledged' || event === 'removed') state.items.delete(data.id);
  else if (event === 'note') $('message').textContent = data.text; // an account moved to or away from this CSM
  render();
}

async function follow() {
  const status = $('live-status');
  for (;;) {
    let waitMs = 2000;
    try {
      const res = await fetch(`/api/csm/${encodeURIComponent(state.csmId)}/stream`, { headers: { authorization: `Bearer ${state.token}`, accept: 'text/event-stream' } });
      // Too many open streams (other tabs): come back when the server says, not every 2 s.
      if (res.status === 429) waitMs = 1000 * (Number(res.headers.get('retry-after')) || 30);
      if (!res.ok) throw new Error(`stream answered ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event === 'ready') {
            status.textContent = 'live';
            status.dataset.state = 'live';
          } else if (event && data) apply(event, JSON.parse(data));
        }
      }
    } catch (error) {
      $('message').textContent = `Live updates interrupted: ${error.message}`;
    }
    status.textContent = 'reconnecting';
    status.dataset.state = 'offline';
    await new Promise((r) => setTimeout(r, waitMs));
  }
}

async function start() {
  state.token = readToken();
  if (!state.token) {
    $('login').hidden = false;
    $('login').addEventListener('submit', (e) => {
      e.preventDefault();
      sessionStorage.setItem('invoice-signal-token', $('token').value.trim());
      location.reload();
    });
    return;
  }
  try {
    const me = await api('/api/me');
    state.csmId = new URLSearchParams(location.hash.slice(1)).get('csm') ?? me.csmId;
    $('who').textContent = `— ${state.csmId}`;
    $('sort-label').hidden = false;
    $('sort').addEventListener('change', render);
    void follow();
    const page = await api(`/api/invoices/csm/${encodeURIComponent(state.csmId)}/pending?sort=risk&limit=200`);
    for (const n of page.items) state.items.set(n.id, n);
    render();
  } catch (error) {
    $('message').textContent = error.message;
  }
}

void start();
