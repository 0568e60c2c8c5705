import Chargebee, { type Event, type Invoice, type Transaction } from 'chargebee';

const seconds = (ms: number) => Math.floor(ms / 1000);
/** Chargebee's largest page. */
const PAGE = 100;

/** Walks a Chargebee list (`limit` / `offset` → `next_offset`) page by page. */
async function* pages<T>(list: (offset: string | undefined) => Promise<{ list: T[]; next_offset?: string }>): AsyncGenerator<T[]> {
  let offset: string | undefined;
  do {
    const page = await list(offset);
    if (page.list.length) yield page.list;
    offset = page.next_offset;
  } while (offset);
}

/**
 * Chargebee's API v2 through the real Chargebee client (basic auth with the API key), optionally
 * at a local base URL: events, to read back deliveries that never arrived, and invoices and
 * failed payment transactions, for the first connection's backfill. Time filters are epoch
 * seconds and exclusive (`after`, `before`), so each window is widened by a second on both ends.
 */
export function createChargebeeApi(site: string, apiKey: string, baseUrl?: string) {
  const u = baseUrl ? new URL(baseUrl) : undefined;
  const client = new Chargebee({
    site: u ? u.hostname : site,
    apiKey,
    timeout: 20_000,
    ...(u ? { hostSuffix: '', protocol: u.protocol.replace(':', '') as 'http' | 'https', port: Number(u.port || (u.protocol === 'http:' ? 80 : 443)) } : {}),
  });
  const within = (fromMs: number, untilMs: number) => ({ after: seconds(fromMs) - 1, before: seconds(untilMs) + 1 });
  return {
    /** Events of these types that occurred within [fromMs, untilMs], oldest first. */
    async events(fromMs: number, untilMs: number, types: string[]): Promise<Event[]> {
      const found: Event[] = [];
      for await (const page of pages((offset) => client.event.list({ limit: PAGE, offset, occurred_at: within(fromMs, untilMs), event_type: { in: types }, 'sort_by[asc]': 'occurred_at' }))) {
        found.push(...page.map((entry) => entry.event));
      }
      return found;
    },

    /** Invoices dated within [fromMs, untilMs], a page at a time. */
    async *invoices(fromMs: number, untilMs: number): AsyncGenerator<Invoice[]> {
      for await (const page of pages((offset) => client.invoice.list({ limit: PAGE, offset, date: within(fromMs, untilMs), 'sort_by[asc]': 'date' }))) {
        yield page.map((entry) => entry.invoice);
      }
    },

    /** Failed payment transactions dated within [fromMs, untilMs]. */
    async failedPayments(fromMs: number, untilMs: number): Promise<Transaction[]> {
      const found: Transaction[] = [];
      for await (const page of pages((offset) => client.transaction.list({ limit: PAGE, offset, type: { is: 'payment' }, status: { is: 'failure' }, date: within(fromMs, untilMs), 'sort_by[asc]': 'date' }))) {
        found.push(...page.map((entry) => entry.transaction));
      }
      return found;
    },
  };
}

export type ChargebeeApi = ReturnType<typeof createChargebeeApi>;
