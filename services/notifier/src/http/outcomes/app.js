// The managers' outcomes page: GET /api/outcomes with the user's token (kept in sessionStorage,
// never in the address bar), charts drawn with the uPlot the service serves itself.
/* global uPlot */
import { callApi, readToken } from './session.js';
const $ = (id) => document.getElementById(id);
const state = { token: null, report: null };


const api = (path, init) => callApi(state.token, path, init);

// One formatting for every number on the page: the API gives fractions and milliseconds.
const pct = (rate) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`);
const points = (p) => (p === null || p === undefined ? '—' : `${p > 0 ? '+' : ''}${p.toFixed(1)} pts`);
const duration = (ms) => (ms === null ? '—' : ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 60_000).toFixed(1)} min`);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}
const cell = (text, attrs = {}) => el('td', attrs, String(text));
const setMetric = (name, text) => document.querySelectorAll(`[data-metric="${name}"]`).forEach((n) => { n.textContent = text; });
const versus = (value, target) => (value === null ? '' : value >= target ? 'above' : 'below');

function renderCards(r) {
  const tbody = $('delivery-table').querySelector('tbody');
  tbody.replaceChildren(...r.delivery.bySource.map((s) => {
    const l = (x) => `${duration(x.p50Ms)} / ${duration(x.p95Ms)} / ${duration(x.maxMs)}`;
    return el('tr', { 'data-source': s.source }, el('th', {}, s.source), cell(s.issuedToNotified.n, { class: 'num' }), cell(l(s.issuedToNotified)),
      cell(s.issuedToNotified.overOneHour, { class: `num ${s.issuedToNotified.overOneHour ? 'below' : ''}`, 'data-metric-over': 'issued' }),
      cell(l(s.receivedToNotified)), cell(s.receivedToNotified.overOneHour, { class: `num ${s.receivedToNotified.overOneHour ? 'below' : ''}`, 'data-metric-over': 'received' }));
  }));
  const o = r.outreach.overall;
  setMetric('outreach.rate', pct(o.rate));
  document.querySelector('[data-metric="outreach.rate"]').className = versus(o.rate, r.targets.outreachRate);
  setMetric('outreach.contacted', o.contacted);
  setMetric('outreach.eligible', o.eligible);
  setMetric('outreach.open', o.open);
  $('team-table').querySelector('tbody').replaceChildren(...r.outreach.perTeam.map((t) =>
    el('tr', { 'data-team': t.team ?? '' }, el('th', {}, t.team ?? '(no team)'), cell(pct(t.rate), { class: versus(t.rate, r.targets.outreachRate) }), cell(t.eligible, { class: 'num' }))));
  for (const group of ['withOutreach', 'withoutOutreach', 'notified', 'baseline']) {
    setMetric(`onTime.${group}.rate`, pct(r.onTime[group].rate));
    setMetric(`onTime.${group}.n`, `${r.onTime[group].onTime} of ${r.onTime[group].due}`);
  }
  const lift = r.onTime.liftPoints;
  setMetric('onTime.lift.notified', points(lift.notifiedVsBaseline));
  setMetric('onTime.lift.withOutreach', points(lift.withOutreachVsBaseline));
  setMetric('onTime.lift.withVsWithout', points(lift.withOutreachVsWithout));
  $('go-live').textContent = r.goLiveAt ? `Baseline: invoices of the same ${r.baselineAccounts} account(s) issued before ${r.goLiveAt.slice(0, 10)}.` : 'No baseline yet.';
}

function renderTables(r) {
  $('csm-table').querySelector('tbody').replaceChildren(...r.perCsm.map((c) => el('tr', { 'data-csm': c.csmId },
    el('th', {}, c.csmId), cell(c.team ?? ''), cell(c.notified, { class: 'num' }),
    cell(pct(c.outreach.rate), { class: versus(c.outreach.rate, r.targets.outreachRate) }), cell(c.outreach.eligible, { class: 'num' }),
    cell(pct(c.onTime.withOutreach.rate)), cell(c.onTime.withOutreach.due, { class: 'num' }), cell(pct(c.onTime.withoutOutreach.rate)), cell(c.onTime.withoutOutreach.due, { class: 'num' }))));
  $('needs-table').querySelector('tbody').replaceChildren(...r.needsOutreach.map((i) => el('tr', { 'data-invoice-id': i.invoiceId },
    el('th', {}, i.invoiceId), cell(i.customerName ?? i.customerId), cell(i.csmId), cell(i.status), cell(i.dueDay ?? '—'), cell(i.amountDisplay, { class: 'num' }), cell(i.riskLevel))));
  $('needs-empty').hidden = r.needsOutreach.length > 0;
}

const seconds = (period) => Date.parse(`${period}T00:00:00Z`) / 1000;
const charts = [];

function chart(target, xs, series, width) {
  const node = $(target);
  node.replaceChildren();
  if (xs.length === 0) return node.append(el('p', { class: 'note' }, 'No data in this range.'));
  const colours = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];
  charts.push(new uPlot({
    width, height: 220,
    scales: { x: { time: true } },
    series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: s.stroke ?? colours[i % colours.length], dash: s.dash, width: 2, points: { show: !s.dash }, spanGaps: true }))],
  }, [xs, ...series.map((s) => s.values)], node));
}

function renderCharts(r, granularity) {
  charts.splice(0).forEach((c) => { c.destroy(); });
  const s = r[granularity];
  const width = Math.max(480, Math.min(900, $('chart-outreach').clientWidth || 600));
  const deliveryPeriods = [...new Set(s.delivery.map((d) => d.period))].sort();
  const sources = [...new Set(s.delivery.map((d) => d.source))].sort();
  const p95 = (period, source) => s.delivery.find((d) => d.period === period && d.source === source)?.issuedToNotified.p95Ms ?? null;
  chart('chart-delivery', deliveryPeriods.map(seconds), [
    ...sources.map((source) => ({ label: source, values: deliveryPeriods.map((p) => { const v = p95(p, source); return v === null ? null : v / 60_000; }) })),
    { label: '1 hour', values: deliveryPeriods.map(() => 60), stroke: '#6b7280', dash: [6, 4] },
  ], width);
  chart('chart-outreach', s.outreach.map((o) => seconds(o.period)), [
    { label: 'outreach', values: s.outreach.map((o) => (o.rate === null ? null : o.rate * 100)) },
    { label: 'target 30%', values: s.outreach.map(() => r.targets.outreachRate * 100), stroke: '#6b7280', dash: [6, 4] },
  ], width);
  const base = r.onTime.baseline.rate;
  chart('chart-ontime', s.onTime.map((o) => seconds(o.period)), [
    { label: 'with outreach', values: s.onTime.map((o) => (o.withOutreach.rate === null ? null : o.withOutreach.rate * 100)) },
    { label: 'without outreach', values: s.onTime.map((o) => (o.withoutOutreach.rate === null ? null : o.withoutOutreach.rate * 100)) },
    { label: 'baseline', values: s.onTime.map(() => (base === null ? null : base * 100)), stroke: '#6b7280', dash: [6, 4] },
  ], width);
}

async function load() {
  const params = new URLSearchParams();
  if ($('from').value) params.set('from', $('from').value);
  if ($('to').value) params.set('to', $('to').value);
  const me = await api('/api/me');
  const report = await api(`/api/outcomes?${params}`);
  state.report = report;
  $('scope').textContent = `${me.csmId} (${me.role}${report.team ? `, team ${report.team}` : ''}) · ${report.from.slice(0, 10)} to ${report.to.slice(0, 10)}`;
  renderCards(report);
  renderTables(report);
  $('report').hidden = false;
  renderCharts(report, $('granularity').value);
  $('message').textContent = '';
  document.body.dataset.ready = 'true';
}

async function start() {
  const hash = new URLSearchParams(location.hash.slice(1));
  for (const key of ['from', 'to']) if (hash.get(key)) $(key).value = hash.get(key);
  state.token = readToken();
  $('login').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem('invoice-signal-token', $('token').value);
    location.reload();
  });
  $('range').addEventListener('submit', (e) => {
    e.preventDefault();
    load().catch((error) => { $('message').textContent = error.message; });
  });
  $('granularity').addEventListener('change', () => state.report && renderCharts(state.report, $('granularity').value));
  if (!state.token) {
    $('login').hidden = false;
    return;
  }
  try {
    await load();
  } catch (error) {
    $('message').textContent = error.message;
  }
}

start();
