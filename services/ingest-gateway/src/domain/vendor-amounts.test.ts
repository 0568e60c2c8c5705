import type Stripe from 'stripe';
import type { Invoice } from 'chargebee';
import { describe, expect, it } from 'vitest';
import { formatMinor } from '@invoice-signal/events';
import { chargebeeInvoiceEvent } from './chargebee-mapping.ts';
import { stripeInvoiceEvent } from './stripe-mapping.ts';

/**
 * Every currency each vendor accepts: a minor-unit integer as the vendor sends it, through our
 * mapping, must be shown as the amount the vendor's documentation says that integer means.
 * The expected text is computed here from the documents' own rules (below, as data) with plain
 * string arithmetic, independently of the currency table and of Intl.
 */

/**
 * https://docs.stripe.com/currencies — "Supported presentment currencies" (the page's rendered
 * table; BHD, JOD, KWD, OMR, TND appear when rendered for a UAE account), "Zero-decimal
 * currencies", "Three-decimal currencies", "Special cases" (ISK and UGX: "represent it as a
 * two-decimal value, where the decimal amount is always 00"; HUF and TWD: two decimals for
 * charges, zero-decimal only for payouts).
 */
const stripe = {
  accepted: `usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bhd bif bmd bnd bob brl bsd bwp byn bzd cad cdf chf clp cny cop
    crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr isk jmd jod jpy kes kgs
    khr kmf krw kwd kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd omr pab
    pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd std szl thb tjs tnd top try ttd twd tzs uah ugx
    uyu uzs vnd vuv wst xaf xcd xcg xof xpf yer zar zmw`,
  zeroDecimal: 'BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF',
  threeDecimal: 'BHD JOD KWD OMR TND',
  twoDecimalWholeUnits: 'ISK UGX',
};

/**
 * https://www.chargebee.com/docs/supported-currencies.html (zero-decimal currencies marked with an
 * asterisk) and https://apidocs.chargebee.com/docs/api/currencies ("Currency values": zero-decimal
 * currencies in the major unit, every other currency with two decimals, × 100). The list up to
 * MYR is as read from the page; the rest of it and the asterisked ones are as we know the page,
 * not re-read: see the report of issue 13.
 */
const chargebee = {
  accepted: `AED AOA ARS AUD BAM BBD DOP BGN BMD BND BOB BRL BSD BWP BZD CAD CDF CHF CNY COP CRC CVE CZK DKK ERN ETB EUR FJD FKP GBP
    GIP GMD GTQ GYD HKD HNL HRK HUF IDR ILS INR JMD KES KGS KYD LBP LKR LRD MDL MKD MMK MOP MRO MUR MVR MWK MXN MYR MZN NAD NGN
    NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SEK SGD SHP SLL SOS SRD STD SZL THB TJS TOP TRY TTD TWD
    TZS UAH USD UYU UZS WST XCD YER ZAR ZMW BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF`,
  zeroDecimal: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF',
};

/** ISO 4217 list one: decimals a display shows (2 unless listed). */
const isoDecimals = { 0: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF', 3: 'BHD JOD KWD OMR TND' };

const codes = (list: string) => list.trim().split(/\s+/).map((c) => c.toUpperCase());
const has = (list: string, code: string) => codes(list).includes(code);
const isoExp = (code: string) => (has(isoDecimals[0], code) ? 0 : has(isoDecimals[3], code) ? 3 : 2);

/** "CODE 1,234,567.00": the integer `amount` divided by 10^vendorExp, shown with `shownExp` decimals. */
function expected(code: string, amount: bigint, vendorExp: number, shownExp: number): string {
  const scaled = (amount * 10n ** BigInt(shownExp)) / 10n ** BigInt(vendorExp);
  const digits = scaled.toString().padStart(shownExp + 1, '0');
  const whole = digits.slice(0, digits.length - shownExp).replace(/\B(?=(\d{3})+$)/g, ',');
  return `${code} ${whole}${shownExp ? `.${digits.slice(-shownExp)}` : ''}`;
}

const stripeExp = (code: string) =>
  has(stripe.twoDecimalWholeUnits, code) ? 2 : has(stripe.zeroDecimal, code) ? 0 : has(stripe.threeDecimal, code) ? 3 : 2;
const chargebeeExp = (code: string) => (has(chargebee.zeroDecimal, code) ? 0 : 2);

function viaStripe(code: string, amount: number) {
  const invoice = { object: 'invoice', id: 'in_1', currency: code.toLowerCase(), total: amount, amount_due: amount, amount_paid: 0, amount_remaining: amount, created: 1_762_000_000 };
  return stripeInvoiceEvent(invoice as unknown as Stripe.Invoice, { vendorEventId: 'evt_1', type: 'issued', occurredAt: 0, receivedAt: 0 });
}

function viaChargebee(code: string, amount: number) {
  const invoice = { id: 'inv_1', currency_code: code, total: amount, amount_due: amount, amount_paid: 0, date: 1_762_000_000 };
  return chargebeeInvoiceEvent(invoice as unknown as Invoice, { vendorEventId: 'ev_1', type: 'issued', occurredAt: 0, receivedAt: 0 });
}

// Divisible by 1000, so it is a valid amount in every currency (ISK/UGX must end in 00 at Stripe).
const amount = 123_456_700;

describe('Stripe amounts are shown as Stripe documents them', () => {
  it.each(codes(stripe.accepted))('%s', (code) => {
    const event = viaStripe(code, amount);
    const shown = expected(code, BigInt(amount), stripeExp(code), isoExp(code));
    expect(formatMinor(event.amountDueMinor, event.currency, 'code')).toBe(shown);
    expect(formatMinor(event.totalMinor, event.currency, 'code')).toBe(shown);
  });

  it('the documents\' own examples', () => {
    const show = (code: string, n: number) => formatMinor(viaStripe(code, n).amountDueMinor, code);
    expect(show('IDR', 1_000_000_000)).toBe('IDR 10,000,000.00');
    expect(show('JPY', 5000)).toBe('¥5,000');
    expect(show('KWD', 1234)).toBe('KWD 1.234');
    expect(show('USD', 1000)).toBe('$10.00');
    expect(show('ISK', 500)).toBe('ISK 5'); // "to charge 5 ISK, provide an amount value of 500"
    expect(show('UGX', 500)).toBe('UGX 5');
    expect(show('HUF', 1045)).toBe('HUF 10.45'); // "an available balance of HUF 10.45" = 1045
    expect(show('TWD', 80_045)).toBe('NT$800.45');
    expect(show('MGA', 1000)).toBe('MGA 1,000.00');
  });

  it('refuses an ISK or UGX amount that is not whole units, naming the field', () => {
    expect(() => viaStripe('ISK', 550)).toThrow('data.object.total: 550 is not a whole ISK minor unit');
  });
});

describe('Chargebee amounts are shown as Chargebee documents them', () => {
  it.each(codes(chargebee.accepted))('%s', (code) => {
    const event = viaChargebee(code, amount);
    expect(formatMinor(event.totalMinor, event.currency, 'code')).toBe(expected(code, BigInt(amount), chargebeeExp(code), isoExp(code)));
  });

  it('the documents\' own examples, and a three-decimal currency sent with two decimals', () => {
    const show = (code: string, n: number) => formatMinor(viaChargebee(code, n).totalMinor, code);
    expect(show('USD', 153)).toBe('$1.53'); // "$1.53 should be provided as … 153"
    expect(show('JPY', 15)).toBe('¥15'); // "to specify an amount of JPY 15, set the amount as 15"
    expect(show('KWD', 1234)).toBe('KWD 12.340');
  });
});
