export { type SplitTextOptions, splitText } from '../protocol/split-text.js';
export { Backoff, type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
export type { RuntimeEvents } from './core-options.js';
export { type BotRuntime, createRuntime, type RuntimeOptions } from './create.js';
export {
  DEFAULT_OUTBOX,
  Outbox,
  type OutboxOptions,
  type OutboxPushOptions,
  type OutboxSink,
  type OutboxStats,
} from './outbox.js';
