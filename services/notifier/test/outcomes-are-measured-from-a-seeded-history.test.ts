import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingSource, PaymentStatus } from '@invoice-signal/events';
import { eventually, sampleCustomerContext, samplePaymentStatus } from '@invoice-signal/testkit';
import { api, assessment, dropNamespace, type Notifier, startNotifier, token, Upstream } from './support/harness.ts';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const screenshot = fileURLToPath(new URL('../../../docs/outcomes.png', import.meta.url));

const at = (day: number, hour = 12, month = 10) => Date.UTC(2026, month, day, hour);
const endOf = (day: number, month = 10) => Date.UTC(2026, month, day, 23, 59, 59, 999);
const min = 60_000;

/*
 * A known history through the real stack (Kafka, registry, Postgres), the notifier's clock pinned
 * at each step. Go-live 2026-11-01; read on 2026-11-30 12:00 UTC for November.
 *
 *   a1 csm_a  stripe      notified Nov 2  contacted_customer Nov 5, paid Nov 9, due Nov 10      → contacted, on time
 *   a2 csm_a  stripe      notified Nov 3  no_action_needed, overdue Nov 13, paid Nov 15, due 12 → missed, late
 *   a3 csm_a  chargebee   notified Nov 4  overdue Nov 21, scheduled_call Nov 22, due Nov 20     → missed, late
 *   b1 csm_b  stripe      notified Nov 6  sent_value_summary Nov 7, paid Nov 14 10:00, due 14  → contacted, on time
 *   b2 csm_b  stripe      notified Nov 25 nothing, due Dec 10                                   → open, not due: needs outreach
 *   b3 csm_b  stripe      notified Nov 8  only the manager contacted, paid Nov 17, due Nov 18  → missed, on time
 *   c1 csm_c  salesforce  notified Nov 10 confirmed_payment_date Nov 11, failed, due Nov 16    → contacted, late
 * Baseline (statuses only, backfilled: never assessed): h1 on time, h2 late, h3 on time (at the
 * last millisecond), h4 written off, h5 voided (not owed), h6 another account's.
 */
describe('outcomes measured from a seeded history, in the API and on the page', () => {
  let n: Notifier;
  let up: Upstream;
  let browser: BrowserContext;
  let profile: string;

  const live = (id: string, account: string, csm: string, source: BillingSource, notifyAt: number, issuedMs: number, receivedMs: number, dueAt: number) => {
    const a = assessment({ invoiceId: id, accountId: account, accountName: `${account} Inc`, csmId: csm, riskLevel: 'medium', dueAt });
    return { ...a, enriched: { ...a.enriched, invoice: { ...a.enriched.invoice, source, issuedAt: notifyAt - issuedMs, receivedAt: notifyAt - receivedMs } } };
  };
  const status = (id: string, account: string, o: Partial<PaymentStatus>) =>
    samplePaymentStatus({ invoiceId: id, accountId: account, failureReason: null, attemptCount: 1, version: 5, ...o });
  const paid = (when: number) => ({ status: 'paid' as const, paidAt: when, lastEventAt: when, changedAt: when + 1000, amountPaidMinor: 1_250_000, amountRemainingMinor: 0 });
  const ack = async (invoiceId: string, as: string, when: number, body: object, role?: 'manager', team?: string) => {
    n.clock.set(when);
    const res = await api(n, `/api/invoices/${invoiceId}/acknowledge`, { as, role, team, method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    n = await startNotifier({ env: { OUTCOMES_GO_LIVE_DATE: '2026-11-01' } });
    up = await new Upstream(n.namespace).open();
    const owner = (account: string, csm: string, team: string) =>
      sampleCustomerContext({ accountId: account, name: `${account} Inc`, csm: { id: csm, email: `${csm}@example.com`, slackUserId: null, timeZone: 'UTC', team }, snapshotAt: at(1, 0, 9) });
    await up.context(owner('acc_x', 'csm_a', 'emea'), owner('acc_y', 'csm_b', 'emea'), owner('acc_z', 'csm_c', 'amer'));
    await eventually('owners stored', async () => Number((await n.db('account_owners').count({ c: '*' }))[0].c) === 3 || undefined);

    const seed: Array<[string, string, string, BillingSource, number, number, number, number]> = [
      ['a1', 'acc_x', 'csm_a', 'stripe', at(2), 1 * min, 30_000, endOf(10)],
      ['a2', 'acc_x', 'csm_a', 'stripe', at(3), 120 * min, 30 * min, endOf(12)],
      ['a3', 'acc_x', 'csm_a', 'chargebee', at(4), 10 * min, 5 * min, endOf(20)],
      ['b1', 'acc_y', 'csm_b', 'stripe', at(6), 20 * min, 1 * min, endOf(14)],
      ['b3', 'acc_y', 'csm_b', 'stripe', at(8), 10 * min, 20_000, endOf(18)],
      ['c1', 'acc_z', 'csm_c', 'salesforce', at(10), 2 * min, 5_000, endOf(16)],
      ['b2', 'acc_y', 'csm_b', 'stripe', at(25), 5 * min, 10_000, endOf(10, 11)],
    ];
    for (const [id, account, csm, source, notifyAt, issuedMs, receivedMs, dueAt] of seed) {
      n.clock.set(notifyAt);
      await up.assessed(live(`stripe:${id}`, account, csm, source, notifyAt, issuedMs, receivedMs, dueAt));
      await eventually(`${id} notified`, async () => (await n.db('notifications').where({ invoice_id: `stripe:${id}` }).first()) ?? undefined);
    }

    await ack('stripe:a1', 'csm_a', at(5), { actionTaken: 'contacted_customer', note: 'spoke to the CFO' });
    await ack('stripe:a2', 'csm_a', at(4), { actionTaken: 'no_action_needed' });
    await ack('stripe:b1', 'csm_b', at(7), { actionTaken: 'sent_value_summary' });
    await ack('stripe:b3', 'mgr_emea', at(9), { actionTaken: 'contacted_customer' }, 'manager', 'emea');
    await ack('stripe:c1', 'csm_c', at(11), { actionTaken: 'called their AP team' }); // old free text: other
    await ack('stripe:c1', 'csm_c', at(11, 15), { actionTaken: 'confirmed_payment_date' });
    await ack('stripe:a3', 'csm_a', at(22), { actionTaken: 'scheduled_call' });

    await up.status(
      status('stripe:a1', 'acc_x', { dueAt: endOf(10), issuedAt: at(2) - min, ...paid(at(9)) }),
      status('stripe:a2', 'acc_x', { dueAt: endOf(12), issuedAt: at(3) - 120 * min, ...paid(at(15)), overdueSince: at(13) }),
      status('stripe:a3', 'acc_x', { source: 'chargebee', dueAt: endOf(20), status: 'overdue', overdueSince: at(21), lastEventAt: at(21), changedAt: at(21) }),
      status('stripe:b1', 'acc_y', { dueAt: endOf(14), ...paid(at(14, 10)) }),
      status('stripe:b3', 'acc_y', { dueAt: endOf(18), ...paid(at(17)) }),
      status('stripe:c1', 'acc_z', { source: 'salesforce', dueAt: endOf(16), status: 'failed', failureReason: 'card_declined', lastEventAt: at(15), changedAt: at(15) }),
      // Backfilled history: statuses of invoices issued before go-live that nobody was notified of.
      status('stripe:h1', 'acc_x', { issuedAt: at(1, 12, 5), dueAt: endOf(10, 5), ...paid(at(9, 12, 5)) }),
      status('stripe:h2', 'acc_x', { issuedAt: at(1, 12, 6), dueAt: endOf(10, 6), ...paid(at(20, 12, 6)) }),
      status('stripe:h3', 'acc_y', { issuedAt: at(1, 12, 7), dueAt: endOf(10, 7), ...paid(endOf(10, 7)) }),
      status('stripe:h4', 'acc_y', { issuedAt: at(1, 12, 8), dueAt: endOf(10, 8), status: 'uncollectible', lastEventAt: at(30, 12, 8), changedAt: at(30, 12, 8) }),
      status('stripe:h5', 'acc_y', { issuedAt: at(1, 12, 8), dueAt: endOf(10, 8), status: 'voided', lastEventAt: at(2, 12, 8), changedAt: at(2, 12, 8) }),
      status('stripe:h6', 'acc_other', { issuedAt: at(1, 12, 8), dueAt: endOf(10, 8), ...paid(at(30, 12, 8)) }),
    );
    await eventually('statuses stored', async () => Number((await n.db('invoice_status').count({ c: '*' }))[0].c) === 12 || undefined);
    n.clock.set(at(30));
  });
  afterAll(async () => {
    await browser?.close();
    await up?.close();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  const november = '/api/outcomes?from=2026-11-01&to=2026-12-01';

  it('keeps the statuses and payment dates of invoices it never notified (the baseline)', async () => {
    const h3 = await n.db('invoice_status').where({ invoice_id: 'stripe:h3' }).first();
    expect([Number(h3.paid_at), Number(h3.issued_at), h3.source]).toEqual([endOf(10, 7), at(1, 12, 7), 'stripe']);
    expect(await n.db('notifications').where({ invoice_id: 'stripe:h3' })).toEqual([]);
  });

  it('returns the expected rates and sample sizes to a manager', async () => {
    const res = await api(n, november, { as: 'mgr_all', role: 'manager' });
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.goLiveAt).toBe('2026-11-01T00:00:00.000Z');
    expect(r.targets).toEqual({ deliveryMaxMs: 3_600_000, outreachRate: 0.3, onTimeLiftPoints: 5 });
    const stripe = r.delivery.bySource.find((s: { source: string }) => s.source === 'stripe');
    expect(stripe.issuedToNotified).toEqual({ n: 5, p50Ms: 10 * min, p95Ms: 120 * min, maxMs: 120 * min, overOneHour: 1 });
    expect(stripe.receivedToNotified).toEqual({ n: 5, p50Ms: 30_000, p95Ms: 30 * min, maxMs: 30 * min, overOneHour: 0 });
    expect(r.outreach.overall).toEqual({ rate: 0.5, contacted: 3, eligible: 6, open: 1 });
    expect(r.outreach.perTeam).toEqual([{ team: 'amer', rate: 1, contacted: 1, eligible: 1, open: 0 }, { team: 'emea', rate: 0.4, contacted: 2, eligible: 5, open: 1 }]);
    expect(r.perCsm.map((c: { csmId: string; notified: number; outreach: object }) => [c.csmId, c.notified, c.outreach])).toEqual([
      ['csm_a', 3, { rate: 1 / 3, contacted: 1, eligible: 3, open: 0 }],
      ['csm_b', 3, { rate: 0.5, contacted: 1, eligible: 2, open: 1 }],
      ['csm_c', 1, { rate: 1, contacted: 1, eligible: 1, open: 0 }],
    ]);
    expect(r.onTime.withOutreach).toEqual({ rate: 2 / 3, onTime: 2, due: 3 });
    expect(r.onTime.withoutOutreach).toEqual({ rate: 1 / 3, onTime: 1, due: 3 });
    expect(r.onTime.notified).toEqual({ rate: 0.5, onTime: 3, due: 6 });
    expect(r.onTime.baseline).toEqual({ rate: 0.5, onTime: 2, due: 4 });
    expect(r.onTime.liftPoints).toEqual({ notifiedVsBaseline: 0, withOutreachVsBaseline: 16.7, withOutreachVsWithout: 33.3 });
    expect(r.weekly.outreach.map((w: { period: string; contacted: number; eligible: number }) => [w.period, w.contacted, w.eligible]))
      .toEqual([['2026-11-02', 2, 5], ['2026-11-09', 1, 1], ['2026-11-23', 0, 0]]);
    expect(r.daily.onTime.map((d: { period: string }) => d.period)).toEqual(['2026-11-10', '2026-11-12', '2026-11-14', '2026-11-16', '2026-11-18', '2026-11-20']);
    expect(r.needsOutreach.map((i: { invoiceId: string }) => i.invoiceId)).toEqual(['stripe:b2']);
    expect(r.needsOutreach[0]).toMatchObject({
      csmId: 'csm_b', status: 'pending', dueDay: '2026-12-10', amount: 1_250_000, currency: 'EUR', amountDisplay: '€12,500.00',
    });
  });

  it('scopes by role: a CSM sees their own, a team manager their team, and nobody more', async () => {
    const mine = (await api(n, november, { as: 'csm_a' })).body;
    expect([mine.csmId, mine.outreach.overall, mine.perCsm.map((c: { csmId: string }) => c.csmId)]).toEqual(['csm_a', { rate: 1 / 3, contacted: 1, eligible: 3, open: 0 }, ['csm_a']]);
    expect(mine.onTime.baseline).toEqual({ rate: 0.5, onTime: 1, due: 2 }); // acc_x's history only
    const emea = (await api(n, november, { as: 'mgr_emea', role: 'manager', team: 'emea' })).body;
    expect([emea.team, emea.outreach.overall.eligible, emea.perCsm.map((c: { csmId: string }) => c.csmId)]).toEqual(['emea', 5, ['csm_a', 'csm_b']]);
    expect((await api(n, `${november}&team=amer`, { as: 'mgr_emea', role: 'manager', team: 'emea' })).status).toBe(403);
    expect((await api(n, `${november}&csmId=csm_c`, { as: 'mgr_emea', role: 'manager', team: 'emea' })).status).toBe(403);
    expect((await api(n, `${november}&csmId=csm_b`, { as: 'csm_a' })).status).toBe(403);
    const one = (await api(n, `${november}&csmId=csm_c`, { as: 'admin_1', role: 'admin' })).body;
    expect(one.outreach.overall).toEqual({ rate: 1, contacted: 1, eligible: 1, open: 0 });
    const bad = await api(n, '/api/outcomes?from=2026-12-01&to=2026-11-01', { as: 'admin_1', role: 'admin' });
    expect([bad.status, bad.body.detail]).toEqual([400, 'querystring/from must be before querystring/to']);
    expect((await api(n, '/api/outcomes?from=yesterday', { as: 'admin_1', role: 'admin' })).body.detail).toContain('querystring/from must match pattern');
  });

  it('shows the same numbers on the /outcomes page in Chromium, with uPlot charts served by the service', async () => {
    const r = (await api(n, november, { as: 'mgr_all', role: 'manager' })).body;
    profile = await mkdtemp(join(tmpdir(), 'notifier-outcomes-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath, headless: true, viewport: { width: 1400, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    const remote: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (req) => { if (!req.url().startsWith(n.url)) remote.push(req.url()); });
    await page.goto(`${n.url}/outcomes#token=${await token('mgr_all', 'manager')}&from=2026-11-01&to=2026-12-01`);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15000 });
    expect(page.url()).not.toContain('token=');

    const pct = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
    const text = (selector: string) => page.locator(selector).first().innerText();
    expect(await text('[data-metric="outreach.rate"]')).toBe(pct(r.outreach.overall.rate));
    expect(await text('[data-metric="outreach.rate"]')).toBe('50.0%');
    expect([await text('[data-metric="outreach.contacted"]'), await text('[data-metric="outreach.eligible"]'), await text('[data-metric="outreach.open"]')]).toEqual(['3', '6', '1']);
    for (const group of ['withOutreach', 'withoutOutreach', 'notified', 'baseline']) {
      expect(await text(`[data-metric="onTime.${group}.rate"]`)).toBe(pct(r.onTime[group].rate));
      expect(await text(`[data-metric="onTime.${group}.n"]`)).toBe(`${r.onTime[group].onTime} of ${r.onTime[group].due}`);
    }
    expect(await text('[data-metric="onTime.lift.withOutreach"]')).toBe(`+${r.onTime.liftPoints.withOutreachVsBaseline.toFixed(1)} pts`);
    expect(await text('[data-metric="onTime.lift.withVsWithout"]')).toBe('+33.3 pts');
    for (const c of r.perCsm) {
      const cells = await page.locator(`#csm-table tr[data-csm="${c.csmId}"] > *`).allInnerTexts();
      expect(cells).toEqual([c.csmId, c.team ?? '', String(c.notified), pct(c.outreach.rate), String(c.outreach.eligible),
        pct(c.onTime.withOutreach.rate), String(c.onTime.withOutreach.due), pct(c.onTime.withoutOutreach.rate), String(c.onTime.withoutOutreach.due)]);
    }
    expect(await page.locator('#team-table tr[data-team="emea"] > *').allInnerTexts()).toEqual(['emea', '40.0%', '5']);
    expect(await page.locator('#delivery-table tr[data-source="stripe"] > *').nth(3).innerText()).toBe('1');
    expect(await page.locator('#needs-table tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-invoice-id')))).toEqual(r.needsOutreach.map((i: { invoiceId: string }) => i.invoiceId));
    for (const chart of ['delivery', 'outreach', 'ontime']) expect(await page.locator(`#chart-${chart} .uplot canvas`).count()).toBe(1);
    expect(remote).toEqual([]); // uPlot and everything else from the service itself: no CDN

    await page.screenshot({ path: screenshot, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
