import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@invoice-signal/testkit';
import { api, assessment, dropNamespace, type Notifier, token, startNotifier, Upstream } from './support/harness.ts';
import { assessed, day, northwindOverdue, northwindUpcoming, paymentStatus } from './support/inbox-history.ts';

// What the page.evaluate callbacks use of the browser (the project's TypeScript lib has no DOM).
interface BrowserElement { id: string; value: string; matches(s: string): boolean; closest(s: string): BrowserElement | null; getAttribute(name: string): string | null; dispatchEvent(e: Event): boolean }
declare const document: { activeElement: BrowserElement | null; getElementById(id: string): BrowserElement; body: { offsetHeight: number }; documentElement: { scrollHeight: number } };
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare function getComputedStyle(e: BrowserElement): { outlineStyle: string };

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The picture the README shows (INBOX_SCREENSHOT elsewhere). */
const screenshot = process.env.INBOX_SCREENSHOT ?? fileURLToPath(new URL('../../../docs/inbox.png', import.meta.url));
const csm = 'csm_morning';

/**
 * The inbox a CSM opens every morning, in Debian's Chromium (headless) against the real notifier:
 * one card per invoice, its current status and timeline, at most three next actions, the
 * value-summary draft with Copy, labelled flags, one-click acknowledgment, filters and search,
 * keyboard use and announcements of new items only.
 */
describe('the inbox page in a real browser (Debian Chromium, headless)', () => {
  let n: Notifier;
  let up: Upstream;
  let browser: BrowserContext;
  let profile: string;
  const now = Date.now();
  const overdueDue = now - 3 * day;
  const upcomingDue = now + 6 * day;
  const notifications = async (invoiceId: string) => n.db('notifications').where({ invoice_id: invoiceId }).orderBy('kind');

  /** Statuses of one invoice, in order; waits until every notification of the invoice follows the last. */
  async function statuses(invoiceId: string, accountId: string, amount: number, dueAt: number, ...steps: Array<Parameters<typeof paymentStatus>[5]>) {
    await up.status(...steps.map((over, i) => paymentStatus(invoiceId, accountId, i + 1, amount, dueAt, over)));
    const last = steps.at(-1)!.status;
    await eventually(`${invoiceId} ${last}`, async () => {
      const rows = await notifications(invoiceId);
      return rows.length > 0 && rows.every((r) => r.status === last) ? rows : undefined;
    });
  }

  beforeAll(async () => {
    n = await startNotifier();
    up = await new Upstream(n.namespace).open();
    profile = await mkdtemp(join(tmpdir(), 'notifier-chromium-'));
    // A fresh profile directory per run (Playwright passes it as --user-data-dir); the clipboard as a user grants it.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1200, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });

    // The morning's history: an overdue invoice (issued → failed → overdue), the same account's next
    // invoice, two other accounts, an invoice in rupiah, and two settled (one paid after going overdue).
    await up.assessed(
      northwindOverdue(csm, now, overdueDue),
      northwindUpcoming(csm, now, upcomingDue),
      assessed({ invoiceId: 'chargebee:glx_9', accountId: 'acc_globex', accountName: 'Globex', csmId: csm, amountMinor: 98_000, riskLevel: 'low', dueAt: now + 20 * day, number: 'GLX-9', issuedAt: now - day }),
      assessed({ invoiceId: 'stripe:in_idr', accountId: 'acc_rupiah', accountName: 'Rupiah Corp', csmId: csm, currency: 'IDR', amountMinor: 1_000_000_000, riskLevel: 'none', dueAt: now + 25 * day, number: 'RP-1', issuedAt: now - day }),
      assessed({ invoiceId: 'stripe:in_init_7', accountId: 'acc_initech', accountName: 'Initech', csmId: csm, amountMinor: 450_000, riskLevel: 'medium', dueAt: now - 10 * day, number: 'INI-7', issuedAt: now - 30 * day }),
    );
    await eventually('five invoices notified', async () => (await n.db('notifications').where({ csm_id: csm })).length === 5);
    await statuses('stripe:in_nw_42', 'acc_northwind', 1_250_000, overdueDue,
      { status: 'pending', changedAt: now - 40 * day }, { status: 'failed', failureReason: 'card_declined', attemptCount: 1, changedAt: overdueDue - 2 * day },
      { status: 'overdue', failureReason: 'card_declined', overdueSince: overdueDue, changedAt: overdueDue + 60_000 });
    await statuses('stripe:in_init_7', 'acc_initech', 450_000, now - 10 * day,
      { status: 'pending', changedAt: now - 30 * day }, { status: 'overdue', overdueSince: now - 10 * day, changedAt: now - 10 * day + 60_000 },
      { status: 'paid', amountRemainingMinor: 0, amountPaidMinor: 450_000, paidAt: now - day, changedAt: now - day });
    expect((await notifications('stripe:in_nw_42')).map((r) => r.kind)).toEqual(['invoice_issued', 'overdue', 'payment_failed']);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await up?.close();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  /**
   * Opens the CSM's inbox once it is live and loaded, runs `use`, and closes the page whatever
   * happens (each page holds a stream, and Chromium allows six connections per host). No script error allowed.
   */
  async function withInbox(csmId: string, use: (page: Page) => Promise<void>) {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${n.url}/inbox#token=${await token(csmId)}`);
      await page.locator('#live-status[data-state="live"]').waitFor({ timeout: 15000 });
      await page.locator('body[data-loaded="true"]').waitFor({ timeout: 15000 });
      await use(page);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }
  /** Text as read, whitespace collapsed (a visually hidden prefix sits on its own line in innerText). */
  const read = async (l: Locator) => (await l.innerText()).replace(/\s+/g, ' ').trim();
  const card = (page: Page, invoiceId: string) => page.locator(`article.card[data-invoice-id="${invoiceId}"]`);

  it('shows one card per invoice with its current status and short timeline; settled invoices fold away', async () => {
    await withInbox(csm, async (page) => {
      expect(page.url()).not.toContain('token='); // the token leaves the address bar
      // Three notifications of the overdue invoice, one card.
      await expect.poll(() => page.locator('article.card').count()).toBe(5);
      const nw = card(page, 'stripe:in_nw_42');
      expect(await nw.count()).toBe(1);
      expect(await nw.locator('h3').innerText()).toBe('Northwind Traders €12,500.00');
      expect(await read(nw.locator('.status'))).toBe('Status: Overdue');
      expect(await nw.locator('.meta').innerText()).toContain('€12,500.00 still owed · last failure: card_declined');
      expect(await nw.locator('ol.path > li').allInnerTexts()).toEqual([
        expect.stringMatching(/^Issued \d{4}-\d\d-\d\d$/), expect.stringMatching(/^Payment failed \d{4}-/), expect.stringMatching(/^Overdue \d{4}-/),
      ]);
      expect(await nw.locator('ol.path > li[aria-current="step"]').innerText()).toMatch(/^Overdue/);
      expect(await nw.getAttribute('data-section')).toBe('open');

      // Paid after going overdue: one card, status Paid (not the overdue alert's stale word), folded away.
      const paid = card(page, 'stripe:in_init_7');
      expect(await paid.getAttribute('data-section')).toBe('settled');
      expect(await paid.isVisible()).toBe(false);
      expect(await page.locator('#settled-section > summary').innerText()).toContain('(1)');
      await page.locator('#settled-section > summary').click();
      await paid.waitFor({ state: 'visible' });
      await paid.scrollIntoViewIfNeeded(); // cards off screen are not rendered (content-visibility)
      expect(await read(paid.locator('.status'))).toBe('Status: Paid');
      expect((await paid.locator('ol.path > li').allInnerTexts()).map((s) => s.split(' ')[0])).toEqual(['Issued', 'Overdue', 'Paid']);

      // Decimals from ISO 4217, not the browser's CLDR digits (which would show IDR 1,000,000,000).
      await card(page, 'stripe:in_idr').scrollIntoViewIfNeeded();
      expect(await card(page, 'stripe:in_idr').locator('h3').innerText()).toBe('Rupiah Corp IDR 10,000,000.00');
    });
  });

  it('lists at most three next actions with their dates, a past date as "now", the rest behind "more"; the value-summary draft has its own block and a Copy button', async () => {
    await withInbox(csm, async (page) => {
      const nw = card(page, 'stripe:in_nw_42');
      // Everything was due before the invoice went overdue: all "now", in the risk-scorer's order.
      const shown = nw.locator('section.next > ol.actions > li');
      expect(await shown.count()).toBe(3);
      expect(await shown.locator('.when').allInnerTexts()).toEqual(['now', 'now', 'now']);
      expect(await shown.nth(0).locator('.what').innerText()).toMatch(/^Reach out to Northwind Traders before/);
      const more = nw.locator('details.more');
      expect(await more.locator('summary').innerText()).toBe('5 more');
      expect(await more.locator('li').first().isVisible()).toBe(false);
      await more.locator('summary').click();
      expect(await more.locator('li .what').allInnerTexts()).toEqual([
        expect.stringMatching(/^Find out what is behind/), expect.stringMatching(/^Follow this invoice until it is paid/),
        expect.stringMatching(/^Schedule a check-in call/), expect.stringMatching(/^Share these success metrics/), expect.stringMatching(/^Address Northwind Traders's open concerns/),
      ]);

      // Not yet due: what is due now first, then by date, the rest behind "more".
      const upcoming = card(page, 'stripe:in_nw_57');
      const checkIn = new Date(upcomingDue - 3 * day).toISOString().slice(0, 10);
      const due = new Date(upcomingDue).toISOString().slice(0, 10);
      expect(await upcoming.locator('section.next > ol.actions > li .when').allInnerTexts()).toEqual(['now', 'now', checkIn]);
      expect(await upcoming.locator('details.more li .when').allTextContents()).toEqual([due]);

      // The draft alone in its block, not among the actions; Copy puts it on the clipboard and says so.
      const draft = nw.locator('section.draft');
      const text = await draft.locator('.draft-text').innerText();
      expect(text).toMatch(/^Hello Northwind Traders team, ahead of invoice INV-2026-0042/);
      expect(await nw.locator('section.next').innerText()).not.toContain('Hello Northwind');
      expect(await draft.locator('.copied').innerText()).toBe('');
      await draft.getByRole('button', { name: 'Copy' }).click();
      await expect.poll(() => draft.locator('.copied').innerText()).toBe('Copied');
      expect(await draft.locator('.copied').isVisible()).toBe(true);
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text);
      expect(await card(page, 'chargebee:glx_9').locator('section.draft').count()).toBe(0);
    });
  });

  it('shows flags by their labels with the reason on expand, while the API keeps the codes', async () => {
    await withInbox(csm, async (page) => {
      const nw = card(page, 'stripe:in_nw_42');
      const flags = nw.locator('section.flags li');
      expect(await flags.locator('summary').allInnerTexts()).toEqual([
        'HIGH Open contract dispute', 'MEDIUM History of late payments', 'MEDIUM Customer health declining', 'INFO High-value invoice',
      ]);
      expect(await nw.innerText()).not.toMatch(/CONTRACT_DISPUTE|LATE_PAYMENT_HISTORY|HIGH_VALUE/);
      const dispute = nw.locator('li[data-code="CONTRACT_DISPUTE"]');
      expect(await dispute.locator('.reason').isVisible()).toBe(false);
      await dispute.locator('summary').click();
      expect(await dispute.locator('.reason').innerText()).toMatch(/^Northwind Traders has 1 dispute on record/);

      const detail = await api(n, '/api/invoices/stripe:in_nw_42', { as: csm });
      const issued = detail.body.notifications.find((x: { kind: string }) => x.kind === 'invoice_issued');
      expect(issued.riskFlags).toEqual(['CONTRACT_DISPUTE', 'LATE_PAYMENT_HISTORY', 'HEALTH_DECLINING', 'HIGH_VALUE']);
      expect(issued.flags[0]).toMatchObject({ code: 'CONTRACT_DISPUTE', label: 'Open contract dispute', severity: 'high' });
    });
  });

  it('filters by risk, status and account, and searches by customer or invoice number', async () => {
    await withInbox(csm, async (page) => {
      const visible = async () => (await page.locator('#open article.card:visible').evaluateAll((els) => els.map((e) => e.getAttribute('data-invoice-id')))).sort();
      const all = await visible();
      expect(all).toEqual(expect.arrayContaining(['stripe:in_nw_42', 'stripe:in_nw_57']));
      await page.selectOption('#f-risk', 'high');
      expect(await visible()).toEqual(['stripe:in_nw_42']);
      expect(await page.locator('#shown-count').innerText()).toMatch(/^Showing 1 of \d+ invoices$/);
      await page.selectOption('#f-risk', '');
      await page.selectOption('#f-status', 'pending');
      expect(await visible()).not.toContain('stripe:in_nw_42');
      await page.selectOption('#f-status', 'overdue');
      expect(await visible()).toEqual(['stripe:in_nw_42']);
      await page.selectOption('#f-status', '');
      expect(await page.locator('#f-account option').allInnerTexts()).toEqual(['All', 'Globex', 'Initech', 'Northwind Traders', 'Rupiah Corp']);
      await page.selectOption('#f-account', 'acc_northwind');
      expect(await visible()).toEqual(['stripe:in_nw_42', 'stripe:in_nw_57']);
      await page.selectOption('#f-account', '');
      await page.fill('#search', 'inv-2026-0057');
      expect(await visible()).toEqual(['stripe:in_nw_57']);
      await page.fill('#search', 'northwind');
      expect(await visible()).toEqual(['stripe:in_nw_42', 'stripe:in_nw_57']);
      await page.fill('#search', 'nobody');
      expect(await visible()).toEqual([]);
      expect(await page.locator('#empty').innerText()).toBe('Nothing pending matches the filters.');
      await page.fill('#search', '');
      expect(await visible()).toEqual(all);
    });
  });

  it('writes a screenshot of the morning inbox to docs/inbox.png', async () => {
    await withInbox(csm, async (page) => {
      const nw = card(page, 'stripe:in_nw_42');
      await nw.locator('li[data-code="CONTRACT_DISPUTE"] summary').click();
      // A window as tall as the page: cards off screen are not painted (content-visibility), and a full-page capture does not scroll.
      for (let i = 0, height = 0; i < 5; i += 1) {
        const next = await page.evaluate(() => document.documentElement.scrollHeight);
        if (next === height) break;
        height = next;
        await page.setViewportSize({ width: 1200, height });
      }
      await page.screenshot({ path: screenshot, fullPage: true });
      const png = await readFile(screenshot);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    });
  });

  it('records what the CSM did with one click through the API, shows it on the card and files the card as acknowledged', async () => {
    await withInbox(csm, async (page) => {
      const globex = card(page, 'chargebee:glx_9');
      expect(await page.locator('#done-section').isHidden()).toBe(true);
      await globex.getByRole('button', { name: 'Contacted customer' }).click();
      await expect.poll(() => page.locator('#message').innerText()).toBe('Recorded for Globex, invoice GLX-9: Contacted customer');
      const row = await eventually('acknowledged in the database', async () => {
        const r = await n.db('notifications').where({ invoice_id: 'chargebee:glx_9' }).first();
        return r?.acknowledged_at ? r : undefined;
      });
      expect(row).toMatchObject({ acknowledged_by: csm, action_taken: 'contacted_customer' });
      const fromApi = (await api(n, '/api/invoices/chargebee:glx_9', { as: csm })).body.notifications[0];
      expect(fromApi.acknowledgment?.actionTaken ?? fromApi.actionTaken).toBe('contacted_customer');
      // Out of the way, in the Acknowledged section, saying what was recorded.
      const done = page.locator('#done article.card[data-invoice-id="chargebee:glx_9"]');
      await done.waitFor({ state: 'attached' });
      expect(await page.locator('#open article.card[data-invoice-id="chargebee:glx_9"]').count()).toBe(0);
      expect(await page.locator('#done-section > summary').innerText()).toContain('(1)');
      await page.locator('#done-section > summary').click();
      await done.scrollIntoViewIfNeeded(); // cards off screen are not rendered (content-visibility)
      expect(await done.locator('.recorded').innerText()).toMatch(/^Recorded: Contacted customer · \d{4}-/);

      // Changed later from the card: the new action shows, and the first one stays in the history.
      await done.getByText('Change what you recorded').click();
      await done.getByRole('button', { name: 'Confirmed payment date' }).click();
      const changed = page.locator('#done article.card[data-invoice-id="chargebee:glx_9"] .recorded');
      await expect.poll(() => changed.innerText()).toMatch(/^Recorded: Confirmed payment date · /);
      const history = (await api(n, '/api/invoices/chargebee:glx_9', { as: csm })).body.notifications[0].acknowledgmentHistory;
      expect(history.map((a: { actionTaken: string }) => a.actionTaken)).toEqual(['contacted_customer', 'confirmed_payment_date']);

      // "Other…" asks for a note and sends it with the action; the note is recorded with it.
      const rupiah = card(page, 'stripe:in_idr');
      await rupiah.getByRole('button', { name: 'Other…' }).click();
      const note = rupiah.getByLabel('What did you do?');
      expect(await note.evaluate((e) => e === document.activeElement)).toBe(true);
      expect(await rupiah.getByRole('button', { name: 'Other…' }).getAttribute('aria-expanded')).toBe('true');
      await note.fill('Left a voicemail for their AP team');
      const sent = page.waitForRequest((r) => r.method() === 'PUT' && r.url().endsWith('/api/invoices/stripe%3Ain_idr/acknowledge'));
      await rupiah.getByRole('button', { name: 'Record' }).click();
      expect((await sent).postDataJSON()).toEqual({ actionTaken: 'other', note: 'Left a voicemail for their AP team' });
      const other = await eventually('other recorded', async () => {
        const r = await n.db('notifications').where({ invoice_id: 'stripe:in_idr' }).first();
        return r?.acknowledged_at ? r : undefined;
      });
      expect(other).toMatchObject({ acknowledged_by: csm, action_taken: 'other', action_note: 'Left a voicemail for their AP team' });
      const filed = page.locator('#done article.card[data-invoice-id="stripe:in_idr"]');
      await filed.waitFor({ state: 'attached' });
      await filed.scrollIntoViewIfNeeded();
      expect(await filed.locator('.recorded').innerText()).toMatch(/^Recorded: Other \(Left a voicemail for their AP team\) · \d{4}-/);
    });
  });

  it('can be used from the keyboard alone, with a visible focus', async () => {
    await withInbox(csm, async (page) => {
      /** Presses Tab until the focused element matches, as a keyboard user would. */
      const tabTo = async (selector: string) => {
        for (let i = 0; i < 300; i += 1) {
          await page.keyboard.press('Tab');
          if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
        }
        throw new Error(`Tab never reached ${selector}`);
      };
      await tabTo('#search');
      await page.keyboard.type('northwind');
      await expect.poll(() => page.locator('#open article.card:visible').count()).toBe(2);
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
      expect(outline).toBe('solid');

      // The "more" expander and a flag's reason open with Enter and Space.
      const nw = card(page, 'stripe:in_nw_42');
      await tabTo('article[data-invoice-id="stripe:in_nw_42"] details.more > summary');
      await page.keyboard.press('Enter');
      expect(await nw.locator('details.more').getAttribute('open')).toBe('');
      await tabTo('article[data-invoice-id="stripe:in_nw_42"] li[data-code="HEALTH_DECLINING"] summary');
      await page.keyboard.press(' ');
      expect(await nw.locator('li[data-code="HEALTH_DECLINING"] .reason').isVisible()).toBe(true);

      // An acknowledgment button, pressed with Enter; focus goes on to the next card, not lost.
      await tabTo('article[data-invoice-id="stripe:in_nw_57"] button[data-action="scheduled_call"]');
      await page.keyboard.press('Enter');
      await eventually('recorded', async () => (await n.db('notifications').where({ invoice_id: 'stripe:in_nw_57' }).first())?.action_taken === 'scheduled_call');
      await page.locator('#done article.card[data-invoice-id="stripe:in_nw_57"]').waitFor({ state: 'attached' });
      // The live stream may file the card before the API answers, and focus moves on that answer: wait for it.
      await expect.poll(() => page.evaluate(() => document.activeElement?.closest('article')?.getAttribute('data-invoice-id') ?? document.activeElement?.id))
        .toBe('stripe:in_nw_42');
      // The Acknowledged section opens from the keyboard too.
      await tabTo('#done-section > summary');
      await page.keyboard.press('Enter');
      const done = page.locator('#done article.card[data-invoice-id="stripe:in_nw_57"]');
      await done.scrollIntoViewIfNeeded();
      expect(await done.locator('.recorded').innerText()).toMatch(/^Recorded: Scheduled a call/);
    });
  });

  it('announces new notifications in an aria-live region, and only those: not the first load, not status updates', async () => {
    const live = 'csm_announced';
    await up.assessed(assessment({ invoiceId: 'stripe:in_known', csmId: live, accountName: 'Known Corp', amountMinor: 100_000, dueAt: now + 9 * day }));
    await eventually('known notified', async () => (await notifications('stripe:in_known')).length === 1);
    await withInbox(live, async (page) => {
      await card(page, 'stripe:in_known').waitFor();
      expect(await page.locator('[aria-live]').evaluateAll((els) => els.map((e) => e.id))).toEqual(['announcer']);
      expect(await page.locator('#announcer').innerText()).toBe('');

      // A status change updates the card and is not announced; a note being typed on it survives.
      const known = card(page, 'stripe:in_known');
      await known.getByRole('button', { name: 'Other…' }).click();
      await page.keyboard.type('Half-typed note');
      await up.status(paymentStatus('stripe:in_known', 'acc_acme', 1, 100_000, now + 9 * day, { status: 'pending', amountRemainingMinor: 40_000, amountPaidMinor: 60_000 }));
      await expect.poll(() => known.locator('.meta').innerText(), { timeout: 15000 }).toContain('€400.00 still owed');
      expect(await known.getByLabel('What did you do?').inputValue()).toBe('Half-typed note');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-key') ?? null)).toBe('note');
      await page.waitForTimeout(500);
      expect(await page.locator('#announcer').innerText()).toBe('');

      await up.assessed(assessment({ invoiceId: 'stripe:in_new', csmId: live, accountName: 'Brand New Ltd', amountMinor: 4_200_000, dueAt: now + 9 * day }));
      await expect.poll(() => page.locator('#announcer').innerText(), { timeout: 15000 }).toBe('New: Invoice issued: Brand New Ltd, €42,000.00');
      await card(page, 'stripe:in_new').waitFor();
    });
  });

  it('keeps filtering fast with 200 invoices', async () => {
    const many = 'csm_many';
    await up.assessed(...Array.from({ length: 200 }, (_, i) => assessment({
      invoiceId: `stripe:in_many_${i}`, csmId: many, accountId: `acc_many_${i % 40}`, accountName: `Account ${String(i % 40).padStart(2, '0')}`,
      amountMinor: 10_000 + i, riskLevel: (['high', 'medium', 'low', 'none'] as const)[i % 4], dueAt: now + (i % 30) * day,
    })));
    await eventually('200 notified', async () => Number((await n.db('notifications').where({ csm_id: many }).count({ c: '*' }))[0].c) === 200, { timeoutMs: 60000 });
    await withInbox(many, async (page) => {
      await expect.poll(() => page.locator('#open article.card').count(), { timeout: 20000 }).toBe(200);
      const timings = await page.evaluate(() => {
        const search = document.getElementById('search');
        const ms: number[] = [];
        for (const q of ['account 07', 'account 3', 'in_many_19', '']) {
          const t = performance.now();
          search.value = q;
          search.dispatchEvent(new Event('input'));
          void document.body.offsetHeight; // layout included
          ms.push(performance.now() - t);
        }
        return ms;
      });
      expect(await page.locator('#shown-count').innerText()).toBe('200 invoices');
      // Generous for a loaded CI machine; it takes a few milliseconds.
      expect(Math.max(...timings), `filtering took ${timings.map((t) => t.toFixed(1)).join(', ')} ms`).toBeLessThan(150);
      await page.fill('#search', 'account 07');
      expect(await page.locator('#open article.card:visible').count()).toBe(5);
    });
  });
});
