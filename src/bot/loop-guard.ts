import type { Logger } from '../log.js';

/**
 * Loop protection: two bots that answer each other (two echo bots, a bot and a bridge)
 * would talk for ever. The guard counts, per room and sender, the messages the bots
 * answered (one count per message, however many replies and plugins); past `maxReplies`
 * within `window` a further answer to that sender there is dropped, and logged once per
 * window. People rarely send that many messages that fast; bots in a loop do it in seconds.
 */
export interface LoopGuardOptions {
  /** Messages from one sender in one room the bots may answer within `window`. Default 10. */
  maxReplies?: number;
  /** Milliseconds. Default 10,000. */
  window?: number;
  /** Users whose messages the bots never see, e.g. other bots. Default none. */
  ignore?: readonly string[];
}

export const DEFAULT_LOOP_GUARD = { maxReplies: 10, window: 10_000 } as const;

/** What triggered a send: the message a plugin is answering. */
export interface Trigger {
  readonly room: string;
  readonly sender: string | undefined;
}

export class LoopGuard {
  readonly #max: number;
  readonly #window: number;
  readonly #ignore: ReadonlySet<string>;
  readonly #log: Logger;
  /** Per `room \0 sender`: when answered messages came, oldest first. */
  readonly #answered = new Map<string, number[]>();
  readonly #warnedAt = new Map<string, number>();
  /** The verdict per message, so every reply to one message gets the same one. */
  readonly #verdicts = new WeakMap<Trigger, boolean>();
  /** Messages dropped because of the guard. */
  dropped = 0;

  constructor(options: LoopGuardOptions | false | undefined, logger: Logger) {
    const o = options === false ? { maxReplies: Number.POSITIVE_INFINITY } : (options ?? {});
    this.#max = o.maxReplies ?? DEFAULT_LOOP_GUARD.maxReplies;
    this.#window = o.window ?? DEFAULT_LOOP_GUARD.window;
    this.#ignore = new Set(o.ignore ?? []);
    this.#log = logger;
  }

  /** Whether messages from `sender` are dropped before any plugin sees them. */
  ignores(sender: string | undefined): boolean {
    return sender !== undefined && this.#ignore.has(sender);
  }

  /** Whether a reply to `trigger` may go out; the first call per message counts it. */
  allow(trigger: Trigger): boolean {
    const known = this.#verdicts.get(trigger);
    if (known !== undefined) return this.#count(known);
    if (!Number.isFinite(this.#max)) return true;
    // Without the sender extension every message in a room is "from" the same nobody.
    const key = `${trigger.room}\0${trigger.sender ?? ''}`;
    const now = Date.now();
    const times = (this.#answered.get(key) ?? []).filter((t) => now - t < this.#window);
    const ok = times.length < this.#max;
    if (ok) times.push(now);
    this.#answered.set(key, times);
    this.#verdicts.set(trigger, ok);
    if (!ok && now - (this.#warnedAt.get(key) ?? Number.NEGATIVE_INFINITY) >= this.#window) {
      this.#warnedAt.set(key, now);
      this.#log.warn(
        'loop protection: not answering; this sender got the most replies allowed (another bot answering back?)',
        {
          room: trigger.room,
          sender: trigger.sender ?? '(unknown)',
          replies: this.#max,
          window: `${this.#window}ms`,
          hint: 'ignore the other bot (run --ignore-user NAME, loopGuard.ignore) or raise the limit (--max-replies, loopGuard.maxReplies)',
        },
      );
    }
    return this.#count(ok);
  }

  #count(ok: boolean): boolean {
    if (!ok) this.dropped += 1;
    return ok;
  }
}
