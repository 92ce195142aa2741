import { FrameDecoder } from '../../src/protocol/decoder.js';
import type { Row, Scenario, ScenarioContext } from '../lib/row.js';
import { median, ratePerSecond } from '../lib/stats.js';
import { headerWalk, headerWalkWithViews } from '../yardsticks/header-walk.js';

const CHUNK = 64 * 1024;
const STREAM = 4 * 1024 * 1024;

/** A stream of back-to-back Data frames of `frameSize` bytes each, cut into 64 KiB chunks. */
function stream(frameSize: number): { chunks: Buffer[]; frames: number } {
  const room = Buffer.from('bench');
  const textLength = frameSize - 4 - 1 - room.length;
  const frame = Buffer.alloc(frameSize, 0x78);
  frame[0] = 13;
  frame.writeUIntBE(frameSize - 4, 1, 3);
  frame[4] = room.length;
  room.copy(frame, 5);
  if (textLength < 0) throw new Error('frame too small');
  const frames = Math.floor(STREAM / frameSize);
  const all = Buffer.concat(Array.from({ length: frames }, () => frame));
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; at += CHUNK) chunks.push(all.subarray(at, at + CHUNK));
  return { chunks, frames };
}

/** Keeps the payload lengths observable, so no loop can be optimised away. */
export let payloadSink = 0;

/**
 * What the server does per read: the decoder's cursor (`write`, then `next` until false),
 * touching each frame's type and payload extent. Nothing is allocated per frame.
 */
function decodeAll(chunks: readonly Buffer[]): number {
  const decoder = new FrameDecoder();
  let frames = 0;
  let bytes = 0;
  for (const chunk of chunks) {
    decoder.write(chunk);
    while (decoder.next()) {
      frames += decoder.type === 13 ? 1 : 0;
      bytes += decoder.end - decoder.start;
    }
  }
  payloadSink = bytes;
  return frames;
}

/** The generator API (`for (const frame of decoder.push(chunk))`): an object and a Buffer per frame. */
function pushAll(chunks: readonly Buffer[]): number {
  const decoder = new FrameDecoder();
  let frames = 0;
  let bytes = 0;
  for (const chunk of chunks) {
    for (const frame of decoder.push(chunk)) {
      frames += frame.type === 13 ? 1 : 0;
      bytes += frame.payload.length;
    }
  }
  payloadSink = bytes;
  return frames;
}

async function measure(ctx: ScenarioContext, frameSize: number, label: string): Promise<Row[]> {
  const { chunks, frames } = stream(frameSize);
  // Every loop must agree on what it found before any is timed.
  const decoded = decodeAll(chunks);
  const pushed = pushAll(chunks);
  const walked = headerWalk(chunks).frames;
  if (decoded !== frames || pushed !== frames || walked !== frames) {
    throw new Error(
      `codec check: ${frames} frames, cursor saw ${decoded}, push ${pushed}, walk ${walked}`,
    );
  }
  const rounds = ctx.smoke ? 1 : ctx.quick ? 3 : 7;
  const ms = ctx.smoke ? 50 : ctx.quick ? 150 : 400;
  const dec: number[] = [];
  const gen: number[] = [];
  const walk: number[] = [];
  const views: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate, so drift on a shared machine hits all alike.
    dec.push(ratePerSecond(() => decodeAll(chunks), ms) * frames);
    walk.push(ratePerSecond(() => headerWalk(chunks), ms) * frames);
    gen.push(ratePerSecond(() => pushAll(chunks), ms) * frames);
    views.push(ratePerSecond(() => headerWalkWithViews(chunks), ms) * frames);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const d = median(dec);
  const g = median(gen);
  const w = median(walk);
  const v = median(views);
  const mb = (rate: number) => (rate * frameSize) / 1e6;
  const ns = (rate: number) => (1e9 / rate).toFixed(1);
  ctx.progress(
    `codec ${label}: cursor ${fmt(d)} frames/s, push() ${fmt(g)} frames/s, header walk ${fmt(w)} frames/s`,
  );
  const walkFigure = { name: 'header walk', value: w, unit: 'frames/s' };
  const detail = {
    frameSize,
    cursorMBps: mb(d),
    pushMBps: mb(g),
    walkMBps: mb(w),
    pushFramesPerSecond: g,
    walkWithViewsFramesPerSecond: v,
    rounds,
    msPerRound: ms,
  };
  return [
    {
      scenario: `codec decode ${label} frames`,
      status: 'ok',
      server: { value: d, unit: 'frames/s' },
      yardstick: walkFigure,
      ratio: d / w,
      goal: '>= 0.5x',
      met: d / w >= 0.5,
      notes: `cursor (write/next); ${ns(d)} vs ${ns(w)} ns per frame, ${mb(d).toFixed(0)} vs ${mb(w).toFixed(0)} MB/s`,
      detail,
    },
    {
      scenario: `codec decode ${label} frames, push()`,
      status: 'ok',
      server: { value: g, unit: 'frames/s' },
      yardstick: walkFigure,
      ratio: g / w,
      goal: 'none set',
      notes: `generator, an object and a Buffer per frame; ${(g / v).toFixed(2)}x of a walk that also makes each payload's Buffer view`,
    },
  ];
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export const codecScenario: Scenario = {
  name: 'codec',
  async run(ctx) {
    return [...(await measure(ctx, 64, '64 B')), ...(await measure(ctx, 4096, '4 KiB'))];
  },
};
