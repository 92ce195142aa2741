import type { HttpSection } from '../config/types.js';
import { type ListenAddress, parseListenAddress } from './address.js';
import type { HttpLimits } from './server.js';

/** Where and how `serve --http` / `run --http` listen, from the flag, `http:` and the env. */
export interface HttpPlan extends ListenAddress, Partial<HttpLimits> {
  token?: string;
}

/**
 * The listener's settings: `--http` wins over `http.listen`; the token is `http.token`, else
 * env MPCRP_HTTP_TOKEN. Undefined when neither asks for a listener. Throws ConfigError for a
 * bad address.
 */
export function httpPlan(
  flag: string | undefined,
  section: HttpSection,
  env: Record<string, string | undefined> = process.env,
): HttpPlan | undefined {
  const listen = flag ?? section.listen;
  if (listen === undefined) return undefined;
  const address = parseListenAddress(listen, flag !== undefined ? '--http' : 'http.listen');
  const token = section.token ?? (env.MPCRP_HTTP_TOKEN || undefined);
  return {
    ...address,
    ...(token ? { token } : {}),
    ...(section.maxBodyBytes !== undefined ? { maxBodyBytes: section.maxBodyBytes } : {}),
    ...(section.maxConnections !== undefined ? { maxConnections: section.maxConnections } : {}),
    ...(section.requestTimeout !== undefined ? { requestTimeout: section.requestTimeout } : {}),
    ...(section.responseTimeout !== undefined ? { responseTimeout: section.responseTimeout } : {}),
  };
}
