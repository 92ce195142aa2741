import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import webhook, { describePush } from '../../bots/webhook.js';
import { connect, type MpcrpClient, type RoomMessage } from '../../src/client/index.js';
import { botWithHttp } from './bot-with-http.js';

const open: { close(): Promise<void> }[] = [];
const clients: MpcrpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const o of open.splice(0).reverse()) await o.close();
});

const push = {
  ref: 'refs/heads/main',
  compare: 'https://github.com/acme/api/compare/abc...def',
  repository: { full_name: 'acme/api' },
  pusher: { name: 'ann' },
  commits: [{ message: 'Add login' }, { message: 'Fix login\n\nLong description' }],
  head_commit: { message: 'Fix login\n\nLong description' },
};

describe('bots/webhook.ts', () => {
  it('turns a push payload into one line', () => {
    expect(describePush(push)).toBe(
      'ann pushed 2 commits to main of acme/api: "Fix login" https://github.com/acme/api/compare/abc...def',
    );
    expect(
      describePush({ ...push, commits: [push.commits[0]!], head_commit: null, compare: '' }),
    ).toBe('ann pushed 1 commit to main of acme/api: "Add login"');
    expect(describePush({ ...push, deleted: true })).toBe('ann deleted main of acme/api');
    expect(describePush({ zen: 'hi' } as never)).toBeUndefined();
  });

  it('announces a signed GitHub push in its room; refuses a bad signature', async () => {
    const { server, web } = await botWithHttp({
      bot: {
        username: 'hooks',
        rooms: ['ops'],
        plugins: [{ plugin: webhook, options: { room: 'ops', secret: 'shh' } }],
      },
    });
    const watcher = await connect(server.url, { username: 'watcher' });
    clients.push(watcher);
    await watcher.joinRoom('ops');
    const seen = new Promise<RoomMessage>((resolve) => watcher.once('message', resolve));

    const body = JSON.stringify(push);
    const sign = (text: string) =>
      `sha256=${createHmac('sha256', 'shh').update(text).digest('hex')}`;
    const post = (signature: string) =>
      fetch(`${web.url}/plugins/webhook/github`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-hub-signature-256': signature,
        },
        body,
      });
    expect((await post(sign('something else'))).status).toBe(401);
    const ok = await post(sign(body));
    expect(ok.status).toBe(202);
    expect((await seen).text).toBe(
      'ann pushed 2 commits to main of acme/api: "Fix login" https://github.com/acme/api/compare/abc...def',
    );
  });
});
