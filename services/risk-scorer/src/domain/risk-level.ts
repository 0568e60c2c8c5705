import type { FlagSeverity, RiskFlag, RiskLevel } from '@invoice-signal/events';
import type { RulesConfig } from './rules.ts';

export interface RiskDecision {
  level: RiskLevel;
  score: number;
  /** How the level was reached, in words, for the scorer's own record and for debugging a decision. */
  reasons: string[];
}

const order: RiskLevel[] = ['none', 'low', 'medium', 'high'];
const rank = (l: RiskLevel) => order.indexOf(l);
export const atLeast = (level: RiskLevel, floor: RiskLevel) => rank(level) >= rank(floor);

/**
 * Score = sum of the severity points of the raised flags; the level is the highest whose threshold
 * the score reaches. Escalations then lift the level when their flag combination is present.
 */
export function decideRiskLevel(flags: RiskFlag[], scoring: RulesConfig['scoring']): RiskDecision {
  const points = (s: FlagSeverity) => scoring.severityPoints[s];
  const score = flags.reduce((sum, f) => sum + points(f.severity), 0);
  let level: RiskLevel = 'none';
  for (const l of ['low', 'medium', 'high'] as const) if (score >= scoring.levels[l]) level = l;
  const terms = flags.map((f) => `${f.code} ${f.severity} ${points(f.severity)}`).join(' + ') || 'no flags';
  const reasons = [`score ${score} (${terms}) gives ${level}`];
  const raised = new Set(flags.map((f) => f.code));
  for (const e of scoring.escalations) {
    const applies = e.allOf.every((c) => raised.has(c)) && (!e.anyOf || e.anyOf.some((c) => raised.has(c)));
    if (applies && !atLeast(level, e.atLeast)) {
      level = e.atLeast;
      reasons.push(`escalation "${e.name}" raises it to ${e.atLeast}`);
    }
  }
  return { level, score, reasons };
}
