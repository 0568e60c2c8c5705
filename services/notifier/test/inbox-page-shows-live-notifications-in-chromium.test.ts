import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@invoice-signal/testkit';
import { assessment, dropNamespace, type Notifier, token, startNotifier, Upstream } from './support/harness.ts';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('the inbox page in a real browser (Debian Chromium, headless)', () => {
  let n: Notifier;
  let up: Upstream;
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    n = await startNotifier();
    up = await new Upstream(n.namespace).open();
    profile = await mkdtemp(join(tmpdir(), 'notifier-chromium-'));
    // A fresh profile directory per run (Playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await up?.close();
    await n?.stop();
    if (n) await dropNamespace(n.namespace);
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('shows a new notification live with its context, and acknowledges it with a click', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${n.url}/inbox#token=${await token('csm_browser')}`);
    await page.locator('#live-status[data-state="live"]').waitFor({ timeout: 15000 });
    // The first load may finish after the stream is live: wait for the empty state, never sample it.
    await page.locator('#empty').waitFor({ state: 'visible', timeout: 15000 });
    expect(page.url()).not.toContain('token='); // the token leaves the address bar

    await up.assessed(assessment({ invoiceId: 'stripe:in_browser', csmId: 'csm_browser', accountName: 'Browser Corp', amountMinor: 4_200_000 }));
    const item = page.locator('li.item[data-invoice-id="stripe:in_browser"]');
    await item.waitFor({ timeout: 15000 });
    const text = await item.innerText();
    expect(text).toContain('Invoice issued: Browser Corp — €42,000.00');
    expect(text).toContain('Due 2026-12-01');
    expect(text).toContain('Health 62 (declining)');
    expect(text).toContain('payment history fair (8/11 on time, 3 late, 1 failed)');
    expect(text).toContain('HEALTH_DECLINING');
    expect(text).toContain('Next: Call Acme Corp before the due date.');
    // Decimals from ISO 4217, not the browser's CLDR digits (which would show IDR 1,000,000,000 and HUF 123,456).
    await up.assessed(
      assessment({ invoiceId: 'stripe:in_idr', csmId: 'csm_browser', accountName: 'Rupiah Corp', currency: 'IDR', amountMinor: 1_000_000_000 }),
      assessment({ invoiceId: 'stripe:in_huf', csmId: 'csm_browser', accountName: 'Forint Kft', currency: 'HUF', amountMinor: 12_345_600 }),
    );
    await page.locator('li.item[data-invoice-id="stripe:in_huf"]').waitFor({ timeout: 15000 });
    expect(await page.locator('li.item[data-invoice-id="stripe:in_idr"] .title').innerText()).toBe('Invoice issued: Rupiah Corp — IDR 10,000,000.00');
    expect(await page.locator('li.item[data-invoice-id="stripe:in_huf"] .title').innerText()).toBe('Invoice issued: Forint Kft — HUF 123,456.00');

    // INBOX_SCREENSHOT=/path.png keeps a picture of the page for a person to look at.
    if (process.env.INBOX_SCREENSHOT) await page.screenshot({ path: process.env.INBOX_SCREENSHOT, fullPage: true });
    await item.getByRole('button', { name: 'Acknowledge' }).click();
    await item.waitFor({ state: 'detached', timeout: 10000 });
    await expect.poll(() => page.locator('#message').innerText()).toBe('Acknowledged stripe:in_browser');
    const row = await eventually('acknowledged in the database', async () => {
      const r = await n.db('notifications').where({ invoice_id: 'stripe:in_browser' }).first();
      return r?.acknowledged_at ? r : undefined;
    });
    expect(row).toMatchObject({ acknowledged_by: 'csm_browser', action_taken: 'other', action_note: 'acknowledged in inbox' });
    expect(errors).toEqual([]);
    await page.close();
  });
});
