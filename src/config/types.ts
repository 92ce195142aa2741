import type { LogFormat, LogLevel } from '../log.js';

/** `server:` — where the bot and client commands connect. */
export interface ServerSection {
  url?: string;
  /** TLS: CA bundle to trust, client certificate and key (absolute paths). */
  ca?: string;
  cert?: string;
  key?: string;
  /** Skip certificate verification (testing only). */
  insecure?: boolean;
}

export interface BotEntry {
  /**
   * Absolute path of the bot file (resolved against the config file's directory), or the
   * name of an npm package to load it from (resolved from the config file's directory).
   */
  path: string;
  /** Handed to the plugin untouched (after ${VAR} interpolation). */
  options: Record<string, unknown>;
  /** False turns the bot off without deleting its entry. */
  enabled: boolean;
  /** When given, the bot only acts in these rooms. */
  enable?: string[];
  /** The bot never acts in these rooms. */
  disable: string[];
}

export interface AnnouncementEntry {
  name: string;
  cron: string;
  /** IANA zone; undefined = the machine's. */
  timezone?: string;
  rooms: string[];
  /** Exactly one of text / command is set. */
  text?: string;
  command?: string;
  enabled: boolean;
  startAt?: Date;
  stopAt?: Date;
  maxRuns?: number;
  /** Milliseconds; a delivery held longer than this (e.g. while disconnected) is dropped. */
  maxDelay: number;
}

/** `serve:` — settings for the built-in server; unset keys keep the server's defaults. */
export interface ServeSection {
  host?: string;
  port?: number;
  maxPayload?: number;
  maxOutputBytes?: number;
  /** Milliseconds. */
  registrationTimeout?: number;
  /** The server's abuse limits, as ServerOptions names them (durations in milliseconds). */
  writeTimeout?: number;
  maxFramesBeforeRegistration?: number;
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  perIpExempt?: string[];
  frameRate?: number;
  frameBurst?: number;
  throttleTimeout?: number;
  maxRoomMembers?: number;
  maxRoomsPerUser?: number;
  maxRooms?: number;
  closeTimeout?: number;
  frameTimeout?: number;
  maxMalformedFrames?: number;
  /** Cluster mode: the Redis every node shares; `leaseTtl` in milliseconds. */
  redis?: { url: string; prefix?: string; leaseTtl?: number };
  extensions?: string[];
  /** Milliseconds in `handshakeTimeout`. */
  tls?: { cert?: string; key?: string; ca?: string; port?: number; handshakeTimeout?: number };
  /** `false` serves TLS only. */
  plaintext?: boolean;
  reservedNames?: string[] | 'all';
}

/** `http:` — the operations listener of `serve --http` and `run --http`. */
export interface HttpSection {
  /** `HOST:PORT`, as `--http` takes it; without it (or `--http`) there is no listener. */
  listen?: string;
  /** Bearer token every endpoint but /healthz asks for (default env MPCRP_HTTP_TOKEN). */
  token?: string;
  maxBodyBytes?: number;
  maxConnections?: number;
  /** Milliseconds. */
  requestTimeout?: number;
  /** Milliseconds. */
  responseTimeout?: number;
}

/** A validated config file. Only what the file says: defaults are applied by resolveSettings. */
export interface Config {
  /** Absolute path of the file. */
  file: string;
  server?: ServerSection;
  user?: string;
  rooms?: string[];
  bots: BotEntry[];
  prefix?: string;
  presence?: { interval?: number };
  outbox?: { rate?: number; burst?: number; limit?: number };
  log?: { level?: LogLevel; format?: LogFormat };
  serve?: ServeSection;
  http?: HttpSection;
  announcements: AnnouncementEntry[];
  /** Data directory of the local store (absolute: resolved against the config file). */
  data?: string;
  /** `redis://HOST:PORT` (shared), `local` (the default) or `memory`. */
  store?: string;
  /** Role name -> usernames, for commands' `allow`. */
  roles?: Record<string, string[]>;
  /** What a refused user is told; `false` for nothing. */
  refusal?: string | false;
  /** Values the environment supplied through ${VAR}, stringified; masked when printed. */
  secretValues: ReadonlySet<string>;
}
