/**
 * JSON Schema → TypeScript type text, for the subset the API's response schemas use ($ref to a
 * component, oneOf/anyOf/allOf, const, enum, type lists, objects open or closed, arrays). The web
 * app's answer types are generated from the schemas with it, so the two cannot drift.
 */
type Schema = Record<string, unknown>;

const literal = (v: unknown) => JSON.stringify(v);
const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
const paren = (t: string) => (/[|&]/.test(t) && !/^[({[]/.test(t) ? `(${t})` : t);

/** The TypeScript type of a schema; `$ref`s to `#/components/schemas/X` become `X`. */
export function schemaToTs(schema: Schema | boolean | undefined, indent = ''): string {
  if (schema === undefined || schema === true) return 'unknown';
  if (schema === false) return 'never';
  if (typeof schema.$ref === 'string') return schema.$ref.split('/').pop()!;
  if (schema.const !== undefined) return literal(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map(literal).join(' | ');
  for (const combiner of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(schema[combiner])) return (schema[combiner] as Schema[]).map((s) => paren(schemaToTs(s, indent))).join(' | ');
  }
  if (Array.isArray(schema.allOf)) {
    const { allOf, ...rest } = schema;
    const parts = (allOf as Schema[]).map((s) => paren(schemaToTs(s, indent)));
    if (rest.properties || rest.required) parts.push(schemaToTs({ type: 'object', additionalProperties: true, ...rest }, indent));
    return parts.join(' & ');
  }
  if (Array.isArray(schema.type)) return (schema.type as string[]).map((t) => paren(schemaToTs({ ...schema, type: t }, indent))).join(' | ');
  switch (schema.type) {
    case 'string': return 'string';
    case 'integer':
    case 'number': return 'number';
    case 'boolean': return 'boolean';
    case 'null': return 'null';
    case 'array': {
      // A union of object types starts with "{", which paren() leaves bare: wrap unions whole.
      const items = schema.items as Schema | undefined;
      const inner = schemaToTs(items, indent);
      return items && (Array.isArray(items.oneOf) || Array.isArray(items.anyOf)) ? `(${inner})[]` : `${paren(inner)}[]`;
    }
    case 'object': return objectType(schema, indent);
    default: return schema.properties ? objectType(schema, indent) : 'unknown';
  }
}

function objectType(schema: Schema, indent: string): string {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const extra = schema.additionalProperties;
  const inner = `${indent}  `;
  const lines = Object.entries(props).map(([k, v]) => {
    const doc = typeof v.description === 'string' ? `${inner}/** ${v.description.replace(/\*\//g, '* /')} */\n` : '';
    return `${doc}${inner}${key(k)}${required.has(k) ? '' : '?'}: ${schemaToTs(v, inner)};`;
  });
  if (extra !== false) lines.push(`${inner}[key: string]: ${typeof extra === 'object' ? schemaToTs(extra as Schema, inner) : 'unknown'};`);
  if (lines.length === 0) return 'Record<string, never>';
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** A module of exported types, one per named schema, with a header saying where it comes from. */
export function typesModule(schemas: Record<string, Schema>, header: string): string {
  const body = Object.entries(schemas).map(([name, schema]) => {
    const doc = typeof schema.description === 'string' ? `/** ${schema.description} */\n` : '';
    return `${doc}export type ${name} = ${schemaToTs(schema)};\n`;
  });
  return `${header}\n${body.join('\n')}`;
}
