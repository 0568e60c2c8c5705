/**
 * Generates src/generated/types.ts from the Avro schemas in schemas/: the TypeScript types
 * services use are derived from the contracts, never copied by hand.
 *   npm run generate            writes the file
 *   npm run generate -- --check exits 1 when the file is not current
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderTypes } from '../src/codegen.ts';
import { loadSchemas } from '../src/schemas.ts';

const target = join(import.meta.dirname, '..', 'src', 'generated', 'types.ts');
const source = renderTypes(loadSchemas().definitions);

if (process.argv.includes('--check')) {
  const current = readFileSync(target, 'utf8');
  if (current !== source) {
    console.error(`${target} is out of date with schemas/: run npm run generate`);
    process.exit(1);
  }
  console.log('generated types are current');
} else {
  writeFileSync(target, source);
  console.log(`wrote ${target}`);
}
