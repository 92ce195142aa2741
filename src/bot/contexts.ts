// The contexts one plugin's hooks receive: what every context has (send, store, waitFor...)
// and the room-bound parts (reply, users, ask). Kept apart from the instance's queue and
// failure handling; the instance says which turn and queue slot a context belongs to.
import { ConversationCancelledError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PluginStore } from '../store/store.js';
import type { QueueSlot, WaitSpec } from './conversations.js';
import type { BotEvent, BotHost } from './host.js';
import type { LoopGuard, Trigger } from './loop-guard.js';
import { parseCommand } from './parse-command.js';
import { mayRun, type PermissionOptions, rolesOf } from './permissions.js';
import type {
  BaseContext,
  BotInfo,
  CommandInfo,
  DefaultOptions,
  MessageContext,
  WaitOptions,
} from './types.js';

/** One piece of queued work: which hook it is in, and whether it was given up on. */
export interface Turn {
  hook: string | undefined;
  /** When the work went asynchronous (epoch ms); 0 while it runs synchronously. */
  since: number;
  abandoned: boolean;
}

export type MessageEvent = Extract<BotEvent, { kind: 'message' }>;

export interface ContextDeps {
  host: BotHost;
  info: BotInfo;
  log: Logger;
  options: DefaultOptions;
  store: PluginStore;
  prefix: string;
  guard: LoopGuard;
  /** False once the plugin is unloaded or failed: sends are dropped, waits rejected. */
  alive: () => boolean;
  /** Registers a conversation (the plugin's Conversations). */
  wait: (spec: WaitSpec) => Promise<MessageContext | undefined>;
}

/** `ctx.bot`: who the bot is, its commands, and which of them a user may run. */
export function botInfo(
  username: string,
  plugin: string,
  deps: {
    prefix: string;
    commands: () => readonly CommandInfo[];
    permissions: PermissionOptions;
  },
  log: Logger,
): BotInfo {
  const roles = deps.permissions.roles ?? {};
  return Object.freeze({
    username,
    plugin,
    prefix: deps.prefix,
    commands: deps.commands,
    commandsFor: async (user: string | undefined, room?: string) => {
      const out: CommandInfo[] = [];
      for (const c of deps.commands()) {
        if (await mayRun(c.allow, user, roles, { command: c.name, room }, log)) out.push(c);
      }
      return out;
    },
    rolesOf: (user: string | undefined) => rolesOf(roles, user),
  });
}

export class ContextMaker {
  readonly #deps: ContextDeps;
  #warnedNoSender = false;
  // The same for every context of this plugin: made once, not once per event.
  readonly #rooms: () => readonly string[];
  readonly #join: (room: string) => Promise<void>;
  readonly #leave: (room: string) => Promise<boolean>;

  constructor(deps: ContextDeps) {
    this.#deps = deps;
    const { host } = deps;
    this.#rooms = () => host.rooms();
    this.#join = async (room) => {
      if (!host.join) throw new Error('this bot host cannot join rooms');
      await host.join(room);
    };
    this.#leave = async (room) => {
      if (!host.leave) throw new Error('this bot host cannot leave rooms');
      return host.leave(room);
    };
  }

  /**
   * What every context has. `turn` is the queued work the context belongs to (its sends are
   * dropped once it was abandoned); `trigger` the message being answered (loop protection);
   * `slot` the queue slot a wait in this context releases.
   */
  base(turn?: Turn, trigger?: Trigger, slot?: QueueSlot): BaseContext {
    const deps = this.#deps;
    return {
      store: deps.store,
      waitFor: this.#waitFor(slot),
      bot: deps.info,
      log: deps.log,
      options: deps.options,
      state: {},
      send: (room, text) => this.#send(room, text, turn, trigger),
      users: (room) => deps.host.users(room),
      rooms: this.#rooms,
      join: this.#join,
      leave: this.#leave,
    };
  }

  #waitFor(slot: QueueSlot | undefined): BaseContext['waitFor'] {
    return (filter, options) => {
      if (typeof filter !== 'function') {
        throw new TypeError('waitFor(filter) needs a function (ctx) => boolean');
      }
      return this.#wait(undefined, undefined, filter, options, slot);
    };
  }

  #send(room: string, text: string, turn: Turn | undefined, trigger: Trigger | undefined): void {
    const { log } = this.#deps;
    if (!this.#deps.alive()) {
      log.warn('dropped a message sent after the bot was unloaded', { room });
      return;
    }
    if (turn?.abandoned) {
      log.warn('dropped a message sent by a hook that was abandoned (over its time budget)', {
        room,
        hook: turn.hook,
      });
      return;
    }
    if (trigger && !this.#deps.guard.allow(trigger)) return;
    this.#deps.host.send(room, text);
  }

  /** The room-bound part of every room event's context: reply, users, ask. */
  room(base: BaseContext, room: string, user: string | undefined, slot?: QueueSlot) {
    return {
      reply: (text: string) => base.send(room, text),
      users: (r?: string) => base.users(r ?? room),
      ask: (question: string, options?: WaitOptions) => {
        const known = this.#senderKnown();
        const wait = this.#wait(room, known ? user : undefined, undefined, options, slot);
        base.send(room, question);
        return wait;
      },
    };
  }

  /**
   * A message's context: what base() has plus the room-bound parts, for `turn` (undefined
   * for a message a conversation hands over) answering `trigger`.
   */
  message(event: MessageEvent, turn?: Turn, trigger?: Trigger, slot?: QueueSlot): MessageContext {
    const deps = this.#deps;
    const room = event.room;
    const user = event.sender;
    const send = (r: string, text: string) => this.#send(r, text, turn, trigger);
    // One literal of a fixed shape, not base() and room() spread into it: this runs per
    // message.
    return {
      store: deps.store,
      waitFor: this.#waitFor(slot),
      bot: deps.info,
      log: deps.log,
      options: deps.options,
      state: {},
      send,
      users: (r?: string) => deps.host.users(r ?? room),
      rooms: this.#rooms,
      join: this.#join,
      leave: this.#leave,
      reply: (text: string) => this.#send(room, text, turn, trigger),
      ask: (question: string, options?: WaitOptions) => {
        const known = this.#senderKnown();
        const wait = this.#wait(room, known ? user : undefined, undefined, options, slot);
        send(room, question);
        return wait;
      },
      kind: 'message',
      room: event.room,
      text: event.text,
      sender: event.sender,
      match: undefined,
      command: parseCommand(event.text, this.#deps.prefix),
    };
  }

  #wait(
    room: string | undefined,
    user: string | undefined,
    filter: ((ctx: MessageContext) => boolean) | undefined,
    options: WaitOptions | undefined,
    slot: QueueSlot | undefined,
  ): Promise<MessageContext | undefined> {
    if (!this.#deps.alive()) return Promise.reject(new ConversationCancelledError('unloaded'));
    return this.#deps.wait({ room, user, slot, options, ...(filter ? { filter } : {}) });
  }

  /** Whether messages carry their sender; warns once per plugin when they do not. */
  #senderKnown(): boolean {
    const known = this.#deps.host.senderKnown?.() ?? true;
    if (!known && !this.#warnedNoSender) {
      this.#warnedNoSender = true;
      this.#deps.log.warn(
        "ctx.ask on a server without the 'sender' extension: the next message in the room from anyone answers it",
      );
    }
    return known;
  }
}
