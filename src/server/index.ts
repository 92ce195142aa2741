// Types only: the cluster code itself loads when startServer is given `redis`.
export type { ClusterOptions } from './cluster/options.js';
export {
  type Listener,
  listenTcp,
  listenTls,
  type TcpListenOptions,
  type TlsListenOptions,
} from './listeners.js';
export { InMemoryRegistry } from './memory-registry.js';
export { DEFAULT_SERVER_OPTIONS, type ServerOptions } from './options.js';
export type {
  Awaitable,
  CreateResult,
  DestroyResult,
  JoinResult,
  LocalNode,
  QuitResult,
  Registry,
  RemoteRelay,
  RenameResult,
  RoomLimits,
  RoomMembers,
} from './registry.js';
export type { ReservedNames } from './reserved-names.js';
export { MpcrpServer } from './server.js';
export { DEFAULT_HOST, type RunningServer, type StartServerOptions, startServer } from './start.js';
export { DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_TLS_PORT, type ServerTlsOptions } from './tls.js';
