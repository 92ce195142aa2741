// `mpcrp-bot room` as a real child process against a real server.
import { beforeAll, describe, expect, it } from 'vitest';
import { RoomNotFoundError } from '../../src/errors.js';
import type { RunningServer } from '../../src/server/index.js';
import { client, run, server } from './cli-harness.js';

let srv: RunningServer;
beforeAll(async () => {
  srv = await server();
});

const room = (...args: string[]) => run(['room', '-s', srv.url, ...args]);

describe('room create / destroy', () => {
  it('creates a room that outlives the command, and --if-not-exists makes it idempotent', async () => {
    expect(await room('create', 'c1', '-u', 'ops')).toMatchObject({
      code: 0,
      stdout: '',
      stderr: '',
    });
    const probe = await client(srv.url, 'probe1');
    await probe.joinRoom('c1');
    expect(await probe.getUserList('c1')).toEqual(['probe1']); // the CLI left; the room stayed
    const again = await room('create', 'c1', '-u', 'ops');
    expect(again.code).toBe(5);
    expect(again.stderr).toContain(`room 'c1' already exists on ${srv.url}; pass --if-not-exists`);
    expect((await room('create', 'c1', '-u', 'ops', '--if-not-exists')).code).toBe(0);
  });

  it('warns that a room made under a generated name can only be destroyed by that name', async () => {
    const r = await room('create', 'c2');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/generated name: only that username can destroy it.*-u NAME/);
  });

  it('destroys a room its creator (by username) made, from a later connection', async () => {
    expect((await room('create', 'c3', '-u', 'owner3')).code).toBe(0);
    expect((await room('destroy', 'c3', '-u', 'owner3')).code).toBe(0);
    const probe = await client(srv.url, 'probe3');
    await expect(probe.joinRoom('c3')).rejects.toBeInstanceOf(RoomNotFoundError);
  });

  it('5: destroy by another user says who may, and --if-exists does not hide that', async () => {
    expect((await room('create', 'c4', '-u', 'owner4')).code).toBe(0);
    for (const extensions of ['on', 'off']) {
      const r = await room(
        'destroy',
        'c4',
        '-u',
        'intruder',
        '--if-exists',
        '--extensions',
        extensions,
      );
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/room 'c4' .* was not created by 'intruder'.*-u <that name>/);
    }
  });

  it('5: destroy of a missing room, unless --if-exists', async () => {
    const r = await room('destroy', 'c5', '-u', 'x5');
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/room 'c5' does not exist .*--if-exists/);
    expect((await room('destroy', 'c5', '-u', 'x5', '--if-exists')).code).toBe(0);
    expect(
      (await room('destroy', 'c5', '-u', 'x5', '--if-exists', '--extensions', 'off')).code,
    ).toBe(0);
  });
});

describe('room join', () => {
  it('exits 0 for a room that exists, 5 for a missing one, 0 with --if-exists', async () => {
    const host = await client(srv.url, 'jhost');
    await host.createRoom('j1');
    expect((await room('join', 'j1')).code).toBe(0);
    expect(await host.getUserList('j1')).toEqual(['jhost']); // membership ended with the command
    const missing = await room('join', 'j2');
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain(`room 'j2' does not exist on ${srv.url}`);
    expect((await room('join', 'j2', '--if-exists')).code).toBe(0);
  });
});

describe('room list', () => {
  it('prints room IDs, or JSON with member counts', async () => {
    const own = await server();
    const a = await client(own.url, 'la');
    await a.createRoom('beta');
    await a.createRoom('alpha');
    const text = await run(['room', 'list', '-s', own.url]);
    expect(text).toMatchObject({ code: 0, stdout: 'alpha\nbeta\n' });
    const json = await run(['room', 'list', '-s', own.url, '--json']);
    expect(JSON.parse(json.stdout)).toEqual([
      { room: 'alpha', members: 1 },
      { room: 'beta', members: 1 },
    ]);
  });

  it('5 with a clear message when the server does not grant the rooms extension', async () => {
    const strict = await server({ extensions: false });
    const r = await run(['room', 'list', '-s', strict.url]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/does not offer a room list.*'rooms' extension/);
    expect(r.stdout).toBe('');
  });
});

describe('room: usage errors exit 2', () => {
  it.each([[[]], [['create']], [['frob', 'x']], [['list', 'extra']], [['create', 'bad:name']]])(
    'room %j',
    async (args) => {
      const r = await room(...args);
      expect(r.code).toBe(args[1] === 'bad:name' ? 5 : 2);
      expect(r.stderr).not.toBe('');
    },
  );
});
