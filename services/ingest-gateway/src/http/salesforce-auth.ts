import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { ingestProblem, unauthorized } from '../errors.ts';
import { addressList, clients } from '@invoice-signal/runtime';
import { sameSecret } from './auth.ts';

/**
 * What Salesforce outbound messaging can prove about a sender, checked before a byte of XML is
 * parsed: the secret token in the endpoint URL (always), its client certificate (when
 * SALESFORCE_CLIENT_CERT_SHA256 is set), and its address (when SALESFORCE_ALLOWED_IPS is set).
 * The organisation id inside the message is checked afterwards, but it is not a secret.
 */
export function salesforceGate(config: Config) {
  const fingerprints = config.SALESFORCE_CLIENT_CERT_SHA256.map(normaliseFingerprint);
  const sources = clients(config.TRUSTED_PROXIES);
  const isAllowed = addressList(config.SALESFORCE_ALLOWED_IPS);
  return (request: FastifyRequest): void => {
    if (config.SALESFORCE_ALLOWED_IPS.length) {
      const client = sources.clientOf(request);
      if (!isAllowed(client)) throw ingestProblem('INGEST_FORBIDDEN', `client address ${client} is not in SALESFORCE_ALLOWED_IPS`);
    }
    const token = (request.query as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || !sameSecret(token, config.SALESFORCE_ENDPOINT_TOKEN)) {
      throw unauthorized('missing or wrong endpoint token: the outbound message endpoint URL must end in ?token=<SALESFORCE_ENDPOINT_TOKEN>');
    }
    if (fingerprints.length) {
      const presented = presentedFingerprint(request, config.SALESFORCE_CLIENT_CERT_HEADER, sources.isTrustedPeer(request));
      if (!presented) throw unauthorized('no client certificate: Salesforce must send its client certificate (SALESFORCE_CLIENT_CERT_SHA256 is set)');
      if (!fingerprints.some((f) => sameSecret(f, presented))) throw unauthorized('the client certificate is not one of SALESFORCE_CLIENT_CERT_SHA256');
    }
  };
}

/**
 * The SHA-256 fingerprint of the client certificate: from the TLS session when TLS ends here, or
 * from the header a trusted proxy that ended TLS sets to the URL-encoded PEM (nginx
 * `$ssl_client_escaped_cert`, AWS ALB `X-Amzn-Mtls-Clientcert`). Anyone else's header is ignored.
 */
function presentedFingerprint(request: FastifyRequest, header: string, fromTrustedProxy: boolean): string | undefined {
  const socket = request.socket as Partial<TLSSocket>;
  if (socket.encrypted && typeof socket.getPeerCertificate === 'function') {
    const peer = socket.getPeerCertificate();
    if (peer?.fingerprint256) return normaliseFingerprint(peer.fingerprint256);
  }
  const value = request.headers[header.toLowerCase()];
  if (!fromTrustedProxy || typeof value !== 'string' || !value) return undefined;
  try {
    return normaliseFingerprint(new X509Certificate(decodeURIComponent(value)).fingerprint256);
  } catch {
    return undefined;
  }
}

/** "ab:cd:…" or "ABCD…" → "ABCD…". */
export const normaliseFingerprint = (f: string) => f.replaceAll(':', '').trim().toUpperCase();
