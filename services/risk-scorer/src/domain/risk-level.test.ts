import { describe, expect, it } from 'vitest';
import type { FlagSeverity, RiskFlag } from '@invoice-signal/events';
import { shippedRules } from '../../test/support/domain-fixtures.ts';
import { decideRiskLevel } from './risk-level.ts';
import type { RulesConfig } from './rules.ts';

const scoring: RulesConfig['scoring'] = {
  severityPoints: { info: 0, low: 10, medium: 25, high: 50 },
  levels: { low: 10, medium: 25, high: 50 },
  escalations: [
    { name: 'high value at risk', allOf: ['HIGH_VALUE'], anyOf: ['LATE_PAYMENT_HISTORY', 'HEALTH_DECLINING'], atLeast: 'high' },
    { name: 'renewal and health', allOf: ['RENEWAL_APPROACHING', 'HEALTH_DECLINING'], atLeast: 'medium' },
  ],
};
const flag = (code: string, severity: FlagSeverity): RiskFlag => ({ code, severity, message: '', facts: {} });

describe('risk level from the rule configuration', () => {
  it.each([
    { flags: [], level: 'none', score: 0 },
    { flags: [flag('HIGH_VALUE', 'info')], level: 'none', score: 0 },
    { flags: [flag('FIRST_INVOICE', 'low')], level: 'low', score: 10 },
    { flags: [flag('FIRST_INVOICE', 'low'), flag('RENEWAL_APPROACHING', 'low')], level: 'low', score: 20 },
    { flags: [flag('AMOUNT_CHANGE', 'medium')], level: 'medium', score: 25 },
    { flags: [flag('AMOUNT_CHANGE', 'medium'), flag('FIRST_INVOICE', 'low')], level: 'medium', score: 35 },
    { flags: [flag('AMOUNT_CHANGE', 'medium'), flag('CONTRACT_DISPUTE', 'medium')], level: 'high', score: 50 },
    { flags: [flag('PAYMENT_FAILED_RECENTLY', 'high')], level: 'high', score: 50 },
    { flags: [flag('HIGH_VALUE', 'info'), flag('LATE_PAYMENT_HISTORY', 'medium')], level: 'high', score: 25, escalated: 'high value at risk' },
    { flags: [flag('HIGH_VALUE', 'info'), flag('FIRST_INVOICE', 'low')], level: 'low', score: 10 },
    { flags: [flag('RENEWAL_APPROACHING', 'low'), flag('HEALTH_DECLINING', 'medium')], level: 'medium', score: 35 },
    { flags: [flag('RENEWAL_APPROACHING', 'low'), flag('UNMATCHED_ACCOUNT', 'low')], level: 'low', score: 20 },
  ])('$flags.length flag(s), score $score → $level', ({ flags, level, score, escalated }) => {
    const decision = decideRiskLevel(flags, scoring);
    expect(decision).toMatchObject({ level, score });
    if (escalated) expect(decision.reasons.join(' ')).toContain(`escalation "${escalated}" raises it to high`);
  });

  it('names every flag and its points in the reasons', () => {
    const decision = decideRiskLevel([flag('AMOUNT_CHANGE', 'medium'), flag('FIRST_INVOICE', 'low')], scoring);
    expect(decision.reasons).toEqual(['score 35 (AMOUNT_CHANGE medium 25 + FIRST_INVOICE low 10) gives medium']);
  });

  it('an escalation never lowers a level', () => {
    const decision = decideRiskLevel([flag('RENEWAL_APPROACHING', 'low'), flag('HEALTH_DECLINING', 'high')], scoring);
    expect(decision.level).toBe('high');
    expect(decision.reasons).toHaveLength(1);
  });

  it('the shipped v1 thresholds put a single medium flag at medium and a high flag at high', () => {
    expect(decideRiskLevel([flag('AMOUNT_CHANGE', 'medium')], shippedRules.config.scoring).level).toBe('medium');
    expect(decideRiskLevel([flag('PAYMENT_FAILED_RECENTLY', 'high')], shippedRules.config.scoring).level).toBe('high');
    expect(decideRiskLevel([flag('FIRST_INVOICE', 'low')], shippedRules.config.scoring).level).toBe('low');
  });
});
