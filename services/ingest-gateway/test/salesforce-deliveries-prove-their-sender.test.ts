import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '@invoice-signal/runtime';
import { outboundMessage, selfSignedCertificate, soapHeaders, uniqueName, type TestCertificate } from '@invoice-signal/testkit';
import type { Config } from '../src/config.ts';
import { deleteNamespaceTopics, secrets, startGateway } from './support/gateway.ts';

const detail = async (res: Response) => ((await res.json()) as { detail: string }).detail;

const invoice = (id: string) => ({
  type: 'blng__Invoice__c',
  fields: {
    Id: id, Name: 'INV-1', blng__Account__c: '0015g00000AcmeAAA', blng__InvoiceStatus__c: 'Posted', blng__TotalAmount__c: '10.00',
    blng__Balance__c: '10.00', blng__InvoiceDate__c: '2026-11-01', blng__DueDate__c: '2026-12-01', CurrencyIsoCode: 'EUR', LastModifiedDate: '2026-11-01T09:30:00.000Z',
  },
});

describe('Salesforce deliveries prove their sender before the XML is read', () => {
  const salesforce = selfSignedCertificate('salesforce-client');
  const stranger = selfSignedCertificate('someone-else');
  const server = selfSignedCertificate('localhost');
  const namespace = uniqueName('sf_auth');
  let behindProxy: RunningService<Config>;
  let direct: RunningService<Config>;
  let tls: RunningService<Config>;

  beforeAll(async () => {
    // Behind a load balancer (loopback stands for it) that ends TLS and passes the client certificate on.
    behindProxy = await startGateway(namespace, { TRUSTED_PROXIES: '127.0.0.1', SALESFORCE_ALLOWED_IPS: '10.9.9.0/24', SALESFORCE_CLIENT_CERT_SHA256: salesforce.sha256, SALESFORCE_CLIENT_CERT_HEADER: 'x-ssl-client-cert' });
    // Reached directly: nobody's certificate header is believed.
    direct = await startGateway(namespace, { SALESFORCE_CLIENT_CERT_SHA256: salesforce.sha256, SALESFORCE_CLIENT_CERT_HEADER: 'x-ssl-client-cert' });
    // TLS ends at the gateway: the certificate of the TLS session itself is checked.
    tls = await startGateway(namespace, { SALESFORCE_CLIENT_CERT_SHA256: salesforce.sha256, TLS_CERT_FILE: server.certFile, TLS_KEY_FILE: server.keyFile });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([behindProxy?.stop(), direct?.stop(), tls?.stop()]);
    await deleteNamespaceTopics(namespace);
  });

  const post = (gateway: RunningService<Config>, query: string, headers: Record<string, string>, body = outboundMessage(secrets.SALESFORCE_ORG_ID, [invoice(`a0x${Date.now()}`)])) =>
    fetch(`${gateway.url}/api/webhooks/billing/salesforce${query}`, { method: 'POST', headers: { ...soapHeaders, ...headers }, body });
  const token = `?token=${secrets.SALESFORCE_ENDPOINT_TOKEN}`;
  const from = (address: string, cert?: string) => ({ 'x-forwarded-for': address, ...(cert ? { 'x-ssl-client-cert': cert } : {}) });

  it('refuses a missing or wrong endpoint token with 401 before parsing: a malformed body is not even read', async () => {
    const noToken = await post(direct, '', {}, '<not-xml');
    expect(noToken.status).toBe(401);
    expect(await detail(noToken)).toMatch(/endpoint token/);
    expect((await post(direct, '?token=sf-endpoint-token-012345678X', {}, '<not-xml')).status).toBe(401);
    // The right token lets the same malformed body through to the parser, which refuses it.
    expect((await post(behindProxy, token, from('10.9.9.7', salesforce.escapedPem), '<not-xml')).status).toBe(400);
  });

  it('takes a delivery only from an allowed address, with the token and Salesforce client certificate', async () => {
    expect((await post(behindProxy, token, from('10.9.9.7', salesforce.escapedPem))).status).toBe(200);
    const outside = await post(behindProxy, token, from('203.0.113.5', salesforce.escapedPem));
    expect(outside.status).toBe(403);
    expect(await detail(outside)).toMatch(/203\.0\.113\.5 is not in SALESFORCE_ALLOWED_IPS/);
    expect((await post(behindProxy, '', from('10.9.9.7', salesforce.escapedPem))).status).toBe(401);
    const noCert = await post(behindProxy, token, from('10.9.9.7'));
    expect(noCert.status).toBe(401);
    expect(await detail(noCert)).toMatch(/no client certificate/);
    const wrongCert = await post(behindProxy, token, from('10.9.9.7', stranger.escapedPem));
    expect(wrongCert.status).toBe(401);
    expect(await detail(wrongCert)).toMatch(/not one of SALESFORCE_CLIENT_CERT_SHA256/);
    expect((await post(behindProxy, token, from('10.9.9.7', 'garbage%%'))).status).toBe(401);
  });

  it('ignores a certificate header that did not come through a trusted proxy', async () => {
    expect((await post(direct, token, { 'x-ssl-client-cert': salesforce.escapedPem })).status).toBe(401);
  });

  it('checks the client certificate of the TLS session when TLS ends at the gateway', async () => {
    const url = new URL(tls.url);
    expect(url.protocol).toBe('https:');
    const post = (client?: TestCertificate) => new Promise<number>((resolve, reject) => {
      const body = outboundMessage(secrets.SALESFORCE_ORG_ID, [invoice(`a0x${Date.now()}`)]);
      const req = httpsRequest({ host: url.hostname, port: url.port, method: 'POST', path: `/api/webhooks/billing/salesforce${token}`, headers: soapHeaders, ca: server.cert, ...(client ? { cert: client.cert, key: client.key } : {}) }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(await post(salesforce)).toBe(200);
    expect(await post(stranger)).toBe(401);
    expect(await post()).toBe(401);
  });

  it('keeps metric labels to a closed set: a made-up object type is counted as "other"', async () => {
    const forged = `Forged_${Date.now()}__c`;
    const res = await post(behindProxy, token, from('10.9.9.7', salesforce.escapedPem), outboundMessage(secrets.SALESFORCE_ORG_ID, [{ type: forged, fields: { Id: 'a0xFORGED' } }]));
    expect(res.status).toBe(200);
    const metrics = await (await fetch(`${behindProxy.managementUrl}/metrics`)).text();
    expect(metrics).not.toContain(forged);
    expect(metrics).toMatch(/ingest_deliveries_total\{source="salesforce",type="other",outcome="ignored"\} [1-9]/);
  });
});
