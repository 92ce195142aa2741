/**
 * A real, private `redis-server` for one test file: on a free loopback port, no persistence,
 * stopped by the test. Tests never share a Redis (nor touch one on 6379), so they can kill,
 * restart and flush it as they please.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  /** SIGTERM and wait for the exit. Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit: the data (none is persisted) is lost. */
  kill(): Promise<void>;
  /** Start again on the same port, empty (as after a crash without persistence). */
  restart(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port from the probe');
  return address.port;
}

async function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('error', (err) =>
      reject(
        new Error(`could not start redis-server (apt-get install redis-server)`, { cause: err }),
      ),
    );
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)),
    );
  });
  child.stderr?.resume();
  return child;
}

/** Starts a private redis-server; retries on another port if the chosen one was taken meanwhile. */
export async function startRedis(): Promise<RedisServer> {
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; child === undefined; attempt += 1) {
    port = await freePort();
    try {
      child = await launch(port);
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
  let current: ChildProcess | undefined = child;
  const end = async (signal: NodeJS.Signals) => {
    const proc = current;
    current = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill(signal);
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    async restart() {
      await end('SIGTERM');
      current = await launch(port);
    },
  };
}
