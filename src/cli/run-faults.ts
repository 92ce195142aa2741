// `run`'s fault options from its flags (hook budgets, the blocked-loop warning, the loop
// guard) and the bound on a shutdown they imply.
import { parseDuration } from '../config/duration.js';
import { usage } from './cli-exit.js';
import { textFlag } from './options.js';

const str = textFlag;

/** Time budgets and loop protection from the flags (defaults in the engine). */
export function faultOptions(argv: Record<string, unknown>) {
  const ms = (flag: string) => {
    const v = str(argv[flag]);
    return v === undefined ? undefined : parseDuration(v, `--${flag}`);
  };
  const timeouts: { start?: number; stop?: number; event?: number } = {};
  const start = ms('start-timeout');
  const stop = ms('stop-timeout');
  const event = ms('event-timeout');
  if (start !== undefined) timeouts.start = start;
  if (stop !== undefined) timeouts.stop = stop;
  if (event !== undefined) timeouts.event = event;
  const maxReplies = argv.maxReplies as number | undefined;
  if (maxReplies !== undefined && !(Number.isInteger(maxReplies) && maxReplies >= 0)) {
    throw usage(`--max-replies ${maxReplies} is not a whole number ≥ 0`, 'run');
  }
  const ignore = (argv.ignoreUser as string[] | undefined) ?? [];
  const blockedWarn = ms('blocked-warn');
  return {
    timeouts,
    ...(blockedWarn !== undefined ? { blockedWarn } : {}),
    loopGuard:
      maxReplies === 0
        ? { maxReplies: Number.POSITIVE_INFINITY, ignore }
        : { ...(maxReplies !== undefined ? { maxReplies } : {}), ignore },
  };
}

/**
 * The longest a shutdown may take: what is running gets the largest hook budget, then the
 * outbox its flush time, then leaving the rooms and closing. Past it `run` exits anyway.
 */
export function shutdownBound(t: { start?: number; stop?: number; event?: number }): number {
  const budget = (v: number | undefined, d: number) => (v === undefined ? d : v || d);
  return (
    Math.max(budget(t.start, 30_000), budget(t.stop, 30_000), budget(t.event, 10_000)) +
    FLUSH_MS +
    CLOSE_MS
  );
}
/** How long the outbox may take to flush at shutdown, and leaving the rooms and closing. */
export const FLUSH_MS = 5000;
const CLOSE_MS = 5000;
