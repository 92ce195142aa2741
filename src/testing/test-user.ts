import { connect, type MpcrpClient } from '../client/index.js';
import type { Extension } from '../protocol/types.js';
import { withRealTimeout } from './real-timers.js';

/** A room message as a simulated user received it. */
export interface ReceivedMessage {
  room: string;
  text: string;
  /** Known when the user has the `sender` extension (the default). */
  sender: string | undefined;
}

/** What a message must look like: exact text, a pattern, or a test. */
export type MessageMatch = string | RegExp | ((message: ReceivedMessage) => boolean);

export interface ExpectOptions {
  /** Only messages from this sender (needs the user's `sender` extension). */
  from?: string;
  /** Milliseconds of real time to wait. Default 5000. */
  timeout?: number;
}

/** What `expectNoMessage` looks at. */
export interface NoMessageOptions {
  /** Only messages from this sender. Default: the bot's own messages. */
  from?: string;
  /** Count every sender's messages (the simulated users' too). Default false. */
  anySender?: boolean;
}

export interface TestUserOptions {
  /** Extensions the user asks for: true (default, all), false (a strict RFC client) or a list. */
  extensions?: boolean | readonly Extension[];
}

interface Waiter {
  room: string;
  test: (m: ReceivedMessage) => boolean;
  resolve: (m: ReceivedMessage) => void;
}

/**
 * A simulated chat user: a real client connection to the test server that records
 * everything it receives.
 */
export class TestUser {
  readonly name: string;
  readonly client: MpcrpClient;
  #messages: ReceivedMessage[] = [];
  #consumed = new WeakSet<ReceivedMessage>();
  #waiters: Waiter[] = [];
  #settle: () => Promise<void>;
  #bot: string | undefined;

  private constructor(
    name: string,
    client: MpcrpClient,
    settle: () => Promise<void>,
    bot: string | undefined,
  ) {
    this.name = name;
    this.client = client;
    this.#settle = settle;
    this.#bot = bot;
    client.on('message', (m) => this.#receive({ room: m.room, text: m.text, sender: m.sender }));
  }

  /** @internal used by createBotTest */
  static async connect(
    url: string,
    name: string,
    options: TestUserOptions,
    settle: () => Promise<void>,
    bot?: string,
  ): Promise<TestUser> {
    const client = await connect(url, { username: name, extensions: options.extensions ?? true });
    return new TestUser(name, client, settle, bot);
  }

  /** Everything received so far, oldest first. */
  get messages(): readonly ReceivedMessage[] {
    return this.#messages;
  }

  /** Joins a room, creating it when it does not exist. */
  async join(room: string): Promise<void> {
    try {
      await this.client.joinRoom(room);
    } catch {
      await this.client.createRoom(room);
    }
  }

  async quit(room: string): Promise<void> {
    await this.client.quitRoom(room);
  }

  /** Says `text` in `room`; resolves once the server has relayed it. */
  async say(room: string, text: string): Promise<void> {
    this.client.send(room, text);
    await this.client.ping();
  }

  async users(room: string): Promise<string[]> {
    return this.client.getUserList(room);
  }

  /**
   * Resolves with the first message in `room` matching `match` that no earlier expectation
   * took, waiting for it when it has not arrived yet. Rejects after `timeout` ms (real time)
   * listing what did arrive.
   */
  expectMessage(
    room: string,
    match: MessageMatch = () => true,
    options: ExpectOptions = {},
  ): Promise<ReceivedMessage> {
    const test = matcher(match, options.from);
    const found = this.#messages.find((m) => m.room === room && !this.#consumed.has(m) && test(m));
    if (found) {
      this.#consumed.add(found);
      return Promise.resolve(found);
    }
    const timeout = options.timeout ?? 5000;
    let waiter: Waiter | undefined;
    const arrival = new Promise<ReceivedMessage>((resolve) => {
      waiter = { room, test, resolve };
      this.#waiters.push(waiter);
    });
    return withRealTimeout(arrival, timeout, () => {
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
      return new Error(
        `${this.name} got no message in '${room}' matching ${describe(match, options.from)} within ${timeout} ms; ` +
          `unclaimed messages there: ${this.#unclaimed(room)}`,
      );
    });
  }

  /**
   * Waits until the bot and the server are quiet (no sleeping), then fails if `room` holds
   * an unclaimed message from the bot matching `match` (any text when omitted). Other
   * senders' messages count with `{ from }` or `{ anySender: true }`. A message without a
   * known sender (a strict server) always counts: it may be the bot's.
   */
  async expectNoMessage(
    room: string,
    match: MessageMatch = () => true,
    options: NoMessageOptions = {},
  ): Promise<void> {
    await this.#settle();
    const from = options.anySender ? undefined : (options.from ?? this.#bot);
    const text = matcher(match, undefined);
    const test = (m: ReceivedMessage) =>
      text(m) && (from === undefined || m.sender === undefined || m.sender === from);
    const found = this.#messages.find((m) => m.room === room && !this.#consumed.has(m) && test(m));
    if (found) {
      throw new Error(
        `${this.name} expected no message in '${room}' matching ${describe(match, from)}, got ${JSON.stringify(found)}`,
      );
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  #receive(message: ReceivedMessage): void {
    this.#messages.push(message);
    const i = this.#waiters.findIndex((w) => w.room === message.room && w.test(message));
    if (i < 0) return;
    const [waiter] = this.#waiters.splice(i, 1);
    this.#consumed.add(message);
    waiter!.resolve(message);
  }

  #unclaimed(room: string): string {
    const left = this.#messages.filter((m) => m.room === room && !this.#consumed.has(m));
    return left.length === 0 ? 'none' : JSON.stringify(left.map((m) => m.text));
  }
}

function matcher(match: MessageMatch, from: string | undefined): (m: ReceivedMessage) => boolean {
  const text =
    typeof match === 'string'
      ? (m: ReceivedMessage) => m.text === match
      : match instanceof RegExp
        ? (m: ReceivedMessage) => {
            match.lastIndex = 0;
            return match.test(m.text);
          }
        : match;
  return from === undefined ? text : (m) => m.sender === from && text(m);
}

function describe(match: MessageMatch, from: string | undefined): string {
  const what =
    typeof match === 'string'
      ? JSON.stringify(match)
      : match instanceof RegExp
        ? String(match)
        : 'the predicate';
  return from === undefined ? what : `${what} from ${from}`;
}
