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

/**
 * Settings as a plain object for printing: durations readable, empty parts left out. With
 * `serveDefaults` (the server's own, which the config layer does not import), `serve:` is
 * shown as the server would run it: the file's keys over those defaults.
 */
export function settingsForDisplay(
  settings: Settings,
  serveDefaults?: Record<string, unknown>,
): Record<string, unknown> {
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
  if (serveDefaults !== undefined || Object.keys(settings.serve).length > 0) {
    out.serve = serveForDisplay(settings.serve, serveDefaults);
  }
  return out;
}

/** `serve:` resolved over `defaults`: every key the server uses, timeouts as durations. */
function serveForDisplay(
  given: Settings['serve'],
  defaults: Record<string, unknown> = {},
): Record<string, unknown> {
  const { tls: tlsDefaults, ...rest } = defaults as { tls?: Record<string, unknown> };
  const serve: Record<string, unknown> = { ...rest, ...given };
  if (given.tls !== undefined) serve.tls = { ...tlsDefaults, ...given.tls };
  const readable = (o: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(o)) {
      if (/Timeout$/.test(key) && typeof value === 'number') o[key] = formatDuration(value);
    }
  };
  readable(serve);
  if (serve.tls !== undefined) readable(serve.tls as Record<string, unknown>);
  return serve;
}
