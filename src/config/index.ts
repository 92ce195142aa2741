// Public surface of the config module. parse.ts (the YAML parser) stays out of it: it is
// loaded on demand by readConfig/loadConfig so that importing this costs no YAML parser.
export { formatDuration, parseDuration } from './duration.js';
export {
  CONFIG_FILE_NAMES,
  type FindConfigFileOptions,
  type FoundConfigFile,
  findConfigFile,
} from './find.js';
export {
  type LoadSettingsOptions,
  loadConfig,
  loadSettings,
  type ReadConfigOptions,
  readConfig,
} from './load.js';
export {
  DEFAULTS as SETTINGS_DEFAULTS,
  ENV_VARS,
  type ResolveFlags,
  type ResolveSettingsOptions,
  resolveSettings,
  type SettingSource,
  type Settings,
} from './resolve.js';
export type { AnnouncementEntry, BotEntry, Config, ServerSection, ServeSection } from './types.js';
