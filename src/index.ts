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
  DEFAULT_SERVER_OPTIONS,
  InMemoryRegistry,
  MpcrpServer,
  type Registry,
  type RunningServer,
  type ServerOptions,
  type StartServerOptions,
  startServer,
} from './server/index.js';
export * from './transport/index.js';
// What a custom Registry implementation returns.
export type {
  Awaitable,
  CreateResult,
  DestroyResult,
  JoinResult,
  QuitResult,
  RenameResult,
  RoomLimits,
  RoomMembers,
} from './server/index.js';
