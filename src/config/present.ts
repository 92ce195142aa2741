import { formatDuration } from './duration.js';
import type { Settings } from './resolve.js';

export const MASK = '****';

const SECRET_NAME =
  /^(key|password|passwd|token|secret)$|[_-](key|password|token|secret)$|[a-z](Key|Password|Token|Secret)$/i;

/** True for keys whose values are hidden when printed: key, password, token, secret, apiKey... */
export function isSecretKey(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * A copy of `value` safe to print: every value that came from ${VAR} interpolation
 * (`secretValues`) and every value under a secret-named key becomes `****`.
 */
export function maskSecrets(
  value: unknown,
  secretValues: ReadonlySet<string>,
  key?: string,
): unknown {
  if (value === undefined || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, secretValues, key));
  if (value instanceof Date) return value;
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskSecrets(v, secretValues, k);
    return out;
  }
  if (key !== undefined && isSecretKey(key)) return MASK;
  if (secretValues.has(String(value))) return MASK;
  return value;
}

/** Settings as a plain object for printing: durations readable, empty parts left out. */
export function settingsForDisplay(settings: Settings): Record<string, unknown> {
  const out: Record<string, unknown> = {
    server: settings.server,
    serverSource: settings.serverSource,
  };
  if (settings.user !== undefined) {
    out.user = settings.user;
    out.userSource = settings.userSource;
  }
  out.rooms = settings.rooms;
  out.prefix = settings.prefix;
  out.presence = { interval: formatDuration(settings.presenceInterval) };
  out.outbox = settings.outbox;
  out.log = settings.log;
  out.tls = settings.tls;
  out.bots = settings.bots.map((b) => ({
    path: b.path,
    enabled: b.enabled,
    ...(b.enable ? { enable: b.enable } : {}),
    ...(b.disable.length > 0 ? { disable: b.disable } : {}),
    options: b.options,
  }));
  if (Object.keys(settings.serve).length > 0) {
    const serve: Record<string, unknown> = { ...settings.serve };
    for (const key of [
      'registrationTimeout',
      'writeTimeout',
      'throttleTimeout',
      'closeTimeout',
    ] as const) {
      const ms = settings.serve[key];
      if (ms !== undefined) serve[key] = formatDuration(ms);
    }
    const tls = settings.serve.tls;
    if (tls?.handshakeTimeout !== undefined)
      serve.tls = { ...tls, handshakeTimeout: formatDuration(tls.handshakeTimeout) };
    out.serve = serve;
  }
  if (Object.keys(settings.http).length > 0) {
    const { token, requestTimeout, responseTimeout, ...rest } = settings.http;
    out.http = {
      ...rest,
      ...(token !== undefined ? { token: MASK } : {}),
      ...(requestTimeout !== undefined ? { requestTimeout: formatDuration(requestTimeout) } : {}),
      ...(responseTimeout !== undefined
        ? { responseTimeout: formatDuration(responseTimeout) }
        : {}),
    };
  }
  return out;
}
