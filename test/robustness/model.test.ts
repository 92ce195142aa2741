// Model-based test: random command sequences from four clients (few names and rooms, so
// they collide) against the real server, each response and each delivery compared with
// the reference model in chat-model.ts. In memory for volume, then over TCP.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType } from '../../src/protocol/types.js';
import { MpcrpServer } from '../../src/server/server.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { RawClient } from '../helpers/raw-client.js';
import { parseData, T } from '../server/harness.js';
import { ChatModel } from './chat-model.js';
import { roundTrip } from './helpers.js';

const SLOTS = 4;
/**
 * The model leaves out the frames-before-SetUserName cap (registration.test.ts covers
 * it): an unregistered client here may send any number of commands and probes.
 */
const OPTIONS = { maxFramesBeforeRegistration: 100_000 };
const INVALID = new Set(['bad name', 'x:y']);
const ROOM_OPS = {
  create: MessageType.CreateRoom,
  join: MessageType.JoinRoom,
  quit: MessageType.QuitRoom,
  destroy: MessageType.DestroyRoom,
} as const;

const slot = fc.integer({ min: 0, max: SLOTS - 1 });
const room = fc.constantFrom('r1', 'r2', 'r1', 'r2', 'x:y');
const command = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('name' as const),
      slot,
      name: fc.constantFrom('ann', 'bob', 'cy', 'dee', 'ann', 'bad name'),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constantFrom('create', 'join', 'join', 'quit', 'destroy', 'list'),
      slot,
      room,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('data' as const),
      slot,
      room: fc.constantFrom('r1', 'r2'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reconnect' as const), slot }) },
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

/** One run: four clients on a fresh server, driven step by step beside the model. */
class Run {
  readonly model = new ChatModel(SLOTS, INVALID);
  clients: RawClient[] = [];
  #texts = 0;

  constructor(
    readonly server: MpcrpServer,
    readonly connect: () => Promise<RawClient>,
  ) {}

  async start(): Promise<void> {
    this.clients = await Promise.all(Array.from({ length: SLOTS }, () => this.connect()));
  }

  async step(cmd: Command): Promise<void> {
    const c = this.clients[cmd.slot]!;
    switch (cmd.op) {
      case 'name':
        expect(await c.setName(cmd.name)).toBe(this.model.setUserName(cmd.slot, cmd.name));
        return;
      case 'list': {
        const expected = this.model.list(cmd.slot, cmd.room);
        c.send(T.GetUserList, cmd.room);
        expect(await c.expectText(T.GetUserListResponse)).toBe(
          `${cmd.room}:${JSON.stringify(expected)}`,
        );
        return;
      }
      case 'data':
        return this.#data(cmd.slot, cmd.room);
      case 'reconnect':
        return this.#reconnect(cmd.slot);
      default: {
        const ok = this.model[cmd.op](cmd.slot, cmd.room);
        expect(await c.command(ROOM_OPS[cmd.op], cmd.room)).toBe(`${cmd.room}:${ok ? 0 : 1}`);
      }
    }
  }

  async #data(from: number, id: string): Promise<void> {
    const text = `m${++this.#texts}`;
    this.clients[from]!.data(id, text);
    // Once the sender's next round trip is answered the relay is queued everywhere, so a
    // stray delivery would show up ahead of any later frame a recipient expects. The
    // sender itself must get nothing before that answer (no echo).
    await this.clients[from]!.expectNothing();
    for (const to of this.model.data(from, id)) {
      expect(parseData((await this.clients[to]!.expect(T.Data)).payload)).toEqual({
        room: id,
        text,
      });
    }
  }

  async #reconnect(at: number): Promise<void> {
    await this.clients[at]!.close();
    this.model.disconnect(at);
    this.clients[at] = await this.connect();
    // The server learns of the close asynchronously; wait until it has released it.
    for (let i = 0; i < 1000 && this.server.connectionCount !== SLOTS; i++) {
      await roundTrip(this.clients[at]!);
    }
    expect(this.server.connectionCount).toBe(SLOTS);
  }

  /** Nothing unexpected is pending anywhere, and the server's rooms are the model's. */
  async finish(): Promise<void> {
    for (const c of this.clients) await c.expectNothing();
    const auditor = await this.connect();
    await auditor.register('auditor');
    await auditor.hello(['rooms']);
    auditor.send(T.ListRooms);
    expect(JSON.parse(await auditor.expectText(T.RoomList))).toEqual(this.model.roomList());
    for (const c of [...this.clients, auditor]) await c.close();
  }
}

async function play(run: Run, commands: Command[]): Promise<void> {
  await run.start();
  for (const cmd of commands) await run.step(cmd);
  await run.finish();
}

describe('the server against a reference model', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const done of cleanup.splice(0)) await done();
  });

  it('in memory: every response and delivery matches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { minLength: 5, maxLength: 60, size: 'max' }),
        async (commands) => {
          const server = new MpcrpServer(OPTIONS);
          try {
            await play(
              new Run(server, async () => new RawClient(server.connectMemory())),
              commands,
            );
          } finally {
            await server.close();
          }
        },
      ),
      { seed: 8890, numRuns: 300 },
    );
  });

  it('over TCP: every response and delivery matches', async () => {
    let running: RunningServer | undefined;
    cleanup.push(async () => running?.close());
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { minLength: 5, maxLength: 40, size: 'max' }),
        async (commands) => {
          running = await startServer({ ...OPTIONS, port: 0 });
          try {
            await play(new Run(running.server, () => RawClient.connect(running!.port)), commands);
          } finally {
            await running.close();
          }
        },
      ),
      { seed: 8891, numRuns: 40 },
    );
  });
});
