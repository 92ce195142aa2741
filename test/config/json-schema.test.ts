// The published JSON Schema (schema/mpcrp-bot.schema.json), the config's one description of
// its shape: a valid draft-07 schema by a second validator (ajv, as editors' YAML servers
// use), and what that validator makes of the examples and of broken files.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const published = JSON.parse(readFileSync(root('schema/mpcrp-bot.schema.json'), 'utf8'));
// strictRequired would refuse the usual oneOf-of-required idiom (text xor command).
const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
const validate = ajv.compile(published);
const examples = readdirSync(root('examples')).filter((f) => f.endsWith('.yaml'));

function errorsOf(text: string): string[] {
  if (validate(parse(text))) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('schema/mpcrp-bot.schema.json', () => {
  it('is a valid draft-07 schema that every key of the file is described in', () => {
    expect(ajv.validateSchema(published)).toBe(true);
    // Messages say "(expected <description>)": every property needs one.
    const undescribed: string[] = [];
    const walk = (schema: Record<string, unknown>, at: string) => {
      const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [key, sub] of Object.entries(props)) {
        if (typeof sub.description !== 'string') undescribed.push(`${at}/${key}`);
        walk(sub, `${at}/${key}`);
      }
      const inner = [...((schema.anyOf ?? []) as []), ...(schema.items ? [schema.items] : [])];
      for (const sub of inner) walk(sub as Record<string, unknown>, at);
    };
    walk(published, '');
    expect(undescribed).toEqual([]);
  });

  it.each([...examples.map((f) => `examples/${f}`), 'test/config/fixtures/valid.yaml'])(
    '%s is valid under it',
    (path) => {
      expect(errorsOf(readFileSync(root(path), 'utf8'))).toEqual([]);
    },
  );

  it.each(examples)('examples/%s names it for the YAML language server', (name) => {
    expect(readFileSync(root(`examples/${name}`), 'utf8')).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/schema\/mpcrp-bot\.schema\.json\n/,
    );
  });

  it('flags what an editor should flag', () => {
    expect(errorsOf('romos: [team]\n')).toEqual([' must NOT have additional properties']);
    expect(errorsOf('serve: { port: 70000 }\n')).toContain('/serve/port must be <= 65535');
    expect(errorsOf('rooms: ["a b"]\n').join()).toMatch(/\/rooms\/0 must match pattern/);
    expect(
      errorsOf(
        'announcements: [{ name: a, cron: "* * * * *", rooms: [r], text: x, command: y }]\n',
      ),
    ).toContain('/announcements/0 must match exactly one schema in oneOf');
    expect(errorsOf('outbox: { rate: fast }\n').length).toBeGreaterThan(0);
    // ${VAR} stands in for numbers and names: the value is checked once it is read.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config syntax under test
    expect(errorsOf('serve: { port: "${PORT:-8890}" }\nuser: ${BOT_USER:-a:b}\n')).toEqual([]);
  });
});
