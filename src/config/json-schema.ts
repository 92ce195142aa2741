// The config's shape as a JSON Schema, for editors: with the YAML language server, a
// `# yaml-language-server: $schema=...` line gives completion, hovers and checks in
// mpcrp-bot.yaml. Derived from CONFIG_SCHEMA so the two cannot drift; the published file
// (schema/mpcrp-bot.schema.json) is this function's output, checked by a test.
import { CONFIG_SCHEMA } from './config-schema.js';
import { DURATION_EXPECTED } from './duration.js';
import type { Schema } from './schema.js';

type Json = Record<string, unknown>;

/** Any string value may be `${VAR}`: where a number or a list is wanted, allow that too. */
const INTERPOLATED: Json = {
  type: 'string',
  pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}',
  description: `read from the environment: $${'{VAR}'} or $${'{VAR:-default}'}`,
};
const orInterpolated = (schema: Json): Json => ({ anyOf: [schema, INTERPOLATED] });

function convert(schema: Schema): Json {
  const extra = schema.json ?? {};
  switch (schema.kind) {
    case 'string':
      return {
        type: 'string',
        ...(schema.expected ? { description: schema.expected } : {}),
        ...extra,
      };
    case 'number': {
      const out: Json = { type: schema.integer ? 'integer' : 'number' };
      if (schema.min === Number.EPSILON) out.exclusiveMinimum = 0;
      else if (schema.min !== undefined) out.minimum = schema.min;
      if (schema.max !== undefined) out.maximum = schema.max;
      if (schema.expected) out.description = schema.expected;
      return orInterpolated({ ...out, ...extra });
    }
    case 'boolean':
      return orInterpolated({ type: 'boolean', ...extra });
    case 'duration':
      return {
        description: DURATION_EXPECTED,
        anyOf: [
          { type: 'number', minimum: 0 },
          { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)?\\s*$' },
          INTERPOLATED,
        ],
        ...extra,
      };
    case 'date':
      return {
        type: 'string',
        description:
          "an ISO 8601 date or date-time, e.g. '2026-03-01 09:00' or '2026-03-01T09:00:00+01:00'",
        ...extra,
      };
    case 'enum':
      return orInterpolated({ enum: [...schema.values], ...extra });
    case 'list': {
      const out: Json = { type: 'array', items: convert(schema.item) };
      if (schema.unique) out.uniqueItems = true;
      if (schema.nonEmpty) out.minItems = 1;
      if (schema.expected) out.description = schema.expected;
      return { ...out, ...extra };
    }
    case 'object': {
      const properties: Json = {};
      const required: string[] = [];
      for (const [key, field] of Object.entries(schema.fields)) {
        properties[key] = convert(field.schema);
        if (field.required) required.push(key);
        if (field.default !== undefined) (properties[key] as Json).default = field.default;
      }
      const object: Json = {
        type: 'object',
        properties,
        ...(required.length > 0 ? { required } : {}),
        additionalProperties: false,
        ...extra,
      };
      if (!schema.shorthand) return object;
      return { anyOf: [convert(schema.fields[schema.shorthand]!.schema), object] };
    }
    case 'any':
      return { ...extra };
    case 'oneOf':
      return { description: schema.expected, anyOf: schema.options.map(convert), ...extra };
  }
}

/**
 * The JSON Schema (draft-07, what the YAML language server reads best) of mpcrp-bot.yaml.
 *
 * @example
 * writeFileSync('schema/mpcrp-bot.schema.json', `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
 */
export function configJsonSchema(): Json {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'mpcrp-bot.yaml',
    description:
      'Configuration of mpcrp-bot: server, bots, announcements and the built-in server (docs/config.md)',
    ...convert(CONFIG_SCHEMA),
  };
}
