import { describe, expect, it } from 'vitest';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { loadSchemas } from '@invoice-signal/events';
import { stackEndpoints, uniqueName } from '@invoice-signal/testkit';

const url = stackEndpoints().SCHEMA_REGISTRY_URL;
const avro = (schema: object) => ({ type: SchemaType.AVRO as const, schema: JSON.stringify(schema) });

describe('the schema registry (Apicurio through its Confluent-compatible API)', () => {
  const registry = new SchemaRegistry({ host: url });
  const v1 = loadSchemas().inlined('io.invoicesignal.billing.PaymentStatus') as { fields: object[] };

  it('registers a schema, serves it by id, and finds the same id for the same schema', async () => {
    const subject = `${uniqueName('compat')}-value`;
    const { id } = await registry.register(avro(v1), { subject, compatibility: COMPATIBILITY.BACKWARD });
    const fetched = (await registry.getSchema(id)) as unknown as { name: string };
    expect(fetched.name).toBe('io.invoicesignal.billing.PaymentStatus');
    expect(await registry.getRegistryIdBySchema(subject, avro(v1))).toBe(id);
  });

  it('accepts a backward-compatible change (a new field with a default)', async () => {
    const subject = `${uniqueName('compat')}-value`;
    await registry.register(avro(v1), { subject, compatibility: COMPATIBILITY.BACKWARD });
    const v2 = { ...v1, fields: [...v1.fields, { name: 'note', type: ['null', 'string'], default: null }] };
    const check = await fetch(`${url}/compatibility/subjects/${subject}/versions/latest`, {
      method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema: JSON.stringify(v2) }),
    });
    expect(await check.json()).toMatchObject({ is_compatible: true });
    const { id } = await registry.register(avro(v2), { subject });
    expect(id).toBeGreaterThan(0);
  });

  it('rejects an incompatible change (a new field without a default) with 409', async () => {
    const subject = `${uniqueName('compat')}-value`;
    await registry.register(avro(v1), { subject, compatibility: COMPATIBILITY.BACKWARD });
    const broken = { ...v1, fields: [...v1.fields, { name: 'collectorId', type: 'string' }] };
    const check = await fetch(`${url}/compatibility/subjects/${subject}/versions/latest`, {
      method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema: JSON.stringify(broken) }),
    });
    expect(await check.json()).toMatchObject({ is_compatible: false });
    await expect(registry.register(avro(broken), { subject })).rejects.toMatchObject({ status: 409 });
  });
});
