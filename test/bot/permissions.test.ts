import { afterEach, describe, expect, it } from 'vitest';
import help from '../../bots/help.js';
import { defineBot } from '../../src/bot/define.js';
import { createBotEngine } from '../../src/bot/engine.js';
import { type BotTest, createBotTest } from '../../src/testing/index.js';
import { fakeHost, message } from './fake-host.js';

let t: BotTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const ran: string[] = [];
const ops = defineBot({
  name: 'ops',
  setup(bot) {
    bot.command('deploy', { description: 'Ship it', allow: 'ops' }, (ctx) => {
      ran.push(`deploy by ${ctx.sender}`);
      ctx.reply(`deploying for ${ctx.sender}`);
    });
    bot.command('nuke', { description: 'Admins only', allow: ['admins'] }, (ctx) => {
      ran.push(`nuke by ${ctx.sender}`);
    });
    bot.command(
      'odd',
      { description: 'Users whose name starts with c', allow: (user) => user.startsWith('c') },
      (ctx) => ctx.reply(`odd ok for ${ctx.sender}`),
    );
    bot.command('status', { description: 'Everyone' }, (ctx) => ctx.reply('all good'));
  },
});
const roles = { ops: ['alice', 'bob'], admins: ['alice'] };

describe('allow: on commands', () => {
  it("an allow: 'ops' command refuses a user outside the role and runs for one inside it", async () => {
    ran.length = 0;
    t = await createBotTest({ bots: [ops], options: { roles } });
    const carol = await t.user('carol');
    const bob = await t.user('bob');
    await carol.join('lobby');
    await bob.join('lobby');
    await carol.say('lobby', '!deploy');
    await carol.expectMessage('lobby', 'sorry carol, !deploy is only for ops', { from: 'ops' });
    await bob.say('lobby', '!deploy');
    await bob.expectMessage('lobby', 'deploying for bob');
    await bob.say('lobby', '!nuke');
    await bob.expectMessage('lobby', 'sorry bob, !nuke is only for admins');
    await carol.say('lobby', '!odd');
    await carol.expectMessage('lobby', 'odd ok for carol');
    await bob.say('lobby', '!odd');
    await bob.expectMessage('lobby', 'sorry bob, !odd is only for those the bot allows');
    expect(ran).toEqual(['deploy by bob']);
  });

  it('help lists for each user only what that user may run', async () => {
    t = await createBotTest({ bots: [ops, help], options: { roles } });
    const carol = await t.user('carol');
    const alice = await t.user('alice');
    await carol.join('lobby');
    await alice.join('lobby');
    await carol.say('lobby', '!help');
    await carol.expectMessage('lobby', 'commands: !help, !odd, !status (!help <command> for more)');
    await alice.say('lobby', '!help');
    await alice.expectMessage(
      'lobby',
      'commands: !deploy, !help, !nuke, !status (!help <command> for more)',
    );
  });

  it('refuses silently with refusal: false, and logs every refusal', async () => {
    const fake = fakeHost('bot');
    const engine = createBotEngine({ host: fake.host, plugins: [ops], roles, refusal: false });
    await engine.handleEvent(message('lobby', '!deploy', 'mallory'));
    expect(fake.sent).toEqual([]);
    const line = fake.logs.find((l) => l.msg === 'refused a command');
    expect(line).toMatchObject({
      command: '!deploy',
      user: 'mallory',
      room: 'lobby',
      allowed: 'ops',
    });
  });

  it('takes a custom refusal text', async () => {
    const fake = fakeHost('bot');
    const refusal = '{user} may not {command} ({allowed} only)';
    const engine = createBotEngine({ host: fake.host, plugins: [ops], roles, refusal });
    await engine.handleEvent(message('lobby', '!deploy', 'mallory'));
    expect(fake.texts()).toEqual(['mallory may not !deploy (ops only)']);
  });

  it('without the sender extension every guarded command is refused, saying why', async () => {
    ran.length = 0;
    t = await createBotTest({ bots: [ops], options: { roles }, server: { extensions: false } });
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', '!deploy');
    await alice.expectMessage(
      'lobby',
      "!deploy needs to know who is asking, and this server does not say (it grants no 'sender' extension)",
    );
    await alice.say('lobby', '!status');
    await alice.expectMessage('lobby', 'all good');
    expect(ran).toEqual([]);
  });

  it('warns at setup about a role that roles: does not define', async () => {
    const fake = fakeHost('bot');
    const engine = createBotEngine({ host: fake.host, plugins: [ops], roles: { ops: ['bob'] } });
    await engine.idle();
    expect(fake.logs.map((l) => l.msg)).toContainEqual(
      expect.stringMatching(
        /allow names the role 'admins', which roles: in the config does not define/,
      ),
    );
  });

  it('a throwing predicate refuses, with an error line', async () => {
    const bad = defineBot({
      name: 'bad',
      setup(bot) {
        bot.command(
          'x',
          {
            description: '',
            allow: () => {
              throw new Error('boom');
            },
          },
          (ctx) => ctx.reply('ran'),
        );
      },
    });
    const fake = fakeHost('bot');
    const engine = createBotEngine({ host: fake.host, plugins: [bad] });
    await engine.handleEvent(message('lobby', '!x', 'ann'));
    expect(fake.texts()).toEqual(['sorry ann, !x is only for those the bot allows']);
    expect(fake.logs.some((l) => l.level === 'error' && l.msg.includes('allow check threw'))).toBe(
      true,
    );
  });
});
