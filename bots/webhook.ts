import { createHmac, timingSafeEqual } from 'node:crypto';
import { defineBot } from 'mpcrp-bot';

export interface WebhookOptions {
  /** Where push announcements go. */
  room: string;
  /** GitHub's webhook secret: when set, X-Hub-Signature-256 must match the body. */
  secret?: string;
}

/** The parts of a GitHub `push` event payload this bot reads. */
interface PushPayload {
  ref?: string;
  repository?: { full_name?: string };
  pusher?: { name?: string };
  sender?: { login?: string };
  commits?: { message?: string }[];
  head_commit?: { message?: string } | null;
  compare?: string;
  deleted?: boolean;
}

/**
 * One line for a push: `ann pushed 3 commits to main of acme/api: "Fix login" <compare URL>`.
 * Undefined for a payload that is not a push.
 *
 * @example
 * describePush({ ref: 'refs/heads/main', repository: { full_name: 'acme/api' }, pusher: { name: 'ann' }, commits: [{ message: 'Fix login' }] });
 */
export function describePush(payload: PushPayload): string | undefined {
  if (typeof payload?.ref !== 'string' || typeof payload.repository?.full_name !== 'string') {
    return undefined;
  }
  const who = payload.pusher?.name ?? payload.sender?.login ?? 'someone';
  const branch = payload.ref.replace(/^refs\/(heads|tags)\//, '');
  const repo = payload.repository.full_name;
  if (payload.deleted) return `${who} deleted ${branch} of ${repo}`;
  const n = payload.commits?.length ?? 0;
  const head = (payload.head_commit?.message ?? payload.commits?.at(-1)?.message ?? '')
    .split('\n')[0]!
    .trim();
  const what = `${n} commit${n === 1 ? '' : 's'}`;
  const summary = head === '' ? '' : `: "${head.length > 120 ? `${head.slice(0, 117)}...` : head}"`;
  const link = payload.compare ? ` ${payload.compare}` : '';
  return `${who} pushed ${what} to ${branch} of ${repo}${summary}${link}`;
}

function signatureMatches(secret: string, body: Buffer, header: unknown): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * GitHub-style push webhooks into a room, with `run --http`: point the repository's webhook
 * (content type application/json, event "push") at `http://HOST:PORT/plugins/webhook/github`.
 */
export default defineBot<WebhookOptions>({
  name: 'webhook',
  description: 'Announces GitHub pushes in a room (POST /plugins/webhook/github)',
  defaults: { room: 'ops' },
  setup(bot) {
    const { room, secret } = bot.options;
    if (typeof room !== 'string' || room === '') {
      throw new TypeError('options.room must be the room to announce pushes in, e.g. ops');
    }
    bot.http.post('/github', (req, ctx) => {
      if (secret && !signatureMatches(secret, req.rawBody, req.headers['x-hub-signature-256'])) {
        ctx.respond(401, { error: 'X-Hub-Signature-256 does not match the body' });
        return;
      }
      const event = req.headers['x-github-event'];
      if (event === 'ping') {
        ctx.respond(200, { ok: true });
        return;
      }
      if (event !== undefined && event !== 'push') {
        ctx.respond(202, { ignored: event });
        return;
      }
      const line = describePush(req.body as PushPayload);
      if (line === undefined) {
        ctx.respond(400, { error: 'not a push payload (expected ref and repository.full_name)' });
        return;
      }
      ctx.send(room, line);
      ctx.respond(202, { announced: line });
    });
  },
});
