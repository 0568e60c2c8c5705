import Chargebee, { type Invoice } from 'chargebee';

/** Lists recently updated invoices through the real Chargebee client (API v2), optionally at a local base URL. */
export function createChargebeeInvoices(site: string, apiKey: string, baseUrl?: string) {
  const u = baseUrl ? new URL(baseUrl) : undefined;
  const client = new Chargebee({
    site: u ? u.hostname : site,
    apiKey,
    timeout: 20_000,
    ...(u ? { hostSuffix: '', protocol: u.protocol.replace(':', '') as 'http' | 'https', port: Number(u.port || (u.protocol === 'http:' ? 80 : 443)) } : {}),
  });
  return {
    async listSince(sinceMs: number, max = 1000): Promise<Invoice[]> {
      const found: Invoice[] = [];
      let offset: string | undefined;
      do {
        const page = await client.invoice.list({ limit: 100, offset, updated_at: { after: Math.floor(sinceMs / 1000) }, 'sort_by[asc]': 'updated_at' });
        found.push(...page.list.map((entry) => entry.invoice));
        offset = page.next_offset;
      } while (offset && found.length < max);
      return found;
    },
  };
}
