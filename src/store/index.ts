export { LazyStore } from './lazy.js';
export { LOCAL_STORE_DIR, LocalStore } from './local.js';
export { MemoryStore } from './memory.js';
export {
  defaultDataDir,
  type OpenStoreOptions,
  openStore,
  STORE_URL_EXPECTED,
  storeUrlProblem,
} from './open.js';
export { RedisStore, type RedisStoreOptions } from './redis.js';
export {
  DEFAULT_MAX_VALUE_BYTES,
  MAX_KEY_BYTES,
  type PluginStore,
  type PluginStoreOptions,
  pluginStore,
  type SetOptions,
  type StoreBackend,
  type StoreShape,
} from './store.js';
