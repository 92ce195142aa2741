import { Redis, type RedisOptions } from 'ioredis';
import type { ResolvedClusterOptions } from './options.js';
import * as lua from './scripts.js';

type Script = (...args: (string | number)[]) => Promise<unknown>;
const SCRIPTS = {
  addUser: lua.ADD_USER,
  renameUser: lua.RENAME_USER,
  removeUser: lua.REMOVE_USER,
  createRoom: lua.CREATE_ROOM,
  joinRoom: lua.JOIN_ROOM,
  quitRoom: lua.QUIT_ROOM,
  destroyRoom: lua.DESTROY_ROOM,
  members: lua.MEMBERS,
  listRooms: lua.LIST_ROOMS,
  heartbeat: lua.HEARTBEAT,
  resync: lua.RESYNC,
  leave: lua.LEAVE_CLUSTER,
} as const;

/** The cluster's scripts, bound to this node: each call passes the prefix and node id first. */
export type Scripts = Record<keyof typeof SCRIPTS, Script>;

/**
 * The node's two Redis connections: `cmd` for scripts and publishing, `sub` for pub/sub
 * (a subscribed connection can do nothing else). Neither is connected yet.
 */
export function createClients(options: ResolvedClusterOptions): { cmd: Redis; sub: Redis } {
  const common: RedisOptions = {
    lazyConnect: true,
    connectionName: `mpcrp:${options.nodeId}`,
    // Back within a second of Redis, however long it was away.
    retryStrategy: (times) => Math.min(times * 100, 1000),
    // ioredis arms this timer even for a socket already gone (a refused connect), and
    // it holds the process: keep it short.
    disconnectTimeout: 250,
  };
  // Commands fail at once while disconnected (the protocol answers with a failure) and
  // are never replayed after a reconnect (an operation's client got its answer already).
  const cmd = new Redis(options.url, {
    ...common,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableAutoPipelining: true,
    commandTimeout: options.commandTimeout,
  });
  // Subscriptions made while away wait for the connection; ioredis restores them all.
  const sub = new Redis(options.url, { ...common, maxRetriesPerRequest: null });
  return { cmd, sub };
}

/** Defines every script on `cmd` (EVALSHA, loaded again by ioredis after a Redis restart). */
export function defineScripts(cmd: Redis, prefix: string, nodeId: string): Scripts {
  const scripts = {} as Scripts;
  for (const [name, source] of Object.entries(SCRIPTS)) {
    cmd.defineCommand(name, { numberOfKeys: 0, lua: source });
    const run = (cmd as unknown as Record<string, Script>)[name]!.bind(cmd);
    scripts[name as keyof Scripts] = (...args) => run(prefix, nodeId, ...args);
  }
  return scripts;
}

/** `redis://user:secret@host` as `redis://user:***@host`, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** Resolves after `ms`, without holding the process open. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
