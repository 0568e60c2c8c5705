import { minimumFor, riskRank, type Channel, type Preferences } from './preferences.ts';
import { inQuietHours, quietHoursEnd } from './time-zone.ts';

export type NotificationKind = 'invoice_issued' | 'payment_failed' | 'overdue' | 'disputed' | 'written_off';

export interface RoutingInput {
  kind: NotificationKind;
  amountMinor: number;
  currency: string;
  riskLevel: string;
  /** The assessment raised HIGH_VALUE: the risk-scorer's one definition of high value (amount due, FX-converted). */
  highValue: boolean;
  prefs: Preferences;
  zone: string;
  now: number;
  slackAvailable: boolean;
  emailAvailable: boolean;
  /** Slack messages already sent or scheduled for this CSM in the last hour. */
  slackInLastHour: number;
}

export interface Routing {
  /** Channels the notification goes to; in_app means it is also pushed live. */
  channels: Channel[];
  /** When the Slack message may go out (after quiet hours and the batching window). */
  slackNotBefore: number | null;
  /** Why each channel was skipped or changed, for the delivery log and the API. */
  reasons: string[];
}

const isAlert = (kind: NotificationKind) => kind !== 'invoice_issued';

/**
 * NFR-2 in one place: which channels a new notification goes to. The record itself is always
 * stored (the CSM API lists it); this decides what is pushed, and when.
 */
export function route(input: RoutingInput): Routing {
  const { prefs, kind, currency, amountMinor } = input;
  const reasons: string[] = [];
  const risky = isAlert(kind) || riskRank[input.riskLevel] >= riskRank.medium;
  if (prefs.riskOnly && !risky) {
    return { channels: [], slackNotBefore: null, reasons: [`risk-only mode: ${input.riskLevel} risk ${kind} is not pushed`] };
  }
  const meetsMinimum = (channel: Channel) => {
    const min = minimumFor(prefs, channel, currency);
    if (amountMinor >= min) return true;
    reasons.push(`${channel}: amount ${amountMinor} ${currency} below minimum ${min}`);
    return false;
  };
  const out: Channel[] = [];
  if (prefs.channels.in_app && meetsMinimum('in_app')) out.push('in_app');

  let slackNotBefore: number | null = null;
  let slackWanted = false;
  if (!input.slackAvailable) reasons.push('slack: not configured');
  else if (!prefs.channels.slack) reasons.push('slack: turned off');
  else {
    // Slack is for high value (the HIGH_VALUE flag, not a bar of our own) or high risk (alerts included).
    const highRisk = isAlert(kind) || riskRank[input.riskLevel] >= riskRank[prefs.slackMinRisk];
    if (!input.highValue && !highRisk) reasons.push(`slack: not high value and risk ${input.riskLevel} below ${prefs.slackMinRisk}`);
    else slackWanted = meetsMinimum('slack');
  }
  if (slackWanted && input.slackInLastHour >= prefs.slackMaxPerHour) {
    reasons.push(`slack: cap of ${prefs.slackMaxPerHour} per hour reached; overflow into the digest`);
    slackWanted = false;
    if (input.emailAvailable && prefs.channels.email_digest) out.push('email_digest');
  } else if (slackWanted) {
    out.push('slack');
    const afterQuiet = quietHoursEnd(input.now, input.zone, prefs.quietHours);
    if (afterQuiet > input.now) reasons.push(`slack: held until quiet hours end at ${new Date(afterQuiet).toISOString()}`);
    slackNotBefore = Math.max(afterQuiet, input.now + prefs.batchWindowSeconds * 1000);
  }
  // The digest carries what Slack does not: one pushed channel per notification beyond the inbox.
  if (!slackWanted && !out.includes('email_digest')) {
    if (!input.emailAvailable) reasons.push('email_digest: not configured');
    else if (!prefs.channels.email_digest) reasons.push('email_digest: turned off');
    else if (meetsMinimum('email_digest')) out.push('email_digest');
  }
  return { channels: out, slackNotBefore, reasons };
}

export { inQuietHours };
