import { readCsv, type CsvTable } from '@invoice-signal/runtime';

/** The CSV columns, in the order of the template; only accountId, name and csmId are required. */
export const csvColumns = [
  'accountId', 'name', 'csmId', 'csmEmail', 'csmSlackUserId', 'csmTimeZone',
  'healthScore', 'healthAsOf', 'healthHistory',
  'arrMinor', 'currency', 'contractStart', 'contractEnd', 'renewalDate', 'plan', 'tier',
  'supportOpen', 'supportLast30d', 'disputeCount', 'disputeLastAt', 'valueDelivered',
  'stripeCustomerId', 'chargebeeCustomerId', 'salesforceAccountId', 'snapshotAt', 'billingTimeZone',
] as const;

type Column = (typeof csvColumns)[number];
const required: Column[] = ['accountId', 'name', 'csmId'];

export class CsvImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvImportError';
  }
}

/** A number where the cell is one, else the text as given: the import API then names the bad field. */
const num = (s: string | undefined) => (s === undefined ? undefined : /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s);

/** `2026-08-01=80;2026-09-01=71` → health history points. */
const history = (s: string | undefined) => s?.split(';').filter(Boolean).map((p) => {
  const [asOf, score] = p.split('=');
  return { asOf: asOf?.trim(), score: num(score?.trim()) };
});

/** `hours saved|1240.5|hours|2026-Q3;...` → value metrics. */
const metrics = (s: string | undefined) => s?.split(';').filter(Boolean).map((m) => {
  const [metric, value, unit, period] = m.split('|').map((x) => x.trim());
  return { metric, value: num(value), unit, period };
});

/** Drops undefined members so absent cells stay absent (the API's defaults apply). */
const compact = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/**
 * CSV text → the body of POST /api/context/accounts (one account per data row). Only the shape is
 * checked here (header names); the API validates every value and names `[row].field` on failure.
 */
export function csvToAccounts(text: string): Array<Record<string, unknown>> {
  let table: CsvTable;
  try {
    table = readCsv(text);
  } catch (error) {
    throw new CsvImportError((error as Error).message);
  }
  const { header: names, rows } = table;
  if (!names.length) throw new CsvImportError('the file is empty: expected a header row');
  const unknown = names.filter((n) => !(csvColumns as readonly string[]).includes(n));
  if (unknown.length) throw new CsvImportError(`unknown column(s) ${unknown.map((u) => `"${u}"`).join(', ')}; known: ${csvColumns.join(', ')}`);
  const missing = required.filter((r) => !names.includes(r));
  if (missing.length) throw new CsvImportError(`missing required column(s) ${missing.join(', ')}`);
  return rows.map(({ line, cells }) => {
    if (cells.length !== names.length) throw new CsvImportError(`line ${line} has ${cells.length} cells, the header has ${names.length}`);
    const c: Partial<Record<Column, string>> = {};
    names.forEach((n, k) => {
      const v = cells[k]!.trim();
      if (v !== '') c[n as Column] = v;
    });
    return toAccount(c);
  });
}

function toAccount(c: Partial<Record<Column, string>>): Record<string, unknown> {
  const hasContract = ['arrMinor', 'currency', 'tier', 'contractStart', 'contractEnd', 'renewalDate', 'plan'].some((k) => c[k as Column] !== undefined);
  return compact({
    accountId: c.accountId,
    name: c.name,
    csm: compact({ id: c.csmId, email: c.csmEmail, slackUserId: c.csmSlackUserId, timeZone: c.csmTimeZone }),
    health: c.healthScore === undefined ? null : compact({ score: num(c.healthScore), asOf: c.healthAsOf, history: history(c.healthHistory) }),
    contract: hasContract ? compact({ arrMinor: num(c.arrMinor), currency: c.currency, startDate: c.contractStart, endDate: c.contractEnd, renewalDate: c.renewalDate, plan: c.plan, tier: c.tier }) : null,
    supportIssues: { open: num(c.supportOpen ?? '0'), last30d: num(c.supportLast30d ?? '0') },
    disputes: { count: num(c.disputeCount ?? '0'), lastAt: c.disputeLastAt ?? null },
    valueDelivered: metrics(c.valueDelivered) ?? [],
    vendorRefs: { stripeCustomerId: c.stripeCustomerId ?? null, chargebeeCustomerId: c.chargebeeCustomerId ?? null, salesforceAccountId: c.salesforceAccountId ?? null },
    snapshotAt: c.snapshotAt,
    billingTimeZone: c.billingTimeZone,
  });
}
