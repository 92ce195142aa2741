export { type Listener, listenTcp, type TcpListenOptions } from './listeners.js';
export { InMemoryRegistry } from './memory-registry.js';
export { DEFAULT_SERVER_OPTIONS, type ServerOptions } from './options.js';
export type {
  Awaitable,
  CreateResult,
  DestroyResult,
  JoinResult,
  QuitResult,
  Registry,
  RenameResult,
  RoomLimits,
  RoomMembers,
} from './registry.js';
export { MpcrpServer } from './server.js';
export { DEFAULT_HOST, type RunningServer, type StartServerOptions, startServer } from './start.js';
