import type { BotEvent } from '../bot/host.js';
import type { Logger } from '../log.js';
import type { EnginePort } from './engine-port.js';

/**
 * Hands events to the engine without ever letting it take the runtime down: events that
 * arrive before the engine has started are held and replayed in order, every call is
 * guarded, and what is still running can be awaited (idle, stop).
 */
export class Dispatcher {
  #engine: EnginePort | undefined;
  #log: Logger;
  #early: BotEvent[] | undefined = [];
  #pending = new Set<Promise<void>>();
  #dispatched = 0;
  #stopping = false;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Connects the engine; called once, before any event is released. */
  attach(engine: EnginePort): void {
    this.#engine = engine;
  }

  get engine(): EnginePort | undefined {
    return this.#engine;
  }

  /** Events handed to the engine so far. */
  get dispatched(): number {
    return this.#dispatched;
  }

  /** Handlers still running. */
  get pending(): number {
    return this.#pending.size;
  }

  /** From now on only `stop` events reach the engine. */
  stopping(): void {
    this.#stopping = true;
  }

  /** Hands the events held since construction to the engine (after its start hooks). */
  release(): void {
    const early = this.#early ?? [];
    this.#early = undefined;
    for (const event of early) this.dispatch(event);
  }

  dispatch(event: BotEvent): void {
    if (this.#early) {
      this.#early.push(event);
      return;
    }
    if (this.#stopping && event.kind !== 'stop') return;
    this.#dispatched += 1;
    const engine = this.#engine;
    if (engine?.dispatchNow) {
      // Most events are handled before this returns: then there is nothing to track.
      let work: Promise<void> | undefined;
      try {
        work = engine.dispatchNow(event);
      } catch (error) {
        this.#log.error('the bot engine failed; carrying on', { event: event.kind, error });
        return;
      }
      if (work !== undefined) this.track(this.guard(event.kind, () => work));
      return;
    }
    this.track(this.guard(event.kind, () => engine?.handleEvent(event)));
  }

  /** Counts `p` as running until it settles (idle() and stop() wait for it). */
  track(p: Promise<void>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /** Runs engine code so that nothing it throws or rejects can take the runtime down. */
  async guard(what: string, fn: () => unknown): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.#log.error('the bot engine failed; carrying on', { event: what, error });
    }
  }

  /** Resolves once every dispatched event is handled (including those dispatched meanwhile). */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }
}
