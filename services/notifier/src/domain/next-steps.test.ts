import { describe, expect, it } from 'vitest';
import { sampleAssessedInvoice } from '@invoice-signal/testkit';
import { factsFromAssessment, newNotification } from './notification.ts';
import { actionsOf, promptsOf } from './next-steps.ts';

describe('next steps kept structured', () => {
  const facts = newNotification(factsFromAssessment(sampleAssessedInvoice({
    actions: [
      { code: 'PROACTIVE_OUTREACH', text: 'Reach out to Acme before 2026-11-24.', dueBy: Date.UTC(2026, 10, 24), forFlags: ['HEALTH_DECLINING', 'CONTRACT_DISPUTE'] },
      { code: 'WATCH_HIGH_VALUE_PAYMENT', text: 'Follow INV-7 until it is paid.', dueBy: null, forFlags: ['HIGH_VALUE'] },
    ],
    valuePrompts: [{ kind: 'send_value_summary', text: 'Hello Acme team, here is the value you got.', data: { 'metric.1': 'hours saved: 1,240 hours (quarter)' } }],
  })), 'csm_alice', 'invoice_issued', 'pending', 0);

  it('stores the actions with their codes, dates and flags, and the prompts with kind and data', () => {
    expect(actionsOf(facts)).toEqual([
      { code: 'PROACTIVE_OUTREACH', text: 'Reach out to Acme before 2026-11-24.', dueBy: Date.UTC(2026, 10, 24), forFlags: ['HEALTH_DECLINING', 'CONTRACT_DISPUTE'] },
      { code: 'WATCH_HIGH_VALUE_PAYMENT', text: 'Follow INV-7 until it is paid.', dueBy: null, forFlags: ['HIGH_VALUE'] },
    ]);
    expect(promptsOf(facts)).toEqual([{ kind: 'send_value_summary', text: 'Hello Acme team, here is the value you got.', data: { 'metric.1': 'hours saved: 1,240 hours (quarter)' } }]);
    // The flattened fields older readers use are still there.
    expect(facts.recommendedActions).toEqual(['Reach out to Acme before 2026-11-24.', 'Follow INV-7 until it is paid.', 'Hello Acme team, here is the value you got.']);
    expect(facts.details.valuePrompts).toEqual(['Hello Acme team, here is the value you got.']);
  });

  it('reads a row stored before they were kept: the action texts without the prompts, the prompts as kind other', () => {
    const { actions: _a, prompts: _p, ...older } = facts.details;
    const row = { ...facts, details: older };
    expect(actionsOf(row)).toEqual([
      { code: null, text: 'Reach out to Acme before 2026-11-24.', dueBy: null, forFlags: [] },
      { code: null, text: 'Follow INV-7 until it is paid.', dueBy: null, forFlags: [] },
    ]);
    expect(promptsOf(row)).toEqual([{ kind: 'other', text: 'Hello Acme team, here is the value you got.', data: {} }]);
  });
});
