import { describe, expect, it } from 'vitest';
import { renderDigest } from './digest.ts';
import { slackMessage } from './slack-message.ts';
import { sampleNotification } from '../../test/support/notification.ts';

// Due 2026-12-01 for a billing entity in Los Angeles: the last instant of that day there.
const dueAt = Date.parse('2026-12-02T07:59:59.999Z');
const item = sampleNotification({
  id: 'n1', kind: 'invoice_issued', invoiceId: 'salesforce:a0x1', customerId: 'acc_1', customerName: 'Pacific Freight', amountMinor: 10_000, currency: 'USD', dueAt,
  riskLevel: 'low', riskFlags: [], recommendedActions: [], customerContext: { healthScore: 70, paymentHistory: 'good', renewalDate: null, recentIssues: false },
});

describe('Slack and the digest show the due date on the CSM’s calendar', () => {
  it.each([
    { zone: 'America/Los_Angeles', day: '2026-12-01' },
    { zone: 'America/New_York', day: '2026-12-02' },
    { zone: 'UTC', day: '2026-12-02' },
    { zone: 'Asia/Tokyo', day: '2026-12-02' },
  ])('$zone: due $day', ({ zone, day }) => {
    const slack = JSON.stringify(slackMessage([item], 'https://x.test', zone).blocks);
    expect(slack).toContain(`due ${day} ·`);
    const mail = renderDigest([item], { periodLabel: 'daily:2026-11-30', publicUrl: 'https://x.test', timeZone: zone });
    expect(mail.text).toContain(`due ${day},`);
    expect(mail.html).toContain(`due ${day} ·`);
  });
});
