import type { HttpHandler, PluginHttp } from './types.js';

/** One `bot.http` route as registered. */
export interface HttpRoute<O> {
  method: 'GET' | 'POST';
  /** Starts with '/', e.g. `/deploy`. */
  path: string;
  handler: HttpHandler<O>;
}

/** What a path may be: '/' and segments of URL-safe characters, no parameters or query. */
const ROUTE_PATH = /^\/[A-Za-z0-9._~\-/]{0,200}$/;

/**
 * `bot.http` during setup(): records routes into the plugin's hooks, refusing a bad path,
 * a handler that is not a function and a route registered twice. `check` is the setup
 * object's own guard (no registration after setup() finished).
 */
export class PluginRouter<O> implements PluginHttp<O> {
  readonly #routes: HttpRoute<O>[];
  readonly #check: (method: string, handler: unknown) => void;
  readonly #fail: (method: string, detail: string) => never;

  constructor(
    routes: HttpRoute<O>[],
    check: (method: string, handler: unknown) => void,
    fail: (method: string, detail: string) => never,
  ) {
    this.#routes = routes;
    this.#check = check;
    this.#fail = fail;
  }

  get(path: string, handler: HttpHandler<O>): this {
    return this.#add('GET', path, handler);
  }

  post(path: string, handler: HttpHandler<O>): this {
    return this.#add('POST', path, handler);
  }

  #add(method: 'GET' | 'POST', path: string, handler: HttpHandler<O>): this {
    const label = `http.${method.toLowerCase()}`;
    this.#check(label, handler);
    if (typeof path !== 'string' || !ROUTE_PATH.test(path) || path.includes('//')) {
      this.#fail(
        label,
        `route path ${JSON.stringify(path)} must start with '/' and hold only letters, digits and . _ ~ - / (e.g. '/deploy')`,
      );
    }
    if (this.#routes.some((r) => r.method === method && r.path === path)) {
      this.#fail(label, `route ${method} ${path} is registered twice`);
    }
    this.#routes.push({ method, path, handler });
    return this;
  }
}

/** The route for `method` and `path`: `'method'` when only another method has that path. */
export function findRoute<O>(
  routes: readonly HttpRoute<O>[],
  method: string,
  path: string,
): HttpRoute<O> | 'method' | undefined {
  let other = false;
  for (const route of routes) {
    if (route.path !== path) continue;
    if (route.method === method) return route;
    other = true;
  }
  return other ? 'method' : undefined;
}

/** What a route's handler answered: the status and a body (string: text; other: JSON). */
export interface HttpResult {
  status: number;
  /** `undefined` for no body. */
  body: unknown;
}
