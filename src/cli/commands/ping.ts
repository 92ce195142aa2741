import { setTimeout as delay } from 'node:timers/promises';
import { guarded, usage } from '../cli-exit.js';
import type { CommandModule } from '../command.js';
import { closeClient, explainLost, openConnection } from '../connection.js';
import { flagDuration } from '../durations.js';
import { ExitCode } from '../exit-codes.js';
import { writeLine } from '../io.js';
import type { OptionTable } from '../options.js';

const options: OptionTable = {
  count: {
    type: 'number',
    alias: 'n',
    value: 'N',
    describe: 'round trips to make (default 3)',
  },
  interval: {
    type: 'string',
    alias: 'i',
    value: 'DUR',
    describe: 'pause between round trips (default 0: back to back)',
  },
  timeout: {
    type: 'string',
    value: 'DUR',
    describe: 'wait this long for each answer: exit 124 (default 5s)',
  },
  json: { type: 'boolean', describe: 'print one JSON object with every figure instead' },
};

const command: CommandModule = {
  command: 'ping',
  options,
  connects: true,
  fast: {},
  builder: (y) =>
    y
      .example('$0 ping', 'is the server up, and how far away?')
      .example('$0 ping -s mpcrps://chat.example:8891 -n 10 --json', 'figures for monitoring')
      .epilogue(
        'Connects, sets a username, then times round trips (a request every MPCRP server ' +
          'answers, in order) and prints one line each, and a summary. Exit 0 when every ' +
          'round trip was answered, 3 when it cannot connect, 124 when an answer is late.',
      ),
  handler: (argv) => guarded(() => ping(argv)),
};
export default command;

const ms = (ns: bigint) => Number(ns) / 1e6;
const fixed = (n: number) => n.toFixed(3);

async function ping(argv: Record<string, unknown>): Promise<number> {
  const count = argv.count === undefined ? 3 : Number(argv.count);
  if (!Number.isInteger(count) || count < 1) {
    throw usage(`ping: -n/--count must be a whole number ≥ 1, got ${argv.count}`);
  }
  const interval = flagDuration(argv.interval, '--interval') ?? 0;
  const timeout = flagDuration(argv.timeout, '--timeout') ?? 5000;
  const started = process.hrtime.bigint();
  const { client, settings } = await openConnection(argv, {
    requestTimeout: timeout,
    negotiate: false,
    scope: 'ping',
  });
  const connectMs = ms(process.hrtime.bigint() - started);
  const url = settings.url;
  const rtts: number[] = [];
  try {
    for (let seq = 1; seq <= count; seq++) {
      if (seq > 1 && interval > 0) await delay(interval);
      const t0 = process.hrtime.bigint();
      await client.ping();
      const rtt = ms(process.hrtime.bigint() - t0);
      rtts.push(rtt);
      if (argv.json !== true) await writeLine(`${url}: seq=${seq} time=${fixed(rtt)} ms`);
    }
  } catch (error) {
    throw explainLost(error, url, 'ping');
  } finally {
    await closeClient(client);
  }
  const min = Math.min(...rtts);
  const max = Math.max(...rtts);
  const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
  if (argv.json === true) {
    const round = (n: number) => Math.round(n * 1000) / 1000;
    await writeLine(
      JSON.stringify({
        url,
        user: client.username,
        connectMs: round(connectMs),
        rttMs: rtts.map(round),
        minMs: round(min),
        avgMs: round(avg),
        maxMs: round(max),
      }),
    );
  } else {
    await writeLine(
      `${url}: ${count} round trip(s), min/avg/max ${fixed(min)}/${fixed(avg)}/${fixed(max)} ms; connected in ${fixed(connectMs)} ms`,
    );
  }
  return ExitCode.Ok;
}
