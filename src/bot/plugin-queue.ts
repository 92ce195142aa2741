import { HookTimeoutError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Turn } from './contexts.js';
import { QueueSlot } from './conversations.js';
import { within } from './plugin-scope.js';
import type { HookObserver } from './types.js';

/** A queued task: a promise when it went asynchronous, undefined when it finished at once. */
export type Task = (turn: Turn) => Promise<void> | undefined;

/** What a plugin's queue needs from the plugin it runs tasks for. */
export interface QueueOwner {
  readonly name: string;
  readonly log: Logger;
  /** False once unloaded or failed: queued work is skipped. */
  alive(): boolean;
  /** Wraps work that engine.idle() must wait for. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Times every hook (metrics); an abandoned one counts at its budget. */
  readonly observer: HookObserver | undefined;
  /** Reports an abandoned task like a failed hook (the plugin's onError, then the engine's). */
  report(error: unknown, hook: string): Promise<unknown>;
}

/**
 * One plugin's events, run one at a time in arrival order, each within a time budget.
 *
 * With nothing queued ahead a task runs at once, inside submit(), instead of a microtask
 * later; one that stays synchronous (an echo) costs no promise, timer or tracking. Work the
 * plugin's own code enqueues while such a task runs waits behind a gate opened when that
 * task ends, so the order is the same either way.
 */
export class PluginQueue {
  readonly #owner: QueueOwner;
  readonly #budget: number;
  #tail: Promise<void> = Promise.resolve();
  /** Tasks chained on #tail and not finished; at 0 (and not #inline) a new task runs at once. */
  #queued = 0;
  /** A task is running synchronously inside submit() now. */
  #inline = false;
  /** Set when plugin code enqueues for its own plugin while a task runs inline. */
  #gate:
    | { promise: Promise<void>; resolve: (value: Promise<void> | undefined) => void }
    | undefined;
  #turn: Turn | undefined;
  /** The slot of the task starting now; contexts made for it capture it (see conversations.ts). */
  #slot: QueueSlot | undefined;
  #stopping = false;
  #shedding = false;

  constructor(owner: QueueOwner, budget: number) {
    this.#owner = owner;
    this.#budget = budget;
  }

  /** The slot of the task whose synchronous part runs now, if any. */
  get slot(): QueueSlot | undefined {
    return this.#slot;
  }

  /** The hook this plugin is busy with, and since when (epoch ms) its task has been waiting. */
  get busy(): { hook: string; since: number } | undefined {
    const turn = this.#turn;
    return turn?.hook === undefined ? undefined : { hook: turn.hook, since: turn.since };
  }

  /** Set while the bot stops: after a task is abandoned then, queued events are dropped. */
  get stopping(): boolean {
    return this.#stopping;
  }

  set stopping(value: boolean) {
    this.#stopping = value;
    if (!value) this.#shedding = false;
  }

  /**
   * Queues `task` behind this plugin's earlier work; undefined when it ran and finished at
   * once, else a promise that never rejects. When it has not settled within `budget` ms it
   * is abandoned: logged, reported, whatever it sends later is dropped, and the queue goes
   * on. `lifecycle` tasks (start, stop) run even while a stopping plugin sheds its backlog.
   */
  submit(task: Task, budget = this.#budget, lifecycle = false): Promise<void> | undefined {
    const owner = this.#owner;
    if (this.#queued === 0 && !this.#inline) {
      if (!owner.alive() || (this.#shedding && !lifecycle)) return undefined;
      let pending: Promise<void> | undefined;
      this.#inline = true;
      try {
        pending = this.#take(task, budget);
      } catch (error) {
        owner.log.error('internal error', { error });
      } finally {
        this.#inline = false;
      }
      const gate = this.#gate;
      this.#gate = undefined;
      if (pending === undefined) {
        gate?.resolve(undefined);
        return undefined;
      }
      const done = pending.catch((error) => owner.log.error('internal error', { error }));
      // Tasks enqueued while this one ran inline are chained behind the gate: open it when
      // this one is done. Without them, this task is the tail.
      if (gate) gate.resolve(done);
      else this.#tail = done;
      return this.#hold(done);
    }
    if (this.#inline && this.#gate === undefined) {
      let resolve!: (value: Promise<void> | undefined) => void;
      const promise = new Promise<void>((r) => {
        resolve = r as typeof resolve;
      });
      this.#gate = { promise, resolve };
      this.#tail = promise;
    }
    const run = this.#tail.then(() => {
      if (!owner.alive()) return;
      // A stuck bot that is stopping does not get to chew through its backlog first.
      if (this.#shedding && !lifecycle) return;
      return this.#take(task, budget);
    });
    const done = run.catch((error) => owner.log.error('internal error', { error }));
    this.#tail = done;
    return this.#hold(done);
  }

  /** Counts `done` as queued until it settles, and lets engine.idle() wait for it. */
  #hold(done: Promise<void>): Promise<void> {
    this.#queued += 1;
    return this.#owner.track(
      done.then(() => {
        this.#queued -= 1;
      }),
    );
  }

  /**
   * Runs one task within `budget` ms. The task holds the queue until it ends, or until a
   * hook in it starts waiting for an answer (ctx.ask / waitFor release its slot): then the
   * queue moves on, the hook carries on by itself, and the budget no longer applies to it
   * (a person may take longer than 10 s to answer; the wait has its own timeout).
   */
  #take(task: Task, budget: number): Promise<void> | undefined {
    // `since` is stamped when the task goes asynchronous: nothing can read it while a task
    // runs synchronously (the loop monitor runs on a timer), and most never go asynchronous.
    const turn: Turn = { hook: undefined, since: 0, abandoned: false };
    this.#turn = turn;
    const slot = new QueueSlot();
    this.#slot = slot;
    let work: Promise<void> | undefined;
    try {
      work = task(turn);
    } catch (error) {
      if (this.#turn === turn) this.#turn = undefined;
      throw error;
    } finally {
      this.#slot = undefined;
    }
    if (work === undefined) {
      // Done before anything could time it out: no budget timer is needed.
      if (this.#turn === turn) this.#turn = undefined;
      return undefined;
    }
    return this.#awaitTurn(turn, slot, work, budget);
  }

  async #awaitTurn(turn: Turn, slot: QueueSlot, work: Promise<void>, budget: number) {
    turn.since = Date.now();
    const owner = this.#owner;
    slot.work = work.catch((error) => owner.log.error('internal error', { error }));
    try {
      if ((await within(Promise.race([slot.work, slot.released]), budget)) === 'late') {
        turn.abandoned = true;
        if (this.#stopping && !this.#shedding) {
          this.#shedding = true;
          owner.log.warn('stopping: dropped the events still queued behind the abandoned hook');
        }
        const hook = turn.hook ?? 'an event';
        // The hook may never settle, so the runner will not time it: it counts at its budget.
        owner.observer?.hookRan(owner.name, hook, budget / 1000);
        // Not awaited: the plugin's onError may be as stuck as the hook was.
        void owner.report(new HookTimeoutError(owner.name, hook, budget), hook);
      }
    } finally {
      if (this.#turn === turn) this.#turn = undefined;
    }
  }
}
