/** Generic generators of bad HTTP input: bodies, content types, headers, path and query values. */
import fc from 'fast-check';

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));

/** Header values fetch can send (visible ASCII); names are tokens. */
export const headerValue = fc.string({ unit: printable, maxLength: 200 });
export const extraHeaders = fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), headerValue, { maxKeys: 4 });

export const contentType = fc.option(
  fc.oneof(
    fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'text/plain', 'text/csv', 'text/xml; charset=utf-8', 'application/xml',
      'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'application/octet-stream', 'application/problem+json', 'application/json;;;', 'garbage', '*/*'),
    headerValue,
  ),
  { nil: undefined },
);

/** A value of the wrong type or shape for almost any field. */
export const wrongValue = fc.oneof(
  fc.constant(null), fc.boolean(), fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(-1, 0, 2 ** 60, -(2 ** 60), Number.MAX_SAFE_INTEGER + 2),
  fc.string({ maxLength: 40 }), fc.constantFrom('', ' ', '1e309', 'NaN', '12,5', "' or 1=1 --", '<script>x</script>', '\u0000', 'x'.repeat(20_000)),
  fc.array(fc.integer(), { maxLength: 3 }), fc.object({ maxDepth: 1 }),
);

const deepNesting = fc.integer({ min: 1000, max: 200_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));

/** Raw bodies: JSON of any shape, text, bytes, broken JSON, deep nesting. */
export const rawBody = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ maxLength: 500 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
  fc.json({ maxDepth: 2 }).map((s) => `${s.slice(0, Math.max(0, s.length - 1))}{`),
  fc.constantFrom('', '{', '}', '[]', '{}', 'null', '0', '"x"', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"x":1}}}', '\ufeff{}', 'payload=%7B', 'payload=null', 'payload=1'),
  deepNesting,
);

/** Path segments: random text (percent-encoded) or hostile constants. */
export const pathSegment = fc.oneof(
  fc.string({ minLength: 1, maxLength: 60 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(encodeURIComponent),
  fc.constantFrom('%00', '%2e%2e', '..%2f..%2fetc%2fpasswd', '%E0%A4%A', '%', '%ff%fe', 'a'.repeat(5000), "'%20or%201=1--", 'csm_chaos_0', '__proto__', 'constructor', '%20'),
);

export const queryString = fc.dictionary(fc.oneof(fc.constantFrom('sort', 'limit', 'offset', 'origin', 'x'), fc.string({ maxLength: 10 })), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('-1', '0', '201', '1e3', '99999999999999999999', 'risk', 'dueDate', '')), { maxKeys: 4 })
  .map((q) => new URLSearchParams(q).toString());
