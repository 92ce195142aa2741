import type { BotEvent, BotHost } from '../../src/bot/host.js';
import { createLogger } from '../../src/log.js';

export interface LogRecord {
  level: string;
  scope?: string;
  msg: string;
  [field: string]: unknown;
}

/** A BotHost that records what plugins send and log, for engine unit tests. */
export function fakeHost(username = 'bot', members: Record<string, string[]> = {}) {
  const sent: { room: string; text: string }[] = [];
  const logs: LogRecord[] = [];
  const host: BotHost = {
    username,
    send: (room, text) => {
      sent.push({ room, text });
    },
    users: async (room) => [...(members[room] ?? [])],
    rooms: () => Object.keys(members),
    logger: createLogger({
      level: 'debug',
      format: 'json',
      write: (line) => logs.push(JSON.parse(line) as LogRecord),
    }),
  };
  return { host, sent, logs, texts: () => sent.map((s) => s.text) };
}

export const message = (room: string, text: string, sender?: string): BotEvent => ({
  kind: 'message',
  room,
  text,
  sender,
});
