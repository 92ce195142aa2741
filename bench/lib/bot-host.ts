/**
 * Child process that runs one echo bot against the server: `runtime` is the real bot
 * runtime (src/runtime) with an echo plugin written as bots/echo.ts is; `client` is the
 * yardstick, the same echo hand-written on the client library with nothing in between.
 */
import { serveParent } from './rpc.js';

let stop: (() => Promise<void>) | undefined;

interface StartArgs {
  port: number;
  name: string;
  room: string;
}

serveParent({
  async runtime(a: StartArgs): Promise<void> {
    const { createRuntime } = await import('../../src/runtime/index.js');
    const { defineBot } = await import('../../src/bot/index.js');
    const { createLogger } = await import('../../src/log.js');
    const echo = defineBot({
      name: 'echo',
      setup(bot) {
        bot.onMessage((ctx) => {
          if (ctx.text !== '') ctx.reply(ctx.text);
        });
      },
    });
    const runtime = createRuntime({
      server: `mpcrp://127.0.0.1:${a.port}`,
      username: a.name,
      rooms: [a.room],
      plugins: [echo],
      // The default 5 msg/s per room protects a real room; here it would be the figure.
      outbox: { rate: 1e9, burst: 1e9, limit: 100_000 },
      // Likewise loop protection: one client sending as fast as it can is the load here.
      loopGuard: false,
      logger: createLogger({ level: 'warn' }),
    });
    await runtime.start();
    stop = () => runtime.stop();
  },
  async client(a: StartArgs): Promise<void> {
    const { connect } = await import('../../src/client/index.js');
    const client = await connect(`mpcrp://127.0.0.1:${a.port}`, { username: a.name });
    await client.joinRoom(a.room);
    client.on('message', (m) => {
      if (m.text !== '') client.send(m.room, m.text);
    });
    stop = () => client.close();
  },
  async stop(): Promise<void> {
    await stop?.();
    setImmediate(() => process.exit(0));
  },
});
