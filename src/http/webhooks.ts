import type { PluginHttpRequest } from '../bot/types.js';
import { isValidName } from '../protocol/names.js';
import type { BotRuntime } from '../runtime/create.js';
import type { Endpoint, HttpReply, HttpRequest, Router } from './server.js';

const ROOM_MESSAGES = /^\/rooms\/([^/]+)\/messages$/;
const PLUGIN_PATH = /^\/plugins\/([^/]+)(\/.*)?$/;

function isJson(req: HttpRequest): boolean {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  return /^application\/([\w.+-]*\+)?json\b/.test(type);
}

/** The text a webhook post carries: the body itself, or `text` of a JSON body. */
function messageText(req: HttpRequest): string | HttpReply {
  const raw = req.body.toString('utf8');
  if (!isJson(req)) return raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { status: 400, body: { error: 'the body is not valid JSON' } };
  }
  const text = (parsed as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') {
    return {
      status: 400,
      body: { error: 'a JSON body needs a string "text", e.g. {"text":"deployed"}' },
    };
  }
  return text;
}

/**
 * `POST /rooms/:room/messages`: the text (plain body, or JSON `{"text": ...}`) goes into the
 * room through the bot's outbox, so it keeps the rate limit and is held while disconnected.
 * 202 once queued; 404 for a room the bot is not in; 503 when the outbox is full.
 */
function roomMessages(runtime: BotRuntime, room: string): Endpoint {
  return {
    name: 'rooms',
    body: true,
    handle(req) {
      if (!isValidName('room', room) || !runtime.wantedRooms.includes(room)) {
        return {
          status: 404,
          body: {
            error: `the bot is not in room ${JSON.stringify(room)}`,
            rooms: runtime.wantedRooms,
          },
        };
      }
      const text = messageText(req);
      if (typeof text !== 'string') return text;
      if (text.trim() === '') return { status: 400, body: { error: 'the message is empty' } };
      const before = runtime.outboxStats.overflowed;
      if (runtime.send(room, text)) return { status: 202, body: { queued: true, room } };
      const full = runtime.outboxStats.overflowed > before;
      return full
        ? {
            status: 503,
            body: { error: 'the outbox is full; try again later' },
            headers: { 'retry-after': '5' },
          }
        : { status: 404, body: { error: `the bot is not in room ${JSON.stringify(room)}` } };
    },
  };
}

/** `/plugins/<name>/<path>`: a plugin's `bot.http` route, JSON bodies parsed. */
function pluginRoute(runtime: BotRuntime, plugin: string, path: string): Endpoint {
  return {
    name: 'plugins',
    body: true,
    async handle(req) {
      let body: unknown = req.body.toString('utf8');
      if (isJson(req)) {
        try {
          body = req.body.length === 0 ? undefined : JSON.parse(body as string);
        } catch {
          return { status: 400, body: { error: 'the body is not valid JSON' } };
        }
      }
      const request: PluginHttpRequest = {
        method: req.method,
        path,
        query: req.query,
        headers: req.headers,
        body,
        rawBody: req.body,
      };
      const result = await runtime.engine.handleHttp(plugin, request);
      if (result === undefined)
        return { status: 404, body: { error: `no route ${path} in ${plugin}` } };
      if (result === 'method') return { status: 405, body: { error: 'method not allowed' } };
      return result;
    },
  };
}

/** The routes `run --http` serves beside /healthz, /readyz and /metrics. */
export function webhookRouter(runtime: BotRuntime): Router {
  return (method, path) => {
    const room = ROOM_MESSAGES.exec(path);
    if (room) {
      if (method !== 'POST') return { allow: 'POST' };
      return roomMessages(runtime, safeDecode(room[1]!));
    }
    const plugin = PLUGIN_PATH.exec(path);
    if (plugin) {
      const name = safeDecode(plugin[1]!);
      const sub = plugin[2] ?? '/';
      const routes = runtime.engine.httpRoutes().filter((r) => r.plugin === name && r.path === sub);
      if (routes.length === 0) return undefined;
      if (!routes.some((r) => r.method === method)) {
        return { allow: routes.map((r) => r.method).join(', ') };
      }
      return pluginRoute(runtime, name, sub);
    }
    return undefined;
  };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
