import type { Logger } from '@invoice-signal/runtime';
import type { ChargebeeApi } from '../adapters/chargebee-api.ts';
import { chargebeeBackfill, failuresByInvoice } from '../domain/backfill.ts';
import { decideChargebeeEvent } from '../domain/chargebee-mapping.ts';
import { asRecovered, recoveryTypes } from '../domain/recovery.ts';
import { mapOrSkip, type Pulled, type VendorSource } from './vendor-sync.ts';

/** Chargebee through its events, invoices and transactions lists, each object mapped exactly as its webhook is. */
export function chargebeeSource(api: ChargebeeApi, logger: Logger): VendorSource {
  return {
    source: 'chargebee',
    async recover({ from, until }, receivedAt, emit) {
      const items: Pulled[] = [];
      for (const event of await api.events(from, until, recoveryTypes.chargebee)) {
        const delivery = mapOrSkip('chargebee', event.id, logger, () => decideChargebeeEvent(event, receivedAt));
        if (delivery?.event) items.push({ delivery: asRecovered(delivery), raw: event });
      }
      await emit(items);
    },
    async *backfill(from, until, receivedAt) {
      const failures = failuresByInvoice(await api.failedPayments(from, until));
      for await (const page of api.invoices(from, until)) {
        yield page.flatMap((invoice) => (mapOrSkip('chargebee', invoice.id, logger, () => chargebeeBackfill(invoice, failures.get(invoice.id) ?? [], receivedAt)) ?? []).map((delivery) => ({ delivery, raw: invoice })));
      }
    },
  };
}
