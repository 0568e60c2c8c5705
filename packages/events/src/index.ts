export * from './generated/types.ts';
export * from './catalogue.ts';
export * from './errors.ts';
export { AvroSerde, type SerdeOptions } from './serde.ts';
export { loadSchemas, schemaFiles, schemasDir } from './schemas.ts';
export { CurrencyError, formatMinor, iso4217Exponents, isCurrency, minorExponent, minorToDecimal, toMinor, vendorMinorToIso, type Vendor } from './currency.ts';
export { endOfLocalDay, instantOf, isCalendarDate, isTimeZone, localDateOf, parseIsoDateOrInstant, startOfLocalDay, type IsoValue } from './due-date.ts';
