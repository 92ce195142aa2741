// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings test ${VAR} syntax
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse.js';
import { settingsForDisplay } from '../../src/config/present.js';
import { resolveSettings } from '../../src/config/resolve.js';
import { ConfigError } from '../../src/errors.js';
import { httpPlan } from '../../src/http/settings.js';

const parse = (text: string, env: Record<string, string> = {}) =>
  parseConfig(text, { file: '/tmp/mpcrp-http-test.yaml', displayName: 'c.yaml', env });

function issues(text: string): string[] {
  try {
    parse(text);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
}

describe('the http: section', () => {
  it('takes the shorthand, the full form and ${VAR} for the token (masked when shown)', () => {
    expect(parse('http: 127.0.0.1:9464\n').http).toEqual({ listen: '127.0.0.1:9464' });
    const config = parse(
      'http:\n  listen: :0\n  token: ${TOKEN}\n  requestTimeout: 2s\n  maxBodyBytes: 1024\n',
      { TOKEN: 'abc' },
    );
    expect(config.http).toEqual({
      listen: ':0',
      token: 'abc',
      requestTimeout: 2000,
      maxBodyBytes: 1024,
    });
    const shown = settingsForDisplay(resolveSettings({ config })).http as Record<string, unknown>;
    expect(shown.token).toBe('****');
    expect(shown.requestTimeout).toBe('2s');
  });

  it('reports a bad address and a bad limit with their lines', () => {
    expect(issues('http:\n  listen: nowhere\n  maxConnections: 0\n')).toEqual([
      expect.stringMatching(/^c\.yaml:2:11: http\.listen .*is not an address to listen on/),
      expect.stringMatching(/^c\.yaml:3:19: http\.maxConnections/),
    ]);
    // White space in the host, and a port past 65535, are not addresses either.
    for (const bad of ['"no where:80"', "'127.0.0.1:70000'"])
      expect(issues(`http:\n  listen: ${bad}\n`)).toEqual([
        expect.stringMatching(/^c\.yaml:2:11: http\.listen .*is not an address to listen on/),
      ]);
  });

  it('--http wins over http.listen; the token falls back to MPCRP_HTTP_TOKEN', () => {
    expect(httpPlan(undefined, {}, {})).toBeUndefined();
    expect(httpPlan('0.0.0.0:9000', { listen: ':1' }, { MPCRP_HTTP_TOKEN: 't' })).toEqual({
      host: '0.0.0.0',
      port: 9000,
      token: 't',
    });
    expect(
      httpPlan(undefined, { listen: '[::1]:0', token: 'file' }, { MPCRP_HTTP_TOKEN: 't' }),
    ).toEqual({
      host: '::1',
      port: 0,
      token: 'file',
    });
    expect(() => httpPlan('host:99999', {}, {})).toThrow(/--http: "host:99999" is not an address/);
  });
});
