import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, uniqueName } from '@invoice-signal/testkit';
import { monthlyInvoice } from './support/enriched-factory.ts';
import { startScorer, type ScorerHarness } from './support/scorer-harness.ts';

describe('enriched invoices become assessments on billing.invoice.assessed.v1', () => {
  let h: ScorerHarness;
  beforeAll(async () => {
    h = await startScorer('risk_e2e');
  });
  afterAll(async () => h?.close());

  const assessmentOf = async (enrichmentId: string) => (await h.assessed.waitFor(1, (r) => r.value?.enriched.enrichmentId === enrichmentId))[0];
  const codes = (r: Awaited<ReturnType<typeof assessmentOf>>) => r.value!.flags.map((f) => f.code);

  it("assesses a strategic account's first invoice with flags, level, rule version, actions and value prompts, keyed by account", async () => {
    const account = uniqueName('acc');
    const enriched = monthlyInvoice(account, 0, 1_250_000);
    await h.publishEnriched(enriched);

    const record = await assessmentOf(enriched.enrichmentId);
    const rules = h.running.ctx.config.rules;
    expect(record.key).toBe(account);
    expect(record.value).toMatchObject({
      assessmentId: `asm_${enriched.enrichmentId}_${rules.version}`, accountId: account, ruleVersion: rules.version, riskLevel: 'high', enriched,
    });
    expect(codes(record)).toContain('FIRST_INVOICE');
    expect(codes(record)).toContain('HIGH_VALUE');
    expect(record.value!.actions.map((a) => a.code)).toContain('CONFIRM_BILLING_CONTACT');
    expect(record.value!.valuePrompts.map((p) => p.kind)).toEqual(['send_value_summary', 'schedule_check_in', 'share_success_metrics', 'address_concerns']);

    const db = h.running.ctx.db;
    const row = await eventually('the assessment to be marked published', () => db('assessments').where('enrichment_id', enriched.enrichmentId).whereNotNull('published_at').first());
    expect(row).toMatchObject({ assessment_id: record.value!.assessmentId, risk_level: 'high', rule_version: rules.version });
    expect(await db('invoice_history').where('account_id', account)).toHaveLength(1);
    expect(await db('rule_versions').where('version', rules.version)).toHaveLength(1);
    const metrics = await (await fetch(`${h.running.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/^risk_assessments_total\{level="high"\} [1-9]/m);
    expect(metrics).toMatch(/^risk_flags_total\{code="FIRST_INVOICE"\} [1-9]/m);
  });

  it('compares each invoice with the previous one of the account, in publication order', async () => {
    const account = uniqueName('acc');
    const invoices = [monthlyInvoice(account, 0, 100_000), monthlyInvoice(account, 1, 100_000), monthlyInvoice(account, 2, 200_000), monthlyInvoice(account, 3, 120_000)];
    await h.publishEnriched(...invoices);

    const [first, same, doubled, down] = await Promise.all(invoices.map((i) => assessmentOf(i.enrichmentId)));
    expect(codes(first)).toContain('FIRST_INVOICE');
    for (const later of [same, doubled, down]) expect(codes(later)).not.toContain('FIRST_INVOICE');
    expect(codes(same)).not.toContain('AMOUNT_CHANGE');
    expect(doubled.value!.flags.find((f) => f.code === 'AMOUNT_CHANGE')).toMatchObject({
      severity: 'high', facts: { direction: 'up', previousInvoiceId: invoices[1].invoice.invoiceId, deltaMinor: '100000', deltaPercent: '100.0', comparedBy: 'subscription' },
    });
    expect(down.value!.flags.find((f) => f.code === 'AMOUNT_CHANGE')).toMatchObject({
      severity: 'medium', facts: { direction: 'down', previousInvoiceId: invoices[2].invoice.invoiceId, deltaMinor: '-80000', deltaPercent: '-40.0' },
    });
    expect(doubled.value!.actions.map((a) => a.code)).toContain('EXPLAIN_AMOUNT_CHANGE');
    // One partition per account: the assessments came out in the order the invoices went in.
    expect(new Set([first, same, doubled, down].map((r) => r.partition)).size).toBe(1);
    expect([first, same, doubled, down].map((r) => BigInt(r.offset))).toEqual([first, same, doubled, down].map((r) => BigInt(r.offset)).sort((a, b) => (a < b ? -1 : 1)));
  });

  it('two invoices of one account in one batch: the second sees the first as its previous invoice, as if processed one by one', async () => {
    const account = uniqueName('acc');
    const invoices = [monthlyInvoice(account, 0, 100_000), monthlyInvoice(account, 1, 250_000)];
    // One publish is one record batch on the partition, so one fetch hands both to one batch.
    await h.publishEnriched(...invoices);

    const [first, second] = await Promise.all(invoices.map((i) => assessmentOf(i.enrichmentId)));
    expect(codes(first)).toContain('FIRST_INVOICE');
    expect(codes(second)).not.toContain('FIRST_INVOICE');
    expect(second.value!.flags.find((f) => f.code === 'AMOUNT_CHANGE')).toMatchObject({
      severity: 'high', facts: { direction: 'up', previousInvoiceId: invoices[0].invoice.invoiceId, deltaMinor: '150000', deltaPercent: '150.0', comparedBy: 'subscription' },
    });
    expect(second.value!.actions.map((a) => a.code)).toContain('EXPLAIN_AMOUNT_CHANGE');
    // published_at is now(), the transaction's start: equal stamps prove one batch, one transaction.
    const rows = await h.running.ctx.db('assessments').where('account_id', account).orderBy('invoice_id');
    expect(rows).toHaveLength(2);
    expect(rows[0].published_at).toEqual(rows[1].published_at);
    expect(await h.running.ctx.db('invoice_history').where('account_id', account)).toHaveLength(2);
  });

  it('a late account match (revision 2) re-assesses the invoice without counting it as a second invoice', async () => {
    const account = uniqueName('acc');
    const unmatchedId = `unmatched:stripe:cus_${account}`;
    const matched = monthlyInvoice(account, 0, 300_000, { revision: 2 });
    const unmatched = { ...monthlyInvoice(account, 0, 300_000), enrichmentId: `enr_${matched.invoice.invoiceId}_1`, accountId: unmatchedId, matched: false, context: null, owner: { id: 'csm_fallback', email: null, slackUserId: null, timeZone: null, team: null } };

    await h.publishEnriched(unmatched);
    const first = await assessmentOf(unmatched.enrichmentId);
    expect(codes(first)).toContain('UNMATCHED_ACCOUNT');
    expect(codes(first)).not.toContain('FIRST_INVOICE');
    expect(first.value!.actions.map((a) => a.code)).toContain('LINK_ACCOUNT');
    expect(first.value!.valuePrompts).toEqual([]);

    await h.publishEnriched(matched);
    const second = await assessmentOf(matched.enrichmentId);
    expect(codes(second)).toContain('FIRST_INVOICE');
    expect(codes(second)).not.toContain('UNMATCHED_ACCOUNT');
    expect(second.value!.assessmentId).not.toBe(first.value!.assessmentId);

    const next = monthlyInvoice(account, 1, 300_000);
    await h.publishEnriched(next);
    const third = await assessmentOf(next.enrichmentId);
    expect(codes(third)).not.toContain('FIRST_INVOICE');
    const history = await h.running.ctx.db('invoice_history').where('invoice_id', matched.invoice.invoiceId);
    expect(history).toEqual([expect.objectContaining({ account_id: account, revision: 2 })]);
    expect(await h.running.ctx.db('invoice_history').where('account_id', account)).toHaveLength(2);
  });

  it('dead-letters a record that cannot be assessed, with the reason, and goes on with the next', async () => {
    const account = uniqueName('acc');
    const bad = monthlyInvoice(account, 0, 100_000);
    bad.invoice = { ...bad.invoice, currency: 'eur' };
    const good = monthlyInvoice(account, 1, 100_000, { invoice: { ...monthlyInvoice(account, 1, 100_000).invoice, dueAt: null } });
    await h.publishEnriched(bad, good);

    const dead = await h.deadLetters.waitFor(1, (r) => r.key === account);
    expect(dead[0].headers['dlq.error.code']).toBe('RISK_INVALID_ENRICHED');
    expect(dead[0].headers['dlq.error.message']).toBe(`enriched invoice ${bad.enrichmentId} cannot be assessed: invoice.currency must be an ISO 4217 code in upper case (got "eur")`);
    const next = await assessmentOf(good.enrichmentId);
    expect(codes(next)).toContain('FIRST_INVOICE');
    expect(h.assessed.records.filter((r) => r.value?.enriched.enrichmentId === bad.enrichmentId)).toEqual([]);
    // Without a due date, outreach is due at once (the invoice date).
    expect(next.value!.actions.find((a) => a.code === 'PROACTIVE_OUTREACH')!.dueBy).toBe(good.invoice.issuedAt);
  });
});
