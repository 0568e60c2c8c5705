import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import avro from 'avsc';

/** The schema files in dependency order: a file may use named types of the files before it. */
export const schemaFiles = [
  'invoice-event.avsc',
  'payment-status.avsc',
  'customer-context.avsc',
  'enriched-invoice.avsc',
  'assessed-invoice.avsc',
  'csm-notification.avsc',
] as const;

export const schemasDir = resolve(import.meta.dirname, '..', '..', '..', 'schemas');

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const primitives = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const qualify = (name: string, ns: string) => (name.includes('.') || !ns ? name : `${ns}.${name}`);
const namespaceOf = (fullName: string) => fullName.slice(0, Math.max(0, fullName.lastIndexOf('.')));

/** Every named type in the files, by full name, as written (docs and defaults kept). */
function collectDefinitions(files: JsonObject[]): Map<string, JsonObject> {
  const defs = new Map<string, JsonObject>();
  const visit = (node: Json, ns: string): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n, ns);
      return;
    }
    if (!isObject(node)) return;
    if (typeof node.name === 'string' && ['record', 'enum', 'fixed', 'error'].includes(node.type as string)) {
      const fullName = qualify(node.name, typeof node.namespace === 'string' ? node.namespace : ns);
      if (defs.has(fullName)) throw new Error(`Avro type ${fullName} is defined twice; refer to it by name instead`);
      defs.set(fullName, node);
      for (const field of (node.fields as JsonObject[] | undefined) ?? []) visit(field.type, namespaceOf(fullName));
      return;
    }
    visit(node.type, ns);
    visit(node.items ?? null, ns);
    visit(node.values ?? null, ns);
  };
  for (const f of files) visit(f, '');
  return defs;
}

/** Replaces references to named types with their definition at first use; names become fully qualified. */
function inline(node: Json, ns: string, defs: Map<string, JsonObject>, seen: Set<string>): Json {
  if (Array.isArray(node)) return node.map((n) => inline(n, ns, defs, seen));
  if (typeof node === 'string') {
    if (primitives.has(node)) return node;
    const fullName = qualify(node, ns);
    if (seen.has(fullName)) return fullName;
    const def = defs.get(fullName);
    if (!def) throw new Error(`unknown Avro type ${fullName}`);
    return inline(def, namespaceOf(fullName), defs, seen);
  }
  if (!isObject(node)) return node;
  const named = typeof node.name === 'string' && ['record', 'enum', 'fixed', 'error'].includes(node.type as string);
  if (named) {
    const fullName = qualify(node.name as string, typeof node.namespace === 'string' ? node.namespace : ns);
    if (seen.has(fullName)) return fullName; // defined earlier in this schema: refer to it
    seen.add(fullName);
    const { namespace: _ns, ...rest } = node;
    const out: JsonObject = { ...rest, name: fullName };
    if (Array.isArray(node.fields)) {
      out.fields = (node.fields as JsonObject[]).map((f) => ({ ...f, type: inline(f.type, namespaceOf(fullName), defs, seen) }));
    }
    return out;
  }
  const out: JsonObject = { ...node };
  if (typeof node.type !== 'undefined' && typeof node.type !== 'string') out.type = inline(node.type, ns, defs, seen);
  else if (typeof node.type === 'string' && !primitives.has(node.type) && !['array', 'map'].includes(node.type)) out.type = inline(node.type, ns, defs, seen);
  if (node.items !== undefined) out.items = inline(node.items, ns, defs, seen);
  if (node.values !== undefined) out.values = inline(node.values, ns, defs, seen);
  return out;
}

export interface LoadedSchemas {
  /** The named types of all files, by full name, as written. */
  definitions: Map<string, JsonObject>;
  /** A self-contained schema for a named type: what it uses is inlined, so the registry needs no references. */
  inlined(fullName: string): JsonObject;
}

const loadedByDir = new Map<string, LoadedSchemas>();

export function loadSchemas(dir = schemasDir): LoadedSchemas {
  const known = loadedByDir.get(dir);
  if (known) return known;
  const files = schemaFiles.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as JsonObject);
  const definitions = collectDefinitions(files);
  const loaded: LoadedSchemas = {
    definitions,
    inlined(fullName) {
      const schema = inline(fullName, '', definitions, new Set()) as JsonObject;
      avro.Type.forSchema(schema as avro.Schema); // proves it is self-contained and valid
      return schema;
    },
  };
  loadedByDir.set(dir, loaded);
  return loaded;
}
