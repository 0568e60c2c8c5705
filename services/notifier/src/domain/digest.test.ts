import { describe, expect, it } from 'vitest';
import { renderDigest } from './digest.ts';
import { slackMessage } from './slack-message.ts';
import { formatMoney, summaryLine, type InvoiceNotification } from './notification.ts';
import { sampleNotification } from '../../test/support/notification.ts';

const item = (over: Partial<InvoiceNotification> & { id: string }) => sampleNotification({
  kind: 'invoice_issued', invoiceId: `inv_${over.id}`, customerId: 'acc_1', customerName: 'Acme <Corp>', amountMinor: 123_456, currency: 'EUR', dueAt: Date.UTC(2026, 11, 1),
  riskLevel: 'low', riskFlags: [], recommendedActions: [], customerContext: { healthScore: 70, paymentHistory: 'good', renewalDate: null, recentIssues: false }, ...over,
});

describe('the digest e-mail', () => {
  it('groups by risk, highest first, and escapes HTML', () => {
    const mail = renderDigest([item({ id: 'a' }), item({ id: 'b', riskLevel: 'high', kind: 'payment_failed' }), item({ id: 'c', riskLevel: 'medium' })], { periodLabel: 'daily:2026-11-25', publicUrl: 'https://x.test/', timeZone: 'UTC' });
    expect(mail.subject).toBe('invoice-signal digest (daily:2026-11-25): 3 notifications, 1 high risk');
    expect(mail.text.indexOf('HIGH RISK (1)')).toBeLessThan(mail.text.indexOf('MEDIUM RISK (1)'));
    expect(mail.text).toContain('Payment failed: Acme <Corp>, €1,234.56');
    expect(mail.html).toContain('Acme &#60;Corp&#62;');
    expect(mail.html).not.toContain('<Corp>');
    expect(mail.text).toContain('Open the inbox: https://x.test/inbox');
  });

  it('shows under an alert what is still owed and the last failure, and names a write-off', () => {
    const mail = renderDigest([
      item({ id: 'o', kind: 'overdue', amountRemainingMinor: 23_456, failureReason: 'Your card was declined.' }),
      item({ id: 'w', kind: 'written_off', amountRemainingMinor: 123_456 }),
    ], { periodLabel: 'p', publicUrl: 'https://x.test', timeZone: 'UTC' });
    expect(mail.text).toContain('Overdue: Acme <Corp>, €1,234.56 (€234.56 still owed of €1,234.56 · last failure: Your card was declined.)');
    expect(mail.text).toContain('Written off: Acme <Corp>, €1,234.56 (€1,234.56 still owed of €1,234.56)');
  });

  it('is never rendered empty', () => {
    expect(() => renderDigest([], { periodLabel: 'p', publicUrl: 'https://x.test', timeZone: 'UTC' })).toThrow('a digest needs at least one notification');
  });
});

describe('money and Slack messages', () => {
  it('formats minor units with the currency’s own decimals', () => {
    expect(formatMoney(123_456, 'EUR')).toBe('€1,234.56');
    expect(formatMoney(5_000, 'JPY')).toBe('¥5,000');
    expect(formatMoney(1_000, 'KWD').replace(/\s/g, ' ')).toBe('KWD 1.000'); // ICU puts a no-break space there
    // ISO 4217 decimals where CLDR (Intl) has none: IDR 1,000,000,000 and HUF 123,456 were shown before.
    expect(formatMoney(1_000_000_000, 'IDR')).toBe('IDR 10,000,000.00');
    expect(formatMoney(12_345_600, 'HUF')).toBe('HUF 123,456.00');
    const rupiah = sampleNotification({ kind: 'overdue', customerName: 'Rupiah Corp', amountMinor: 1_000_000_000, currency: 'IDR' });
    expect(summaryLine(rupiah)).toBe('Overdue: Rupiah Corp, IDR 10,000,000.00');
  });

  it('batches several notifications of one account under one Acknowledge', () => {
    const msg = slackMessage([item({ id: 'n1' }), item({ id: 'n2' })], 'https://x.test', 'UTC');
    // The notification text is mrkdwn (escaped); the header block is plain_text, which Slack never parses.
    expect(msg.text).toBe('2 invoice notifications for Acme &lt;Corp&gt;');
    expect(msg.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '2 invoice notifications for Acme <Corp>' } });
    const actions = msg.blocks.find((b) => (b as { type: string }).type === 'actions') as { elements: Array<{ action_id: string; value?: string; url?: string }> };
    // One button per one-click acknowledgment, each carrying every notification of the message.
    expect(actions.elements.filter((e) => e.action_id.startsWith('ack:')).map((e) => e.value)).toEqual(Array(5).fill('n1,n2'));
    expect(actions.elements.find((e) => e.action_id === 'open')!.url).toBe('https://x.test/inbox#invoice=inv_n1');
  });
});
