import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
  /** "AB:CD:…", as Node and openssl print it. */
  sha256: string;
  /** URL-encoded PEM, as nginx (`$ssl_client_escaped_cert`) and AWS ALB pass a client certificate on. */
  escapedPem: string;
}

/** A throwaway self-signed EC certificate made by openssl, valid one day. */
export function selfSignedCertificate(commonName: string): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'cert-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=DNS:${commonName},IP:127.0.0.1`, '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  const cert = readFileSync(certFile);
  return { certFile, keyFile, cert, key: readFileSync(keyFile), sha256: new X509Certificate(cert).fingerprint256, escapedPem: encodeURIComponent(cert.toString('utf8')) };
}
