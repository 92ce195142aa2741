export { Composer, type Middleware, type NextFn } from './composer.js';
export { defineBot } from './define.js';
export {
  type BotEngine,
  type BotEngineOptions,
  createBotEngine,
  type PluginEntry,
} from './engine.js';
export type { BotEvent, BotHost } from './host.js';
export type { HttpResult } from './http-routes.js';
export { enableReloads, type LoadBotOptions, loadBotFile } from './loader.js';
export { loadBot, resolveBotPackage } from './package-loader.js';
export { parseCommand, splitArgs } from './parse-command.js';
export type * from './types.js';
