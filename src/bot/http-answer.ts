// Answering a request to a plugin's `bot.http` route: the handler runs in the plugin's
// queue like any hook, within the event budget, and its outcome becomes an HTTP answer.
import type { Turn } from './contexts.js';
import { findRoute, type HttpResult, type HttpRoute } from './http-routes.js';
import type { BaseContext, HttpContext, PluginHttpRequest } from './types.js';

/** What of a loaded plugin answering a route needs. */
export interface RouteRunner {
  // biome-ignore lint/suspicious/noExplicitAny: routes of a plugin with any options
  routes: readonly HttpRoute<any>[];
  /** Milliseconds the handler may take (the event budget). */
  budget: number;
  /** Queues `task` behind the plugin's earlier work (see PluginInstance.enqueue). */
  enqueue(task: (turn: Turn) => Promise<void>, budget: number): Promise<void>;
  /** The context every hook gets, for `turn`. */
  base(turn: Turn): BaseContext;
  /** Runs plugin code as a hook labelled `label`; false when it failed (reported). */
  run(label: string, fn: () => unknown, turn: Turn): Promise<boolean>;
}

/**
 * Runs the route for `req`. Undefined when the plugin has no route at that path (404),
 * `'method'` when only another method has one (405). A handler that throws is reported
 * like a failed hook and answered 500; one that does not settle in time is abandoned like
 * a hook and answered 504.
 */
export async function answerHttp(
  runner: RouteRunner,
  req: PluginHttpRequest,
): Promise<HttpResult | 'method' | undefined> {
  const route = findRoute(runner.routes, req.method, req.path);
  if (route === undefined || route === 'method') return route;
  const label = `http ${route.method} ${route.path}`;
  const { budget } = runner;
  let result: HttpResult | undefined;
  let taken: Turn | undefined;
  await runner.enqueue(async (turn) => {
    taken = turn;
    let chosen: HttpResult | undefined;
    const ctx: HttpContext = {
      ...runner.base(turn),
      kind: 'http',
      respond: (status, body) => {
        chosen = { status, body };
      },
    };
    let returned: unknown;
    const ran = async (): Promise<void> => {
      returned = await route.handler(req, ctx);
    };
    const ok = await runner.run(label, ran, turn);
    if (turn.abandoned) return;
    result = ok
      ? (chosen ?? { status: returned === undefined ? 204 : 200, body: returned })
      : { status: 500, body: { error: `${label} failed; see the bot's log` } };
  }, budget);
  if (taken?.abandoned) {
    return { status: 504, body: { error: `${label} did not answer within ${budget} ms` } };
  }
  // The queue skipped it: the plugin was unloaded, or it is stopping with a stuck hook.
  return result ?? { status: 503, body: { error: 'the plugin is not running' } };
}
