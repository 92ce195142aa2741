import type { BotEvent } from '../bot/host.js';

/** What the runtime needs of the bot engine (src/bot/engine.ts). */
export interface EnginePort {
  handleEvent(event: BotEvent): unknown;
  /** handleEvent that returns undefined when the event was already handled in full. */
  dispatchNow?(event: BotEvent): Promise<void> | undefined;
  start(): unknown;
  stop(): unknown;
  idle(): Promise<void>;
}
