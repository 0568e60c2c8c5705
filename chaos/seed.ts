/** Accounts for the run's customers, imported through the enricher's API and awaited until held. */
import { eventually, type SystemUnderTest } from '@invoice-signal/testkit';
import { chargebeeCustomer, customersPerVendor, stripeCustomer } from './workload.ts';

export const accountId = (i: number) => `acc_chaos_${i}`;

function account(i: number) {
  const csm = `csm_chaos_${i % 5}`;
  return {
    accountId: accountId(i),
    name: `Chaos Customer ${i}`,
    csm: { id: csm, email: `${csm}@invoice-signal.dev`, slackUserId: `U0CHAOS${i % 5}` },
    health: { score: 40 + (i * 7) % 60, asOf: '2026-11-20' },
    contract: { arrMinor: 1_200_000 + i * 10_000, currency: 'EUR', startDate: '2026-01-01', endDate: '2026-12-31', renewalDate: '2026-12-31', tier: i % 3 === 0 ? 'strategic' : 'standard' },
    supportIssues: { open: i % 4, last30d: i % 6 },
    disputes: { count: 0, lastAt: null },
    valueDelivered: [],
    vendorRefs: { stripeCustomerId: stripeCustomer(i), chargebeeCustomerId: chargebeeCustomer(i), salesforceAccountId: null },
  };
}

export async function seedAccounts(system: SystemUnderTest): Promise<number> {
  const url = system.url('enricher');
  const auth = { authorization: `Bearer ${system.secrets.CONTEXT_ADMIN_TOKEN}` };
  const accounts = Array.from({ length: customersPerVendor }, (_, i) => account(i));
  const res = await fetch(`${url}/api/context/accounts`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(accounts) });
  if (res.status !== 202) throw new Error(`context import answered ${res.status}: ${await res.text()}`);
  await eventually('the enricher to hold every seeded account', async () => {
    for (const a of accounts) if ((await fetch(`${url}/api/context/accounts/${a.accountId}`, { headers: auth })).status !== 200) return false;
    return true;
  }, { timeoutMs: 60_000, intervalMs: 500 });
  return accounts.length;
}
