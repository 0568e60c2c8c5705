import { describe, expect, it } from 'vitest';
import { isContact, parseAcknowledgment, slackAckAction } from './acknowledgment.ts';

describe('the structured acknowledgment', () => {
  it('accepts the closed set, with an optional note', () => {
    expect(parseAcknowledgment({ actionTaken: 'scheduled_call' })).toEqual({ ok: { actionTaken: 'scheduled_call', note: null } });
    expect(parseAcknowledgment({ actionTaken: 'contacted_customer', note: ' spoke to the CFO ' })).toEqual({ ok: { actionTaken: 'contacted_customer', note: 'spoke to the CFO' } });
    expect(parseAcknowledgment({ actionTaken: 'other', note: 'sent flowers' })).toEqual({ ok: { actionTaken: 'other', note: 'sent flowers' } });
  });

  it('keeps the old free text as other with the text as note, and the bodiless form as no action', () => {
    expect(parseAcknowledgment({ actionTaken: 'called the customer' })).toEqual({ ok: { actionTaken: 'other', note: 'called the customer' } });
    expect(parseAcknowledgment({ actionTaken: 'acknowledged in inbox' })).toEqual({ ok: { actionTaken: 'other', note: 'acknowledged in inbox' } });
    expect(parseAcknowledgment(undefined)).toEqual({ ok: { actionTaken: null, note: null } });
    expect(parseAcknowledgment({ note: 'left a voicemail' })).toEqual({ ok: { actionTaken: 'other', note: 'left a voicemail' } });
  });

  it('refuses unknown codes and other without a note, naming the field', () => {
    expect(parseAcknowledgment({ actionTaken: 'contacted_custmer' })).toMatchObject({ field: 'body/actionTaken' });
    expect(parseAcknowledgment({ actionTaken: 'emailed' })).toMatchObject({ field: 'body/actionTaken' });
    expect(parseAcknowledgment({ actionTaken: 'other' })).toMatchObject({ field: 'body/note' });
    expect(parseAcknowledgment({ actionTaken: 'other', note: '   ' })).toMatchObject({ field: 'body/note' });
  });

  it('counts only the four contact actions as outreach, and reads the Slack buttons', () => {
    expect(['contacted_customer', 'scheduled_call', 'sent_value_summary', 'confirmed_payment_date'].every(isContact)).toBe(true);
    expect([null, 'no_action_needed', 'other'].some(isContact)).toBe(false);
    expect(slackAckAction('ack:scheduled_call')).toBe('scheduled_call');
    expect(slackAckAction('ack:other')).toBeNull();
    expect(slackAckAction('ack:nope')).toBeNull();
    expect(slackAckAction('acknowledge')).toBeNull();
  });
});
