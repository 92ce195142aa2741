import type { BotEvent } from '../bot/host.js';

/** What the runtime needs of the bot engine (src/bot/engine.ts). */
export interface EnginePort {
  handleEvent(event: BotEvent): unknown;
  start(): unknown;
  stop(): unknown;
  idle(): Promise<void>;
}
