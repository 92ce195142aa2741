import type { HttpSection } from '../config/types.js';
import { CliExit } from './cli-exit.js';
import { ExitCode } from './exit-codes.js';

/** `--http HOST:PORT` as `serve` and `run` both declare it. */
export function httpOption(what: string) {
  return {
    type: 'string',
    value: 'HOST:PORT',
    describe: `serve ${what} here (port 0 picks a free one; token: env MPCRP_HTTP_TOKEN)`,
  } as const;
}

const asked = (flag: string | undefined, section: HttpSection) =>
  flag !== undefined || section.listen !== undefined;

/**
 * `run`'s HTTP modules and settings, or undefined when no listener is asked for. Loaded
 * only then: without --http neither node:http nor prom-client is.
 */
export async function loadRunHttp(flag: string | undefined, section: HttpSection) {
  if (!asked(flag, section)) return undefined;
  const [{ httpPlan }, { startRunHttp }, { RuntimeStats }] = await Promise.all([
    import('../http/settings.js'),
    import('../http/run-http.js'),
    import('../runtime/stats.js'),
  ]);
  return { plan: httpPlan(flag, section)!, startRunHttp, RuntimeStats };
}

/** `serve`'s HTTP modules and settings, or undefined when no listener is asked for. */
export async function loadServeHttp(flag: string | undefined, section: HttpSection) {
  if (!asked(flag, section)) return undefined;
  const [{ httpPlan }, { startServeHttp }, { ServerStats }] = await Promise.all([
    import('../http/settings.js'),
    import('../http/serve-http.js'),
    import('../server/stats.js'),
  ]);
  return { plan: httpPlan(flag, section)!, startServeHttp, ServerStats };
}

/** A failed bind of the HTTP listener as advice (exit 2), or undefined for other errors. */
export function httpBindFailure(error: unknown): CliExit | undefined {
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.code !== 'EADDRINUSE' && e?.code !== 'EACCES' && e?.code !== 'EADDRNOTAVAIL') {
    return undefined;
  }
  return new CliExit(
    ExitCode.Usage,
    `cannot listen on ${e.address ?? '?'}:${e.port ?? '?'} for --http (${e.code}); choose another address with --http HOST:PORT (port 0 picks a free one)`,
  );
}
