import { afterEach, describe, expect, it } from 'vitest';
import { defineBot } from '../../src/bot/define.js';
import { createBotEngine } from '../../src/bot/engine.js';
import { ConversationCancelledError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { type BotTest, createBotTest } from '../../src/testing/index.js';
import { fakeHost, message } from './fake-host.js';

let t: BotTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const outcomes: string[] = [];
/** !deploy asks which environment; !ping answers at once; other text is echoed as heard. */
const deployer = defineBot({
  name: 'deployer',
  setup(bot) {
    bot.command('deploy', async (ctx) => {
      try {
        const answer = await ctx.ask('Which environment?', { timeout: '2m' });
        if (answer === undefined) return ctx.reply(`${ctx.sender}: no answer, not deploying`);
        ctx.reply(`deploying to ${answer.text} for ${answer.sender ?? 'someone'}`);
      } catch (error) {
        outcomes.push(error instanceof ConversationCancelledError ? error.reason : 'other');
        throw error;
      }
    });
    bot.command('quick', async (ctx) => {
      const answer = await ctx.ask('Yes?', { timeout: 150 });
      ctx.reply(answer === undefined ? 'too slow' : `got ${answer.text}`);
    });
    bot.command('ping', (ctx) => ctx.reply('pong'));
    bot.onMessage((ctx) => {
      if (!ctx.command) ctx.reply(`heard ${ctx.text} from ${ctx.sender ?? 'someone'}`);
    });
  },
});

describe('ctx.ask', () => {
  it("gets its answer from the right user while others' messages and commands are handled", async () => {
    t = await createBotTest({ bots: [deployer] });
    const alice = await t.user('alice');
    const bob = await t.user('bob');
    await alice.join('lobby');
    await bob.join('lobby');
    await alice.say('lobby', '!deploy');
    await alice.expectMessage('lobby', 'Which environment?', { from: 'deployer' });
    // The same plugin keeps handling events while alice's conversation waits.
    await bob.say('lobby', '!ping');
    await bob.expectMessage('lobby', 'pong');
    await bob.say('lobby', 'prod');
    await bob.expectMessage('lobby', 'heard prod from bob');
    await alice.say('lobby', 'staging');
    await alice.expectMessage('lobby', 'deploying to staging for alice');
    // The answer was consumed: the plugin's hooks never saw it as a message.
    await t.settle();
    expect(alice.messages.map((m) => m.text)).not.toContain('heard staging from alice');
  });

  it('runs many conversations at once, one per user, answered in any order', async () => {
    t = await createBotTest({ bots: [deployer] });
    const names = ['ann', 'ben', 'cat', 'dan', 'eve'];
    const users = await Promise.all(names.map((n) => t!.user(n)));
    for (const u of users) await u.join('lobby');
    for (const u of users) await u.say('lobby', '!deploy');
    await t.settle();
    for (const [i, u] of [...users].reverse().entries()) await u.say('lobby', `env${i}`);
    await t.settle();
    const said = users[0]!.messages
      .filter((m) => m.text.startsWith('deploying'))
      .map((m) => m.text);
    expect(said.sort()).toEqual(
      [...names]
        .reverse()
        .map((n, i) => `deploying to env${i} for ${n}`)
        .sort(),
    );
  });

  it('resolves undefined on timeout', async () => {
    t = await createBotTest({ bots: [deployer] });
    const alice = await t.user('alice');
    await alice.join('lobby');
    await alice.say('lobby', '!quick');
    await alice.expectMessage('lobby', 'Yes?');
    await alice.expectMessage('lobby', 'too slow');
    await alice.say('lobby', 'late');
    await alice.expectMessage('lobby', 'heard late from alice');
  });

  it('is cancelled when the user leaves the room; later messages are ordinary again', async () => {
    outcomes.length = 0;
    t = await createBotTest({ bots: [deployer] });
    const alice = await t.user('alice');
    const bob = await t.user('bob');
    await alice.join('lobby');
    await bob.join('lobby');
    await alice.say('lobby', '!deploy');
    await alice.expectMessage('lobby', 'Which environment?');
    await alice.client.quitRoom('lobby');
    await t.settle();
    expect(outcomes).toEqual(['left']);
    await alice.join('lobby');
    await alice.say('lobby', 'prod');
    await alice.expectMessage('lobby', 'heard prod from alice');
  });

  it('without the sender extension, the next message from anyone answers (sender undefined), with one warning', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) });
    t = await createBotTest({
      bots: [deployer],
      server: { extensions: false },
      options: { logger },
    });
    const alice = await t.user('alice');
    const bob = await t.user('bob');
    await alice.join('lobby');
    await bob.join('lobby');
    await alice.say('lobby', '!deploy');
    await alice.expectMessage('lobby', 'Which environment?');
    await bob.say('lobby', 'prod');
    await alice.expectMessage('lobby', 'deploying to prod for someone');
    await alice.say('lobby', '!deploy');
    await alice.expectMessage('lobby', 'Which environment?');
    await alice.say('lobby', 'dev');
    await alice.expectMessage('lobby', 'deploying to dev for someone');
    const warnings = lines.filter((l) => l.includes("without the 'sender' extension"));
    expect(warnings).toHaveLength(1);
  });
});

describe('conversations in the engine', () => {
  it('stop cancels waiting conversations and idle() does not wait for answers', async () => {
    outcomes.length = 0;
    const fake = fakeHost('bot');
    const engine = createBotEngine({ host: fake.host, plugins: [deployer] });
    await engine.start();
    await engine.handleEvent(message('lobby', '!deploy', 'ann'));
    await engine.handleEvent(message('lobby', '!deploy', 'ben'));
    await engine.idle();
    expect(fake.texts()).toEqual(['Which environment?', 'Which environment?']);
    await engine.stop();
    await engine.idle();
    expect(outcomes).toEqual(['stop', 'stop']);
    // Cancelled conversations end quietly: no plugin error is logged.
    expect(fake.logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it("a reload (engine.add of a new version) cancels the old version's conversations; the new one answers", async () => {
    outcomes.length = 0;
    const fake = fakeHost('bot');
    const engine = createBotEngine({ host: fake.host, plugins: [deployer] });
    await engine.start();
    await engine.handleEvent(message('lobby', '!deploy', 'ann'));
    await engine.idle();
    await engine.add(deployer);
    await engine.idle();
    expect(outcomes).toEqual(['unloaded']);
    // Her answer now reaches the new version as an ordinary message, once.
    await engine.handleEvent(message('lobby', 'prod', 'ann'));
    await engine.idle();
    expect(fake.texts()).toEqual(['Which environment?', 'heard prod from ann']);
    await engine.stop();
  });

  it('an answer in another room, or from another user, is not the answer', async () => {
    const fake = fakeHost('bot');
    const engine = createBotEngine({ host: fake.host, plugins: [deployer] });
    await engine.start();
    await engine.handleEvent(message('lobby', '!deploy', 'ann'));
    await engine.handleEvent(message('dev', 'prod', 'ann'));
    await engine.handleEvent(message('lobby', 'prod', 'ben'));
    await engine.handleEvent(message('lobby', 'staging', 'ann'));
    await engine.idle();
    expect(fake.texts()).toEqual([
      'Which environment?',
      'heard prod from ann',
      'heard prod from ben',
      'deploying to staging for ann',
    ]);
    await engine.stop();
  });

  it('waitFor takes any predicate and consumes the message it takes', async () => {
    const seen: string[] = [];
    const waiter = defineBot({
      name: 'waiter',
      setup(bot) {
        bot.command('wait', async (ctx) => {
          const m = await ctx.waitFor((c) => /^\d+$/.test(c.text), { timeout: '1m' });
          ctx.reply(`number ${m?.text} from ${m?.sender}`);
        });
        bot.onMessage((ctx) => {
          seen.push(ctx.text);
        });
      },
    });
    const fake = fakeHost('bot');
    const engine = createBotEngine({ host: fake.host, plugins: [waiter] });
    await engine.start();
    await engine.handleEvent(message('lobby', '!wait', 'ann'));
    await engine.handleEvent(message('lobby', 'not yet', 'ben'));
    await engine.handleEvent(message('dev', '42', 'cat'));
    await engine.idle();
    expect(fake.texts()).toEqual(['number 42 from cat']);
    // '42' was consumed. (The onMessage hook for '!wait' itself runs after the waiting
    // command hook is done, so after 'not yet': later hooks of an event wait for earlier ones.)
    expect(seen.sort()).toEqual(['!wait', 'not yet']);
  });

  it('refuses more than maxConversations waiting at once (the extra one gets undefined)', async () => {
    const fake = fakeHost('bot');
    const engine = createBotEngine({ host: fake.host, plugins: [deployer], maxConversations: 2 });
    await engine.start();
    for (const u of ['a', 'b', 'c']) await engine.handleEvent(message('lobby', '!deploy', u));
    await engine.idle();
    expect(fake.texts().filter((x) => x === 'Which environment?')).toHaveLength(3);
    expect(fake.texts()).toContain('c: no answer, not deploying');
    expect(fake.logs.some((l) => l.msg.includes('too many conversations') && l.max === 2)).toBe(
      true,
    );
    await engine.stop();
  });
});
