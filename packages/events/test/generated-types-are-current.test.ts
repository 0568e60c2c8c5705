import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTypes } from '../src/codegen.ts';
import { loadSchemas } from '../src/schemas.ts';

describe('generated types', () => {
  it('match what the schemas in schemas/ generate today (run npm run generate after a schema change)', () => {
    const committed = readFileSync(join(import.meta.dirname, '..', 'src', 'generated', 'types.ts'), 'utf8');
    expect(committed).toBe(renderTypes(loadSchemas().definitions));
  });

  it('inline every named type so each registered schema is self-contained', () => {
    const schema = JSON.stringify(loadSchemas().inlined('io.invoicesignal.billing.AssessedInvoice'));
    expect(schema).toContain('"name":"io.invoicesignal.billing.InvoiceEvent"');
    expect(schema).toContain('"name":"io.invoicesignal.cs.CustomerContext"');
    // CsmOwner is used twice (owner and context.csm) but defined once.
    expect(schema.match(/"name":"io\.invoicesignal\.cs\.CsmOwner"/g)).toHaveLength(1);
  });

  it('keep enum defaults so adding a symbol later stays backward compatible', () => {
    const schema = JSON.stringify(loadSchemas().inlined('io.invoicesignal.billing.InvoiceEvent'));
    expect(schema).toMatch(/"name":"io\.invoicesignal\.billing\.InvoiceEventType".*"default":"unknown"/);
  });
});
