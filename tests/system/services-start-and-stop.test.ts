import { afterAll, describe, expect, it } from 'vitest';
import { serviceNames } from '@invoice-signal/local-stack';
import { SystemUnderTest } from '@invoice-signal/testkit';

describe('every service as a process', () => {
  const system = new SystemUnderTest({ env: { LOG_LEVEL: 'info' } }); // the stop message is an info line
  afterAll(() => system.stop());

  it.each([...serviceNames])('%s starts, connects, reports ready, and stops cleanly on SIGTERM', async (name) => {
    const url = await system.startService(name);
    const management = system.managementUrl(name);
    const ready = (await (await fetch(`${management}/health/ready`)).json()) as { checks: Record<string, string> };
    expect(ready.checks).toMatchObject({ database: 'ok', kafka: 'ok', registry: 'ok', consumers: 'ok' });
    expect(await (await fetch(`${management}/metrics`)).text()).toContain('process_cpu');
    // The service port answers probes but tells nothing about our dependencies, and has no metrics.
    expect(await (await fetch(`${url}/health/ready`)).json()).toEqual({ status: 'ready' });
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(404);

    expect(await system.stopService(name, 'SIGTERM')).toBe(0);
    expect(system.output(name)).toContain(`"msg":"${name} stopped"`);
  });
});
