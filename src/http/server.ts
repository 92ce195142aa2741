import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { formatHttpUrl } from './address.js';
import { sampled } from './sampled.js';

/** The HTTP listener's limits; each has a default fit for a metrics and webhook port. */
export interface HttpLimits {
  /** Largest request body, in bytes; a bigger one is answered 413. Default 65,536. */
  maxBodyBytes: number;
  /** HTTP connections open at once; more are closed as they come. Default 64. */
  maxConnections: number;
  /** Milliseconds for a whole request (headers and body) to arrive; a slower one gets 408. Default 10,000. */
  requestTimeout: number;
  /** Milliseconds for the request headers to arrive. Default 5,000. */
  headersTimeout: number;
  /** Milliseconds a handler (a plugin route) may take to answer; then 504. Default 30,000. */
  responseTimeout: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  maxBodyBytes: 64 * 1024,
  maxConnections: 64,
  requestTimeout: 10_000,
  headersTimeout: 5_000,
  responseTimeout: 30_000,
});

/** A request as an endpoint sees it, its body read (within the limit) when it asked for it. */
export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** An answer: a string body is sent as text, anything else (but undefined) as JSON. */
export interface HttpReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What serves one path; `body: true` reads the request body first. */
export interface Endpoint {
  /** Label of the `mpcrp_http_requests_total` metric (keep their number small). */
  name: string;
  body: boolean;
  handle(req: HttpRequest): HttpReply | Promise<HttpReply>;
}

/**
 * Finds the endpoint for a path other than /healthz, /readyz and /metrics: undefined for
 * none (404), `{ allow }` when the path exists for other methods only (405).
 */
export type Router = (method: string, path: string) => Endpoint | { allow: string } | undefined;

export interface Readiness {
  ready: boolean;
  /** What was checked, e.g. `{ listening: true }` or `{ connected: false }`. */
  checks: Record<string, boolean>;
}

export interface HttpServerOptions extends Partial<HttpLimits> {
  host: string;
  port: number;
  /** When set, every path but /healthz needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** /metrics serves this registry. */
  registry: Registry;
  /** /readyz: 200 when ready, else 503, with the checks as JSON. */
  readiness: () => Readiness | Promise<Readiness>;
  /** Everything else (webhooks, plugin routes). */
  router?: Router;
  logger: Logger;
}

export interface RunningHttp {
  /** `http://host:port`, the real port when 0 was asked for. */
  url: string;
  port: number;
  /** Stops listening and cuts open HTTP connections (chat connections are not its business). */
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Starts the operations listener: /healthz, /readyz, /metrics and the given routes, on
 * node:http (a few fixed paths and two body types do not earn a framework). Built so a
 * hostile client costs the chat traffic in the same process next to nothing: bounded
 * connections, header and whole-request deadlines (slow bodies get 408), a body cap checked
 * before reading (413), bodies read only for routes that take one and only after the token
 * check, and one /metrics rendering shared by concurrent scrapes.
 *
 * @example
 * const web = await startHttpServer({ host: '127.0.0.1', port: 0, registry, readiness, logger });
 * console.log(`MPCRP_HTTP=${web.url}`);
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttp> {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS };
  for (const key of Object.keys(DEFAULT_HTTP_LIMITS) as (keyof HttpLimits)[]) {
    const value = options[key];
    if (value !== undefined) limits[key] = value;
  }
  const { registry, logger } = options;
  const requests = new Map<string, number>();
  sampled(registry, {
    name: 'mpcrp_http_requests_total',
    help: 'Requests to this HTTP listener, by endpoint and status code.',
    type: 'counter',
    collect: () =>
      [...requests].map(([key, value]) => {
        const [endpoint = '', code = ''] = key.split(' ');
        return { labels: { endpoint, code }, value };
      }),
  });
  const tokenDigest = options.token ? digest(options.token) : undefined;
  let scrape: Promise<string> | undefined;
  const metricsText = (): Promise<string> => {
    // Concurrent scrapes share one rendering: a flood of /metrics costs one, not thousands.
    scrape ??= registry.metrics().finally(() => {
      scrape = undefined;
    });
    return scrape;
  };

  const server = http.createServer({
    requestTimeout: limits.requestTimeout,
    headersTimeout: Math.min(limits.headersTimeout, limits.requestTimeout),
    keepAliveTimeout: 5_000,
    maxHeaderSize: 16 * 1024,
    // How often node:http checks the two deadlines above (its default is every 30 s).
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, limits.requestTimeout / 4)),
  });
  server.maxConnections = limits.maxConnections;
  server.maxRequestsPerSocket = 1_000;

  const send = (res: ServerResponse, endpoint: string, reply: HttpReply, close = false): void => {
    const key = `${endpoint} ${reply.status}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string> = { ...reply.headers };
    let payload: string | undefined;
    if (typeof reply.body === 'string') {
      payload = reply.body;
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else if (reply.body !== undefined) {
      payload = `${JSON.stringify(reply.body)}\n`;
      headers['content-type'] ??= JSON_TYPE;
    }
    // An unread body must not be drained from a client we are refusing: close instead.
    if (close) headers.connection = 'close';
    if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
    res.writeHead(reply.status, headers);
    res.end(payload);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (path === '/healthz') {
      if (method !== 'GET' && method !== 'HEAD')
        return send(res, 'healthz', notAllowed('GET'), true);
      return send(res, 'healthz', { status: 200, body: { status: 'ok' } });
    }
    if (tokenDigest && !authorized(req.headers.authorization, tokenDigest)) {
      return send(
        res,
        'unauthorized',
        {
          status: 401,
          body: { error: 'this endpoint needs Authorization: Bearer <token> (http.token)' },
          headers: { 'www-authenticate': 'Bearer' },
        },
        true,
      );
    }
    if (path === '/readyz' || path === '/metrics') {
      const name = path.slice(1);
      if (method !== 'GET' && method !== 'HEAD') return send(res, name, notAllowed('GET'), true);
      if (path === '/metrics') {
        const text = await metricsText();
        return send(res, name, {
          status: 200,
          body: text,
          headers: { 'content-type': registry.contentType },
        });
      }
      const readiness = await options.readiness();
      return send(res, name, { status: readiness.ready ? 200 : 503, body: readiness });
    }
    const found = options.router?.(method, path);
    if (found === undefined) {
      return send(res, 'other', { status: 404, body: { error: `no endpoint ${path}` } }, true);
    }
    if ('allow' in found) return send(res, 'other', notAllowed(found.allow), true);
    let body: Buffer = Buffer.alloc(0);
    if (found.body) {
      const read = await readBody(req, limits.maxBodyBytes);
      if (read === 'too large') {
        return send(
          res,
          found.name,
          {
            status: 413,
            body: { error: `the body is over ${limits.maxBodyBytes} bytes (http.maxBodyBytes)` },
          },
          true,
        );
      }
      if (read === 'aborted') return;
      body = read;
    }
    const reply = await withTimeout(
      Promise.resolve().then(() =>
        found.handle({ method, path, query: url.searchParams, headers: req.headers, body }),
      ),
      limits.responseTimeout,
    );
    send(
      res,
      found.name,
      reply ?? { status: 504, body: { error: `no answer within ${limits.responseTimeout} ms` } },
    );
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('HTTP request failed', { path: req.url, error });
      send(res, 'error', { status: 500, body: { error: 'internal error' } }, true);
    });
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // Malformed requests, oversized headers: answer if the socket still takes it, then drop.
    logger.debug('HTTP client error', { code: error.code });
    if (socket.writable && error.code !== 'ECONNRESET') {
      const status =
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : error.code === 'HPE_HEADER_OVERFLOW'
            ? 431
            : 400;
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\n\r\n`);
    }
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      server.on('error', (error) => logger.error('HTTP listener error', { error }));
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = formatHttpUrl(options.host, port);
  logger.info('HTTP listening', { url, auth: tokenDigest ? 'bearer token' : 'none' });
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function notAllowed(allow: string): HttpReply {
  return { status: 405, body: { error: `use ${allow}` }, headers: { allow } };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Compares digests, so the time taken says nothing about the token or its length. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), expected);
}

/** The body, 'too large' past `limit` (announced or as it streams), 'aborted' when the client left. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too large' | 'aborted'> {
  const announced = Number(req.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit) return Promise.resolve('too large');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer | 'too large' | 'aborted'): void => {
      req.off('data', onData).off('end', onEnd).off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        done('too large');
      } else chunks.push(chunk);
    };
    const onEnd = (): void => done(Buffer.concat(chunks, size));
    const onClose = (): void => done('aborted');
    req.on('data', onData).on('end', onEnd).on('close', onClose);
  });
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
