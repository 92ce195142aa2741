import { PluginError } from '../errors.js';
import type { StoreShape } from '../store/store.js';
import type { Bot, BotDefinition, BotPlugin, DefaultOptions } from './types.js';

export const PLUGIN_NAME = /^[\w.-]{1,64}$/;

/** Shown whenever a bot file or definition has the wrong shape. */
export const VALID_EXPORT =
  "export default defineBot({ name: 'my-bot', setup(bot) { bot.command('hi', (ctx) => ctx.reply('hi')) } }) — or a plain object of that shape, or a setup function";

/**
 * Declares a bot plugin. The first type parameter types `ctx.options` (what the config file
 * gives the bot under `options:`), the second `bot.store` (key, or key pattern, to value).
 *
 * @example
 * import { defineBot } from 'mpcrp-bot';
 *
 * export default defineBot<{ greeting: string }>({
 *   name: 'greeter',
 *   defaults: { greeting: 'welcome' },
 *   setup(bot) {
 *     bot.onJoin((ctx) => ctx.reply(`${ctx.options.greeting}, ${ctx.user}!`));
 *   },
 * });
 */
export function defineBot<O = DefaultOptions, S extends StoreShape = StoreShape>(
  definition: BotDefinition<O, S>,
): BotPlugin<O, S> {
  const result = toPlugin(definition);
  if (typeof result === 'string') {
    const name = typeof definition?.name === 'string' ? definition.name : '(unnamed)';
    throw new PluginError(name, 'defineBot', { cause: result });
  }
  return result as unknown as BotPlugin<O, S>;
}

/**
 * Checks a module's default export and makes a plugin of it, or says what is wrong.
 * Accepts a definition object or a bare setup function (named `fallbackName`).
 */
export function toPlugin(value: unknown, fallbackName?: string): BotPlugin | string {
  if (typeof value === 'function') {
    if (fallbackName === undefined) return 'a bare setup function needs a name';
    return toPlugin({ name: fallbackName, setup: value as (bot: Bot) => void });
  }
  if (value === null || typeof value !== 'object') {
    return value === undefined ? 'there is no default export' : `the export is a ${typeof value}`;
  }
  // A TypeScript bot compiled as CommonJS and imported from ESM arrives as { default: bot }.
  if ('default' in value && !('setup' in value)) {
    return toPlugin((value as { default: unknown }).default, fallbackName);
  }
  const def = value as Partial<Record<keyof BotDefinition, unknown>>;
  if (typeof def.name !== 'string' || !PLUGIN_NAME.test(def.name)) {
    return `name must be 1-64 letters, digits, '.', '-' or '_' (got ${describe(def.name)})`;
  }
  if (typeof def.setup !== 'function') {
    return `setup must be a function setup(bot) { ... } (got ${describe(def.setup)})`;
  }
  if (def.description !== undefined && typeof def.description !== 'string') {
    return `description must be a string (got ${describe(def.description)})`;
  }
  if (
    def.rooms !== undefined &&
    !(Array.isArray(def.rooms) && def.rooms.every((r) => typeof r === 'string'))
  ) {
    return `rooms must be a list of room names (got ${describe(def.rooms)})`;
  }
  if (def.defaults !== undefined && (def.defaults === null || typeof def.defaults !== 'object')) {
    return `defaults must be an object (got ${describe(def.defaults)})`;
  }
  return Object.freeze({
    name: def.name,
    description: def.description as string | undefined,
    rooms: def.rooms ? Object.freeze([...(def.rooms as string[])]) : undefined,
    defaults: def.defaults as Partial<DefaultOptions> | undefined,
    setup: def.setup as BotDefinition['setup'],
  });
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
