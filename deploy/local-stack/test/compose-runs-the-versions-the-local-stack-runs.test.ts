import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { devSecrets } from '../src/dev-secrets.ts';
import { readSettings } from '../src/settings.ts';

/** The local stack's defaults are the one source of the component versions; compose must agree. */
describe('component versions', () => {
  const compose = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docker-compose.yml'), 'utf8');
  const defaults = readSettings({});

  it('docker-compose.yml runs the Kafka and Apicurio versions the local stack runs', () => {
    expect(compose).toContain(`image: apache/kafka:${defaults.kafkaVersion}\n`);
    expect(compose).toContain(`image: apicurio/apicurio-registry:${defaults.registryVersion}\n`);
    expect(compose.match(/image: apache\/kafka:\S+/g)).toHaveLength(1);
    expect(compose.match(/image: apicurio\/apicurio-registry:\S+/g)).toHaveLength(1);
  });

  it('docker-compose.yml ships no fallback secrets: each one must be set, or compose refuses to start', () => {
    const names = Object.keys(devSecrets(join(mkdtempSync(join(tmpdir(), 'compose-')), 'dev-secrets.env')));
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      expect(compose).toContain(`${name}: \${${name}:?`);
      expect(compose).not.toMatch(new RegExp(`\\$\\{${name}:?-`));
    }
  });

  it('neither compose nor the Helm Service publishes a management port (metrics, detailed readiness): only each service port', () => {
    const published = [...compose.matchAll(/ports: \[([^\]]*)\]/g)].flatMap((m) => m[1]!.split(',').map((p) => p.trim().replace(/"/g, '')));
    const servicePorts = ['3001:3001', '3002:3002', '3003:3003', '3004:3004', '3005:3005'];
    expect(published).toEqual(expect.arrayContaining(servicePorts));
    // Management is the service port + 6000 (9001-9005), and nothing else of a service is published.
    expect(published.filter((p) => /:900\d$/.test(p))).toEqual([]);
    const chart = readFileSync(join(import.meta.dirname, '..', '..', 'helm', 'invoice-signal', 'templates', 'services.yaml'), 'utf8');
    const service = chart.split('\n---\n').find((doc) => /^kind: Service$/m.test(doc))!;
    expect(service.match(/ports: .*/g)).toEqual(['ports: [{ name: http, port: 80, targetPort: http }]']);
  });
});
