import { describe, expect, it } from 'vitest';
import { HttpProblem, problemCatalogue, refusalOf, runtimeProblem } from './problems.ts';

const shop = problemCatalogue({ SHOP_SOLD_OUT: { status: 409, title: 'Sold out' } });

describe('problem catalogues', () => {
  it('give a declared code its status and title, and a type naming it', () => {
    const problem = shop('SHOP_SOLD_OUT', 'no more red socks', { field: 'sku' });
    expect(problem).toBeInstanceOf(HttpProblem);
    expect([problem.status, problem.title, problem.type, problem.code, problem.message, problem.field])
      .toEqual([409, 'Sold out', 'urn:invoice-signal:problem:SHOP_SOLD_OUT', 'SHOP_SOLD_OUT', 'no more red socks', 'sku']);
    // @ts-expect-error a code the catalogue does not declare does not compile
    expect(() => shop('SHOP_CLOSED', 'closed')).toThrow(TypeError);
  });

  it('turn what a route threw into its refusal: its own problem, the runtime code Fastify used, else a status-only one; a fault is none', () => {
    const declared = shop('SHOP_SOLD_OUT', 'gone');
    expect(refusalOf(declared)).toBe(declared);
    const validation = refusalOf(Object.assign(new Error('body/sku must be string'), { statusCode: 400, code: 'FST_ERR_VALIDATION' }));
    const { title } = runtimeProblem.codes.FST_ERR_VALIDATION;
    expect(validation).toMatchObject({ status: 400, title, type: 'urn:invoice-signal:problem:FST_ERR_VALIDATION' });
    const tooLarge = refusalOf(Object.assign(new Error('too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }));
    expect(tooLarge).toMatchObject({ status: 413, title: 'Payload Too Large', type: 'about:blank', code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(refusalOf(new TypeError('a bug'))).toBeUndefined();
    expect(refusalOf(Object.assign(new Error('broker down'), { statusCode: 503 }))).toBeUndefined();
  });
});
