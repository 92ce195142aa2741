// What a plugin can do about rooms: send to one it is not in (a typed error, not a silent
// drop), join and leave rooms itself, and see a rename as a rename.
import { afterEach, describe, expect, it } from 'vitest';
import { defineBot } from '../../src/bot/define.js';
import { NotInRoomError, type PluginError } from '../../src/errors.js';
import { type BotTest, createBotTest } from '../../src/testing/index.js';
import { recorder } from './helpers.js';

let t: BotTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A plugin driven by commands in lobby: `!say ROOM TEXT`, `!join ROOM`, `!leave ROOM`. */
function roomsBot() {
  const errors: PluginError[] = [];
  const left: boolean[] = [];
  const plugin = defineBot({
    name: 'rooms',
    setup(bot) {
      bot.command('say', (ctx) => ctx.send(ctx.command.args[0]!, ctx.command.args[1]!));
      bot.command('join', async (ctx) => {
        await ctx.join(ctx.command.args[0]!);
        ctx.reply(`joined ${ctx.command.args[0]}`);
      });
      bot.command('leave', async (ctx) => {
        left.push(await ctx.leave(ctx.command.args[0]!));
        ctx.reply(`left ${ctx.command.args[0]}`);
      });
      bot.onError((err) => {
        errors.push(err);
      });
    },
  });
  return { plugin, errors, left };
}

describe('rooms from a plugin', () => {
  it('ctx.send to a room the bot is not in throws NotInRoomError to the plugin', async () => {
    const b = roomsBot();
    t = await createBotTest({ bots: [b.plugin] });
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', '!say elsewhere hello');
    await t.settle();
    expect(b.errors).toHaveLength(1);
    const cause = b.errors[0]!.cause;
    expect(cause).toBeInstanceOf(NotInRoomError);
    expect(cause).toMatchObject({ code: 'NOT_IN_ROOM', room: 'elsewhere' });
    expect(String((cause as Error).message)).toMatch(/not in room 'elsewhere'.*ctx\.join/);
    expect(b.errors[0]!.hook).toBe('command !say');
    // The runtime-level send still answers with false, as announcements expect.
    expect(t.runtime.send('elsewhere', 'x')).toBe(false);
  });

  it('ctx.join enters a room now and again after a reconnect; ctx.leave quits it', async () => {
    const b = roomsBot();
    t = await createBotTest({
      bots: [b.plugin],
      options: { reconnect: { initialDelay: 5, maxDelay: 5 } },
    });
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', '!join party');
    await alice.expectMessage('lobby', 'joined party', { from: 'rooms' });
    await alice.join('party');
    expect(await alice.users('party')).toEqual(['rooms', 'alice']); // the bot created it
    await alice.say('lobby', '!say party hi');
    await alice.expectMessage('party', 'hi', { from: 'rooms' });

    const back = t.reconnected();
    t.runtime.client!.destroy();
    await back;
    expect([...t.runtime.rooms].sort()).toEqual(['lobby', 'party']);
    expect(await alice.users('party')).toEqual(['alice', 'rooms']);

    await alice.say('lobby', '!leave party');
    await alice.expectMessage('lobby', 'left party', { from: 'rooms' });
    expect(await alice.users('party')).toEqual(['alice']);
    expect(t.runtime.rooms).toEqual(['lobby']);
    await alice.say('lobby', '!say party still?');
    await alice.say('lobby', '!leave party');
    await alice.expectMessage('lobby', 'left party', { from: 'rooms' });
    await t.settle();
    expect(b.errors.map((e) => (e.cause as Error).name)).toEqual(['NotInRoomError']);
    expect(b.left).toEqual([true, false]);
  });

  it('reports a rename with the presence extension as onRename, not leave + join', async () => {
    const rec = recorder();
    t = await createBotTest({ bots: [rec.plugin] });
    const alice = await t.user('alice');
    await alice.join('lobby');
    await rec.waitFor((e) => e.kind === 'join' && e.user === 'alice');
    await alice.client.setUserName('alicia');
    expect(await rec.waitFor((e) => e.kind === 'rename')).toEqual({
      kind: 'rename',
      room: 'lobby',
      user: 'alicia',
      old: 'alice',
    });
    await t.settle();
    expect(rec.events.filter((e) => e.kind === 'leave')).toEqual([]);
    const last = rec.events.at(-1);
    expect(last).toMatchObject({ kind: 'userlist', room: 'lobby' });
    expect(last && 'users' in last ? [...last.users].sort() : []).toEqual(['alicia', 'recorder']);
  });

  it('on a strict server (polling) a rename can only look like leave + join', async () => {
    const rec = recorder();
    t = await createBotTest({
      bots: [rec.plugin],
      server: { extensions: false },
      options: { presenceInterval: 20 },
    });
    const alice = await t.user('alice', { extensions: false });
    await alice.join('lobby');
    await rec.waitFor((e) => e.kind === 'join' && e.user === 'alice');
    await alice.client.setUserName('alicia');
    await rec.waitFor((e) => e.kind === 'join' && e.user === 'alicia');
    expect(rec.events.filter((e) => e.kind === 'leave' || e.kind === 'rename')).toEqual([
      { kind: 'leave', room: 'lobby', user: 'alice' },
    ]);
  });
});
