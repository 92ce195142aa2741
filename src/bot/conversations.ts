// Conversations: a hook that awaits a user's answer (`ctx.ask`, `ctx.waitFor`) must not hold
// up the plugin's event queue, or the answer would queue behind the hook waiting for it.
// So a wait does two things: it registers a waiter that the engine offers each message to
// *before* queueing it (a matching message is consumed there), and it releases the queue
// slot of the hook that waits, so the plugin's next events run while the hook sleeps.
import { parseDuration } from '../config/duration.js';
import { ConversationCancelledError } from '../errors.js';
import type { Logger } from '../log.js';
import type { BotEvent } from './host.js';
import type { MessageContext, WaitOptions } from './types.js';

type MessageEvent = Extract<BotEvent, { kind: 'message' }>;

export const DEFAULT_WAIT_TIMEOUT = 5 * 60_000;
export const MAX_WAIT_TIMEOUT = 24 * 3_600_000;
/** Conversations one plugin may have waiting at once. */
export const DEFAULT_MAX_CONVERSATIONS = 1000;

/**
 * The queue position of one event's hooks. `release()` lets the queue move on while the
 * hooks carry on in the background; `work` is those hooks, for idle() to wait on once an
 * answer has woken them.
 */
export class QueueSlot {
  work: Promise<void> | undefined;
  // Made only when asked for: most events finish without anyone waiting on their slot.
  #released: Promise<void> | undefined;
  #resolve: (() => void) | undefined;
  #done = false;

  get released(): Promise<void> {
    if (this.#released === undefined) {
      this.#released = this.#done
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            this.#resolve = resolve;
          });
    }
    return this.#released;
  }

  release(): void {
    this.#done = true;
    this.#resolve?.();
  }
}

interface Waiter {
  /** Only messages of this room (undefined: any room the plugin acts in). */
  room: string | undefined;
  /** Only this sender (undefined: anyone). */
  user: string | undefined;
  filter: ((ctx: MessageContext) => boolean) | undefined;
  slot: QueueSlot | undefined;
  resolve: (ctx: MessageContext | undefined) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface ConversationDeps {
  log: Logger;
  /** Builds the context an answer is delivered as. */
  context: (event: MessageEvent) => MessageContext;
  /** Wraps the rest of a woken hook, so engine.idle() waits for it. */
  track: (work: Promise<void>) => void;
  max?: number;
}

export interface WaitSpec {
  room: string | undefined;
  user: string | undefined;
  filter?: (ctx: MessageContext) => boolean;
  slot: QueueSlot | undefined;
  options: WaitOptions | undefined;
}

/** One plugin's waiting conversations. */
export class Conversations {
  readonly #deps: ConversationDeps;
  readonly #waiters: Waiter[] = [];

  constructor(deps: ConversationDeps) {
    this.#deps = deps;
  }

  get size(): number {
    return this.#waiters.length;
  }

  /** Registers a waiter and releases the hook's queue slot. */
  wait(spec: WaitSpec): Promise<MessageContext | undefined> {
    const timeout = timeoutOf(spec.options);
    const max = this.#deps.max ?? DEFAULT_MAX_CONVERSATIONS;
    if (this.#waiters.length >= max) {
      this.#deps.log.warn('too many conversations waiting; this one gets no answer', { max });
      return Promise.resolve(undefined);
    }
    return new Promise<MessageContext | undefined>((resolve, reject) => {
      const waiter: Waiter = {
        room: spec.room,
        user: spec.user,
        filter: spec.filter,
        slot: spec.slot,
        resolve,
        reject,
        timer: setTimeout(() => this.#settle(waiter, undefined), timeout),
      };
      this.#waiters.push(waiter);
      spec.slot?.release();
    });
  }

  /**
   * Called by the engine for every event before it is queued for this plugin. A message that
   * a waiter takes is consumed (true: do not dispatch it to the plugin's hooks). A leave ends
   * that user's conversations in that room.
   */
  offer(event: BotEvent): boolean {
    if (this.#waiters.length === 0) return false;
    if (event.kind === 'leave') {
      for (const w of [...this.#waiters]) {
        if (w.room === event.room && w.user === event.user) this.#cancel(w, 'left');
      }
      return false;
    }
    if (event.kind !== 'message') return false;
    let ctx: MessageContext | undefined;
    for (const w of this.#waiters) {
      if (w.room !== undefined && w.room !== event.room) continue;
      if (w.user !== undefined && w.user !== event.sender) continue;
      ctx ??= this.#deps.context(event);
      if (w.filter !== undefined) {
        try {
          if (!w.filter(ctx)) continue;
        } catch (error) {
          this.#deps.log.error('a waitFor filter threw; the message is not an answer', { error });
          continue;
        }
      }
      this.#settle(w, ctx);
      return true;
    }
    return false;
  }

  /** Ends every waiting conversation (stop, unload). */
  cancelAll(reason: 'stop' | 'unloaded'): void {
    for (const w of [...this.#waiters]) this.#cancel(w, reason);
  }

  #settle(w: Waiter, ctx: MessageContext | undefined): void {
    if (!this.#remove(w)) return;
    w.resolve(ctx);
    this.#wake(w);
  }

  #cancel(w: Waiter, reason: 'stop' | 'unloaded' | 'left'): void {
    if (!this.#remove(w)) return;
    w.reject(new ConversationCancelledError(reason));
    this.#wake(w);
  }

  #remove(w: Waiter): boolean {
    const i = this.#waiters.indexOf(w);
    if (i < 0) return false;
    this.#waiters.splice(i, 1);
    clearTimeout(w.timer);
    return true;
  }

  #wake(w: Waiter): void {
    if (w.slot?.work) this.#deps.track(w.slot.work);
  }
}

function timeoutOf(options: WaitOptions | undefined): number {
  const t = options?.timeout;
  if (t === undefined) return DEFAULT_WAIT_TIMEOUT;
  const ms = parseDuration(t, 'timeout');
  if (ms <= 0 || ms > MAX_WAIT_TIMEOUT) {
    throw new RangeError(`timeout is ${ms} ms (expected more than 0 and at most 24h)`);
  }
  return ms;
}
