/**
 * Shared checks for the robustness suite: every abuse test ends by proving the server
 * still serves others and holds no more connections than before.
 */
import { expect } from 'vitest';
import type { RawClient } from '../helpers/raw-client.js';
import { type Harness, parseData, T } from '../server/harness.js';

/** Two registered clients in room `ok`, set up before the abuse. */
export interface Bystanders {
  sender: RawClient;
  receiver: RawClient;
  /** connectionCount with the bystanders connected and nothing else. */
  baseline: number;
}

export async function bystanders(h: Harness): Promise<Bystanders> {
  const sender = await h.owner('ok1', 'ok');
  const receiver = await h.member('ok2', 'ok');
  return { sender, receiver, baseline: h.running.server.connectionCount };
}

/**
 * The bystanders still chat both ways, a new client can register, and once the abusers
 * are gone the server is back to its baseline of connections.
 */
export async function stillServing(h: Harness, b: Bystanders): Promise<void> {
  b.sender.data('ok', 'still there?');
  await receive(b.receiver, 'still there?');
  b.receiver.data('ok', 'yes');
  await receive(b.sender, 'yes');
  expect(await b.receiver.userList('ok')).toEqual(['ok1', 'ok2']);
  const fresh = await h.connect();
  expect(await fresh.setName('fresh')).toBe('0');
  await fresh.close();
  await connectionsSettle(h, b.sender, b.baseline);
}

/** Skips relays the test already checked (or did not care about) until `text` arrives. */
async function receive(c: RawClient, text: string): Promise<void> {
  for (;;) {
    const frame = await c.nextOfType(T.Data);
    if (parseData(frame.payload).text === text) return;
  }
}

/**
 * Round trips on `probe` until the server holds `expected` connections (a peer's close
 * reaches the server asynchronously); fails if it never does.
 */
export async function connectionsSettle(
  h: Harness,
  probe: RawClient,
  expected: number,
): Promise<void> {
  const server = h.running.server;
  for (let i = 0; i < 2000 && server.connectionCount !== expected; i++) await roundTrip(probe);
  expect(server.connectionCount).toBe(expected);
}

let probes = 0;

/**
 * One GetUserList round trip for a fresh room ID. Relayed messages arriving meanwhile are
 * skipped (abusers may have joined the bystanders' room); any other frame is an error.
 */
export async function roundTrip(c: RawClient): Promise<void> {
  const room = `rt${++probes}`;
  c.send(T.GetUserList, room);
  for (;;) {
    const frame = await c.next();
    if (frame.type === T.Data) continue;
    expect(frame.type).toBe(T.GetUserListResponse);
    expect(frame.payload.toString()).toMatch(new RegExp(`^${room}:`));
    return;
  }
}

/** Log lines containing every one of `parts`. */
export function logged(h: Harness, ...parts: string[]): string[] {
  return h.logs.filter((line) => parts.every((p) => line.includes(p)));
}
