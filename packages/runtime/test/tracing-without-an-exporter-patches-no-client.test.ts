import http from 'node:http';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startTelemetry, stopTelemetry } from '@invoice-signal/runtime';

/** shimmer, which every OpenTelemetry instrumentation patches with, marks what it wrapped. */
const wrapped = (fn: unknown) => (fn as { __wrapped?: boolean }).__wrapped === true;

describe('telemetry without an exporter', () => {
  afterAll(() => stopTelemetry());

  it('leaves pg and node:http unpatched: a query or a request costs no span that would go nowhere', () => {
    delete process.env.OTEL_TRACES_EXPORTER;
    startTelemetry('no-exporter');
    expect(wrapped(pg.Client.prototype.query)).toBe(false);
    expect(wrapped(http.request)).toBe(false);
    expect(wrapped(http.get)).toBe(false);
  });
});
