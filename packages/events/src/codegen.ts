type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const scalar: Record<string, string> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

const simpleName = (name: string) => name.slice(name.lastIndexOf('.') + 1);

function tsType(node: Json): string {
  if (typeof node === 'string') return scalar[node] ?? simpleName(node);
  if (Array.isArray(node)) return node.map(tsType).join(' | ');
  if (node === null || typeof node !== 'object') throw new Error(`unexpected Avro type ${JSON.stringify(node)}`);
  if (typeof node.name === 'string') return simpleName(node.name);
  if (node.type === 'array') return `Array<${tsType(node.items)}>`;
  if (node.type === 'map') return `Record<string, ${tsType(node.values)}>`;
  return tsType(node.type);
}

const docComment = (doc: Json | undefined, indent = '') =>
  typeof doc === 'string' ? `${indent}/** ${doc.replaceAll('*/', '*\\/')} */\n` : '';

function renderDefinition(def: JsonObject): string {
  const name = simpleName(def.name as string);
  if (def.type === 'enum') {
    const symbols = (def.symbols as string[]).map((s) => `'${s}'`);
    return `${docComment(def.doc)}export const ${name}Symbols = [${symbols.join(', ')}] as const;\nexport type ${name} = (typeof ${name}Symbols)[number];\n`;
  }
  if (def.type === 'fixed') return `export type ${name} = Buffer;\n`;
  const fields = (def.fields as JsonObject[]).map((f) => `${docComment(f.doc, '  ')}  ${f.name}: ${tsType(f.type)};`);
  return `${docComment(def.doc)}export interface ${name} {\n${fields.join('\n')}\n}\n`;
}

/** Renders one TypeScript module declaring a type for every named Avro type. */
export function renderTypes(definitions: Map<string, JsonObject>): string {
  const bySimpleName = new Map<string, string>();
  for (const fullName of definitions.keys()) {
    const other = bySimpleName.get(simpleName(fullName));
    if (other) throw new Error(`Avro types ${other} and ${fullName} would share the TypeScript name ${simpleName(fullName)}`);
    bySimpleName.set(simpleName(fullName), fullName);
  }
  const header = '// Generated from schemas/*.avsc by `npm run generate`. Do not edit: change the schema instead.\n';
  return [header, ...[...definitions.values()].map(renderDefinition)].join('\n');
}
