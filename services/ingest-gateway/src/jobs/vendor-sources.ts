import type { Logger } from '@invoice-signal/runtime';
import { createChargebeeApi } from '../adapters/chargebee-api.ts';
import type { ReceiptLog } from '../adapters/receipt-log.ts';
import { createStripeApi } from '../adapters/stripe-api.ts';
import type { Config } from '../config.ts';
import { chargebeeSource } from './chargebee-source.ts';
import { stripeSource } from './stripe-source.ts';
import type { VendorSource } from './vendor-sync.ts';

/** The vendors whose API key is configured. */
export function vendorSources(config: Config, receipts: ReceiptLog, logger: Logger): VendorSource[] {
  const sources: VendorSource[] = [];
  if (config.STRIPE_API_KEY) sources.push(stripeSource(createStripeApi(config.STRIPE_API_KEY, config.STRIPE_API_BASE_URL), receipts, logger));
  if (config.CHARGEBEE_API_KEY) sources.push(chargebeeSource(createChargebeeApi(config.CHARGEBEE_SITE ?? '', config.CHARGEBEE_API_KEY, config.CHARGEBEE_API_BASE_URL), logger));
  return sources;
}
