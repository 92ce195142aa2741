// The shape of mpcrp-bot.yaml, one table per section. docs/config.md documents each key;
// keep the two in step.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { LOG_LEVELS } from '../log.js';
import { nameProblem } from '../protocol/names.js';
import { parseServerUrl } from '../protocol/url.js';
import { CRON_EXPECTED, cronProblem, timezoneProblem } from '../schedule/cron.js';
import { parseZonedDate } from '../schedule/format.js';
import { PLACEHOLDERS_EXPECTED, placeholderProblem } from '../schedule/placeholders.js';
import { STORE_URL_EXPECTED, storeUrlProblem } from '../store/open.js';
import { isPackageSpec } from './bot-spec.js';
import type { At, Field, Schema } from './schema.js';

/**
 * For the published JSON Schema: a string that fits `plain`, or holds a `${...}` (checked
 * here once it is read), so editors do not flag `user: ${BOT_USER}`.
 */
const plainOrInterpolated = (plain: string): string => `^(?:${plain}|.*\\$\\{.*\\}.*)$`;

export const EXTENSIONS = ['sender', 'presence', 'rooms'] as const;

const username: Schema = {
  kind: 'string',
  expected: 'a username of 1-20 characters without spaces',
  check: (v) => prefixed('is not a valid username', nameProblem('username', v)),
  json: { pattern: plainOrInterpolated('\\S{1,20}') },
};
const room: Schema = {
  kind: 'string',
  expected: "a room ID of 1-20 characters without spaces or ':'",
  check: (v) => prefixed('is not a valid room ID', nameProblem('room', v)),
  json: { pattern: plainOrInterpolated('[^\\s:]{1,20}') },
};
const roomList: Schema = { kind: 'list', item: room, unique: true, expected: 'a list of room IDs' };

function prefixed(what: string, problem: string | undefined): string | undefined {
  return problem === undefined ? undefined : `${what}: ${problem}`;
}

function fileProblem(value: string, at: At): string | undefined {
  const path = resolve(at.ctx.baseDir, value);
  try {
    if (statSync(path).isFile()) return undefined;
    return `names ${path}, which is not a file`;
  } catch {
    return `names ${path}, which does not exist`;
  }
}

/** A path to an existing file, relative to the config file's directory. */
function existingFile(expected: string): Schema {
  return {
    kind: 'string',
    expected,
    check: fileProblem,
    transform: (v, at) => resolve(at.ctx.baseDir, v),
  };
}

const serverUrl: Schema = {
  kind: 'string',
  expected: 'mpcrp://host:port or mpcrps://host:port',
  check: (v) => {
    try {
      parseServerUrl(v);
      return undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // InvalidUrlError already says what is expected; keep only the reason.
      const reason = /: (.*?) \(expected/.exec(message)?.[1] ?? message;
      return `is not a valid server URL: ${reason}`;
    }
  },
};

const opt = (schema: Schema, extra: Omit<Field, 'schema'> = {}): Field => ({ schema, ...extra });

const server: Schema = {
  kind: 'object',
  shorthand: 'url',
  fields: {
    url: opt(serverUrl),
    ca: opt(existingFile('a path to a PEM CA bundle')),
    cert: opt(existingFile('a path to a PEM client certificate')),
    key: opt(existingFile('a path to a PEM private key')),
    insecure: opt({ kind: 'boolean' }),
  },
};

/** A bot file relative to the config file, or an npm package name (kept as written). */
const botSpec: Schema = {
  kind: 'string',
  expected: 'a bot file relative to the config file, or an installed npm package name',
  check: (v, at) => (isPackageSpec(v, at.ctx.baseDir) ? undefined : fileProblem(v, at)),
  transform: (v, at) => (isPackageSpec(v, at.ctx.baseDir) ? v : resolve(at.ctx.baseDir, v)),
};

const bot: Schema = {
  kind: 'object',
  shorthand: 'path',
  fields: {
    path: opt(botSpec, { required: true }),
    options: opt({ kind: 'any' }, { default: {} }),
    enabled: opt({ kind: 'boolean' }, { default: true }),
    enable: opt(roomList),
    disable: opt(roomList, { default: [] }),
  },
  check: (value, at, fieldOffset) => {
    const options = value.options;
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      at.ctx.report(
        fieldOffset('options'),
        `${at.path}.options is not a mapping (expected a mapping handed to the bot)`,
      );
    }
  },
};

const textOrCommand: Schema = {
  kind: 'string',
  expected: PLACEHOLDERS_EXPECTED,
  check: (v) => placeholderProblem(v),
};

const announcement: Schema = {
  kind: 'object',
  json: { oneOf: [{ required: ['text'] }, { required: ['command'] }] },
  fields: {
    name: opt({ kind: 'string', expected: 'a name for logs and {name}' }, { required: true }),
    cron: opt({ kind: 'string', expected: CRON_EXPECTED, check: cronProblem }, { required: true }),
    timezone: opt({
      kind: 'string',
      expected: "an IANA time zone such as 'Europe/Berlin' or 'UTC'",
      check: timezoneProblem,
    }),
    rooms: opt(
      { ...roomList, nonEmpty: true, expected: 'a non-empty list of room IDs' },
      { required: true },
    ),
    text: opt(textOrCommand),
    command: opt(textOrCommand),
    enabled: opt({ kind: 'boolean' }, { default: true }),
    startAt: opt({ kind: 'date' }),
    stopAt: opt({ kind: 'date' }),
    maxRuns: opt({ kind: 'number', integer: true, min: 1 }),
    maxDelay: opt({ kind: 'duration' }, { default: 600_000 }),
  },
  check: (value, at, fieldOffset) => {
    const hasText = value.text !== undefined;
    const hasCommand = value.command !== undefined;
    if (hasText === hasCommand) {
      at.ctx.report(
        hasText ? fieldOffset('command') : at.offset,
        `${at.path} has ${hasText ? 'both text and command' : 'neither text nor command'} (expected exactly one of them)`,
      );
    }
    // Wall-clock dates mean the announcement's own time zone.
    const tz = value.timezone as string | undefined;
    for (const key of ['startAt', 'stopAt']) {
      if (typeof value[key] === 'string') value[key] = parseZonedDate(value[key], tz);
    }
    const { startAt, stopAt } = value as { startAt?: Date; stopAt?: Date };
    if (startAt && stopAt && stopAt.getTime() <= startAt.getTime()) {
      at.ctx.report(
        fieldOffset('stopAt'),
        `${at.path}.stopAt is not after startAt (expected a stopAt later than startAt)`,
      );
    }
  },
};

const serve: Schema = {
  kind: 'object',
  fields: {
    host: opt({ kind: 'string', expected: 'a host name or IP address to listen on' }),
    port: opt({ kind: 'number', integer: true, min: 0, max: 65535 }),
    maxPayload: opt({ kind: 'number', integer: true, min: 1024, max: 16_777_215 }),
    maxOutputBytes: opt({ kind: 'number', integer: true, min: 1 }),
    registrationTimeout: opt({ kind: 'duration' }),
    // The server's abuse limits (ServerOptions); the server checks their ranges on start.
    writeTimeout: opt({ kind: 'duration' }),
    maxFramesBeforeRegistration: opt({ kind: 'number', integer: true, min: 1 }),
    maxConnections: opt({ kind: 'number', integer: true, min: 1 }),
    maxConnectionsPerIp: opt({ kind: 'number', integer: true, min: 1 }),
    perIpExempt: opt({
      kind: 'list',
      item: { kind: 'string', expected: "an IP address or 'loopback'" },
      expected: "a list of IP addresses or 'loopback'",
    }),
    frameRate: opt({ kind: 'number', integer: true, min: 1 }),
    frameBurst: opt({ kind: 'number', integer: true, min: 1 }),
    throttleTimeout: opt({ kind: 'duration' }),
    maxRoomMembers: opt({ kind: 'number', integer: true, min: 1 }),
    maxRoomsPerUser: opt({ kind: 'number', integer: true, min: 1 }),
    maxRooms: opt({ kind: 'number', integer: true, min: 1 }),
    closeTimeout: opt({ kind: 'duration' }),
    frameTimeout: opt({ kind: 'duration' }),
    maxMalformedFrames: opt({ kind: 'number', integer: true, min: 0 }),
    // Cluster mode (docs/operations.md, "Running a cluster"): a URL, or a mapping.
    redis: opt({
      kind: 'object',
      shorthand: 'url',
      fields: {
        url: opt(
          {
            kind: 'string',
            expected: 'a Redis URL, redis://HOST:PORT or rediss://HOST:PORT',
            check: (v) =>
              /^rediss?:\/\/[^/]/.test(v) ? undefined : 'is not a redis:// or rediss:// URL',
          },
          { required: true },
        ),
        prefix: opt({ kind: 'string' }),
        leaseTtl: opt({ kind: 'duration' }),
      },
    }),
    extensions: opt({
      kind: 'list',
      item: { kind: 'enum', values: EXTENSIONS },
      unique: true,
      expected: `a list of extension names (${EXTENSIONS.join(', ')})`,
    }),
    tls: opt({
      kind: 'object',
      fields: {
        cert: opt(existingFile('a path to a PEM certificate')),
        key: opt(existingFile('a path to a PEM private key')),
        ca: opt(existingFile('a path to a PEM CA bundle')),
        port: opt({ kind: 'number', integer: true, min: 0, max: 65535 }),
        handshakeTimeout: opt({ kind: 'duration' }),
      },
      check: (value, at) => {
        if ((value.cert === undefined) !== (value.key === undefined)) {
          at.ctx.report(
            at.offset,
            `${at.path} has only one of cert and key (expected both, or neither)`,
          );
        }
      },
    }),
    plaintext: opt({ kind: 'boolean' }),
    reservedNames: opt({
      kind: 'oneOf',
      expected: "a list of usernames such as [alice], or 'all'",
      options: [
        { kind: 'list', item: username, unique: true, expected: "a list of usernames, or 'all'" },
        {
          kind: 'string',
          expected: "a list of usernames such as [alice], or 'all'",
          check: (v) => (v === 'all' ? undefined : `is ${JSON.stringify(v)}, not 'all'`),
        },
      ],
    }),
  },
};

/** The whole file. Top-level settings carry no defaults here: resolveSettings applies them. */
export const CONFIG_SCHEMA: Extract<Schema, { kind: 'object' }> = {
  kind: 'object',
  fields: {
    server: opt(server),
    user: opt(username),
    rooms: opt(roomList),
    bots: opt({ kind: 'list', item: bot }, { default: [] }),
    prefix: opt({
      kind: 'string',
      expected: "a non-empty command prefix such as '!'",
      json: { pattern: plainOrInterpolated('\\S+') },
      check: (v) => (v === '' || /\s/.test(v) ? 'is empty or has white space' : undefined),
    }),
    presence: opt({ kind: 'object', fields: { interval: opt({ kind: 'duration' }) } }),
    outbox: opt({
      kind: 'object',
      fields: {
        rate: opt({
          kind: 'number',
          min: Number.EPSILON,
          expected: 'messages per second, a number > 0',
        }),
        burst: opt({ kind: 'number', integer: true, min: 1 }),
        limit: opt({ kind: 'number', integer: true, min: 1 }),
      },
    }),
    log: opt({
      kind: 'object',
      fields: {
        level: opt({ kind: 'enum', values: LOG_LEVELS }),
        format: opt({ kind: 'enum', values: ['pretty', 'json'] }),
      },
    }),
    serve: opt(serve),
    http: opt({
      kind: 'object',
      shorthand: 'listen',
      fields: {
        listen: opt({
          kind: 'string',
          expected: 'HOST:PORT such as 127.0.0.1:9464 (port 0 picks a free one)',
          check: (v) =>
            /^(?:(?:\[[0-9A-Fa-f:.]+\]|[^:[\]\s]*):)?\d{1,5}$/.test(v.trim()) &&
            Number(/\d+$/.exec(v.trim())![0]) <= 65_535
              ? undefined
              : 'is not an address to listen on',
        }),
        token: opt({ kind: 'string', expected: 'a bearer token string' }),
        maxBodyBytes: opt({ kind: 'number', integer: true, min: 1, max: 16 * 1024 * 1024 }),
        maxConnections: opt({ kind: 'number', integer: true, min: 1 }),
        requestTimeout: opt({ kind: 'duration' }),
        responseTimeout: opt({ kind: 'duration' }),
      },
    }),
    announcements: opt({ kind: 'list', item: announcement, uniqueKey: 'name' }, { default: [] }),
    // The plugin store: where `ctx.store` keeps data (docs/bots.md, "Store").
    data: opt({
      kind: 'string',
      expected: 'a directory for the local store, relative to the config file',
      transform: (v, at) => resolve(at.ctx.baseDir, v),
    }),
    store: opt({
      kind: 'string',
      expected: STORE_URL_EXPECTED,
      check: (v) => storeUrlProblem(v),
    }),
    // Permissions: role name -> usernames, for commands' `allow:`.
    roles: opt({
      kind: 'any',
      json: {
        type: 'object',
        description: "role name -> usernames, for commands' allow: (e.g. ops: [alice, bob])",
        additionalProperties: { type: 'array', items: { type: 'string' } },
      },
    }),
    refusal: opt({
      kind: 'any',
      json: {
        description: 'what a refused user is told ({user}, {command}, {allowed}), or false',
        anyOf: [{ type: 'string' }, { const: false }],
      },
    }),
  },
  check: (value, at, fieldOffset) => {
    const refusal = value.refusal;
    if (refusal !== undefined && refusal !== false && typeof refusal !== 'string') {
      at.ctx.report(
        fieldOffset('refusal'),
        'refusal is neither a text nor false (expected the text a refused user is told, or false for none)',
      );
    }
    const roles = value.roles;
    if (roles === undefined) return;
    const ok =
      roles !== null &&
      typeof roles === 'object' &&
      !Array.isArray(roles) &&
      Object.values(roles).every(
        (users) =>
          Array.isArray(users) &&
          users.every((u) => typeof u === 'string' && nameProblem('username', u) === undefined),
      );
    if (!ok) {
      at.ctx.report(
        fieldOffset('roles'),
        'roles is not a mapping of role names to lists of usernames (expected e.g. roles: { ops: [alice, bob] })',
      );
    }
  },
};
