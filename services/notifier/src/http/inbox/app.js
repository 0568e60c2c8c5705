// The CSM inbox: the CSM API's notifications as one card per invoice, kept live over Server-Sent
// Events (read with fetch so the bearer token stays in a header, never in a URL).
import { ackLabel, compareCards, groupByInvoice, kindLabels, matches, nextActions } from './cards.js';
import { cardElement, el } from './card-view.js';
import { callApi, readToken } from './session.js';

const $ = (id) => document.getElementById(id);
const state = {
  token: null, csmId: null,
  /** Notifications by id, as the API and the stream gave them. */
  items: new Map(),
  /** Rendered cards by invoice id: { signature, element }. */
  rendered: new Map(),
};
const sections = ['open', 'done', 'settled'];


const api = (path, init) => callApi(state.token, path, init);

const filter = () => ({ risk: $('f-risk').value, status: $('f-status').value, account: $('f-account').value, search: $('search').value });

/**
 * Brings the page in line with state.items: a card is rebuilt only when its notifications changed
 * (so focus and open expanders elsewhere are untouched), filters only hide, and nodes move only when
 * the order changed.
 */
function render() {
  const now = Date.now();
  const cards = groupByInvoice([...state.items.values()]).sort(compareCards($('sort').value));
  const seen = new Set();
  for (const card of cards) {
    seen.add(card.invoiceId);
    const old = state.rendered.get(card.invoiceId);
    // A date that has just passed turns into "now": that changes the card too.
    const signature = `${card.signature}|${whenKey(card, now)}`;
    if (old?.signature === signature) continue;
    const element = cardElement(card, { now, record, copy });
    if (old) carryOver(old.element, element);
    state.rendered.set(card.invoiceId, { signature, element, card });
  }
  for (const [invoiceId, { element }] of state.rendered) if (!seen.has(invoiceId)) {
    element.remove();
    state.rendered.delete(invoiceId);
  }
  for (const section of sections) place($(section), cards.filter((c) => c.section === section).map((c) => state.rendered.get(c.invoiceId).element));
  accounts(cards);
  applyFilters();
}

/** Appends in order, moving nothing when the order is already right; puts focus back if a move took it. */
function place(container, elements) {
  const current = [...container.children];
  if (current.length === elements.length && current.every((e, i) => e === elements[i])) return;
  const focused = document.activeElement;
  container.replaceChildren(...elements);
  if (focused && focused !== document.activeElement && container.contains(focused)) focused.focus();
}

const whenKey = (card, now) => { const { shown, more } = nextActions(card, now); return [...shown, ...more].map((a) => a.when).join(','); };

/** What the CSM had open, typed or focused in a card that is rebuilt. */
function carryOver(from, to) {
  const find = (node) => to.querySelector(`[data-key="${CSS.escape(node.dataset.key)}"]`);
  for (const d of from.querySelectorAll('details[open][data-key]')) find(d)?.setAttribute('open', '');
  for (const input of from.querySelectorAll('input[data-key]')) {
    const twin = find(input);
    if (twin) twin.value = input.value;
  }
  if (from.querySelector('[data-key="ack:other"]')?.getAttribute('aria-expanded') === 'true') {
    to.querySelector('[data-key="ack:other"]')?.setAttribute('aria-expanded', 'true');
    const form = to.querySelector('form.other-form');
    if (form) form.hidden = false;
  }
  const focusKey = from.contains(document.activeElement) ? document.activeElement.dataset?.key : null;
  from.replaceWith(to);
  if (focusKey) to.querySelector(`[data-key="${CSS.escape(focusKey)}"]`)?.focus();
}

function applyFilters() {
  const f = filter();
  const counts = { open: 0, done: 0, settled: 0 };
  let total = 0;
  for (const { element, card } of state.rendered.values()) {
    const show = matches(card, f);
    element.hidden = !show;
    total += 1;
    if (show) counts[card.section] += 1;
  }
  for (const s of sections) $(`${s}-count`).textContent = `(${counts[s]})`;
  $('done-section').hidden = counts.done === 0;
  $('settled-section').hidden = counts.settled === 0;
  const filtered = f.risk || f.status || f.account || f.search.trim();
  const shown = counts.open + counts.done + counts.settled;
  $('shown-count').textContent = filtered ? `Showing ${shown} of ${total} invoices` : `${total} invoices`;
  $('empty').hidden = counts.open > 0;
  $('empty').textContent = filtered && total ? 'Nothing pending matches the filters.' : 'Nothing pending. Nice.';
}

/** The account filter lists every account on the page; the choice survives new cards. */
function accounts(cards) {
  const select = $('f-account');
  const names = new Map(cards.map((c) => [c.customerId, c.customerName]));
  const key = [...names].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => `${id}\u0000${name}`).join('\u0001');
  if (select.dataset.key === key) return;
  const chosen = select.value;
  select.replaceChildren(el('option', { value: '' }, 'All'), ...[...names].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => el('option', { value: id }, name)));
  select.value = names.has(chosen) ? chosen : '';
  select.dataset.key = key;
}

async function record(card, actionTaken, note, button) {
  const group = button.closest('.acknowledge');
  const controls = [...group.querySelectorAll('button, input')];
  // Chosen now: the live stream may re-render this card before the answer comes.
  const following = nextCard(button.closest('article'))?.dataset.invoiceId;
  for (const c of controls) c.disabled = true;
  try {
    const body = note ? { actionTaken, note } : { actionTaken };
    const result = await api(`/api/invoices/${encodeURIComponent(card.invoiceId)}/acknowledge`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const n of result.acknowledged) state.items.set(n.id, n);
    $('message').textContent = `Recorded for ${card.customerName}, invoice ${card.invoiceNumber ?? card.invoiceId}: ${ackLabel(actionTaken)}`;
    render();
    // The card has moved to Acknowledged: keyboard users carry on with the next one.
    if (!document.activeElement || document.activeElement === document.body) (state.rendered.get(following)?.element ?? $('open-heading')).focus();
  } catch (error) {
    for (const c of controls) c.disabled = false;
    $('message').textContent = `Could not record: ${error.message}`;
  }
}

/** The nearest shown card after this one, else before it. */
function nextCard(article) {
  for (const step of ['nextElementSibling', 'previousElementSibling']) {
    let next = article[step];
    while (next?.hidden) next = next[step];
    if (next) return next;
  }
  return null;
}

async function copy(text, status) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No async clipboard (an http page away from localhost): the selection and copy command still work.
    const area = el('textarea', { class: 'visually-hidden', readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    if (!ok) {
      status.textContent = 'Copy failed: select the text';
      return;
    }
  }
  status.textContent = 'Copied';
  setTimeout(() => (status.textContent = ''), 4000);
}

/** Announces notifications the CSM has not seen in this page: never the first load, never an update. */
const announcements = [];
function announce(n) {
  announcements.push(`${kindLabels[n.kind] ?? n.kind}: ${n.customerName ?? n.customerId}, ${n.amountDisplay}`);
  if (announcements.length > 1) return;
  setTimeout(() => {
    $('announcer').textContent = `New: ${announcements.join('; ')}`;
    announcements.length = 0;
  }, 300);
}

function apply(event, data) {
  const known = state.items.get(data.id);
  if (event === 'created' || event === 'updated' || event === 'acknowledged') {
    // Back from acknowledged (a lost chargeback announced again) is news too.
    if (event === 'created' && !data.acknowledgedAt && (!known || known.acknowledgedAt)) announce(data);
    state.items.set(data.id, data);
  } else if (event === 'removed') state.items.delete(data.id);
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
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
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

/** Everything pending (in pages of 200, up to 1,000 notifications) and the 50 latest settled ones. */
async function load() {
  const base = `/api/invoices/csm/${encodeURIComponent(state.csmId)}/pending`;
  const loaded = [];
  for (let offset = 0; offset < 1000; offset += 200) {
    const page = await api(`${base}?sort=risk&limit=200&offset=${offset}`);
    loaded.push(...page.items);
    if (offset + page.items.length >= page.total) break;
  }
  loaded.push(...(await api(`${base}?settled=only&sort=recent&limit=50`)).items);
  // The stream may have delivered a newer version meanwhile: keep the higher one.
  for (const n of loaded) if (!(state.items.get(n.id)?.version > n.version)) state.items.set(n.id, n);
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
    $('filters').hidden = false;
    $('open-section').hidden = false;
    $('filters').addEventListener('submit', (e) => e.preventDefault());
    for (const id of ['f-risk', 'f-status', 'f-account']) $(id).addEventListener('change', applyFilters);
    $('search').addEventListener('input', applyFilters);
    $('sort').addEventListener('change', render);
    void follow();
    await load();
    render();
    document.body.dataset.loaded = 'true';
    setInterval(render, 60_000); // dates that pass while the page is open
  } catch (error) {
    $('message').textContent = error.message;
  }
}

void start();
