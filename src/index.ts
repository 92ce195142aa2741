// The public API of mpcrp-bot. Anything not exported here is internal and may change.

export * from './bot/index.js';
export * from './client/index.js';
export * from './config/index.js';
export * from './errors.js';
export {
  createLogger,
  type LogFormat,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  silentLogger,
} from './log.js';
export * from './protocol/index.js';
export * from './runtime/index.js';
export * from './schedule/index.js';
export {
  type Awaitable,
  type ClusterOptions,
  type CreateResult,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_SERVER_OPTIONS,
  DEFAULT_TLS_PORT,
  type DestroyResult,
  InMemoryRegistry,
  type JoinResult,
  MpcrpServer,
  type QuitResult,
  type Registry,
  type RenameResult,
  type ReservedNames,
  type RoomLimits,
  type RoomMembers,
  type RunningServer,
  type ServerOptions,
  ServerStats,
  type ServerTlsOptions,
  type StartServerOptions,
  startServer,
} from './server/index.js';
export * from './store/index.js';
export * from './transport/index.js';
