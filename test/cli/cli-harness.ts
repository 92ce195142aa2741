/**
 * Runs the built CLI (`node dist/cli/mpcrp-bot.cjs`, package.json's bin) as a real child process against a real server
 * on a port-0 socket. Readiness is awaited from the child's own output, never by sleeping.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  connect,
  type MpcrpClient,
  type PresenceEvent,
  type RoomMessage,
} from '../../src/index.js';
import {
  type RunningServer,
  type StartServerOptions,
  startServer,
} from '../../src/server/index.js';
import { BIN } from '../helpers/bin.js';

export { BIN };
/** A directory with no mpcrp-bot.yaml, so no config file changes what the CLI does. */
export const CWD = mkdtempSync(join(tmpdir(), 'mpcrp-cli-test-'));

const children: ChildProcessWithoutNullStreams[] = [];
const clients: MpcrpClient[] = [];
const servers: RunningServer[] = [];

beforeAll(() => {
  expect(existsSync(BIN), 'the CLI (package.json bin) is missing: run `npm run build` first').toBe(
    true,
  );
});
afterEach(async () => {
  for (const c of children.splice(0))
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const c of clients.splice(0)) c.destroy();
});
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/**
 * The environment of every child: ours without MPCRP_* so nothing leaks in, and a data home
 * of this test file's own, so `run`'s default store never lands in (or locks) the real one.
 */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MPCRP_')) env[k] = v;
  return { ...env, XDG_DATA_HOME: join(CWD, '.data'), ...extra };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr matches `pattern` (rejects if the child exits first). */
  waitForStderr(pattern: RegExp): Promise<void>;
  /** Resolves once stdout holds at least `n` complete lines. */
  waitForLines(n: number): Promise<string[]>;
  exited: Promise<CliResult>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Arguments passed to node before the script (e.g. --import). */
  nodeArgs?: string[];
  /** Working directory; default {@link CWD}, which holds no config file. */
  cwd?: string;
}

/** Starts `mpcrp-bot ...args` and returns a handle; the caller writes stdin and ends it. */
export function start(args: string[], options: StartOptions = {}): CliProcess {
  return startProcess(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], options);
}

/** Starts any program (e.g. an example script) the way {@link start} starts the CLI. */
export function startProcess(file: string, args: string[], options: StartOptions = {}): CliProcess {
  const child = spawn(file, args, { cwd: options.cwd ?? CWD, env: childEnv(options.env) });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const w of [...watchers]) w();
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    notify();
  });
  const exited = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => {
      notify();
      resolve({ code, signal, stdout, stderr });
    });
  });
  const until = (ready: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (ready()) {
          watchers.delete(check);
          resolve();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          watchers.delete(check);
          reject(new Error(`exited (${child.exitCode}) before ${what}; stderr:\n${stderr}`));
        }
      };
      watchers.add(check);
      check();
    });
  const lines = () => stdout.split('\n').slice(0, -1);
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStderr: (pattern) => until(() => pattern.test(stderr), `stderr matched ${pattern}`),
    waitForLines: async (n) => {
      await until(() => lines().length >= n, `${n} lines on stdout`);
      return lines();
    },
    exited,
  };
}

/** Runs `mpcrp-bot ...args` to completion; `input` (if given) is piped to stdin, else stdin is empty. */
export async function run(
  args: string[],
  options: StartOptions & { input?: string | Buffer } = {},
): Promise<CliResult> {
  const p = start(args, options);
  p.child.stdin.on('error', () => {});
  p.child.stdin.end(options.input ?? '');
  return p.exited;
}

/** A real server on 127.0.0.1:0, closed after the file's tests (or earlier by the test). */
export async function server(options: StartServerOptions = {}): Promise<RunningServer> {
  const s = await startServer({ ...options, host: '127.0.0.1', port: 0 });
  servers.push(s);
  return s;
}

export async function client(url: string, username: string): Promise<MpcrpClient> {
  const c = await connect(url, { username });
  clients.push(c);
  return c;
}

/** Collects a client's messages; `next(n)` resolves once n have arrived in total. */
export function inbox(c: MpcrpClient) {
  const messages: RoomMessage[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  c.on('message', (m) => {
    messages.push(m);
    for (const w of waiters.splice(0)) {
      if (messages.length >= w.n) w.resolve();
      else waiters.push(w);
    }
  });
  return {
    messages,
    async next(n: number): Promise<RoomMessage[]> {
      if (messages.length < n) await new Promise<void>((resolve) => waiters.push({ n, resolve }));
      return messages;
    },
  };
}

/** A TCP port nothing listens on: bound on port 0, then closed. */
export async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/**
 * A TCP server speaking just enough MPCRP for a handshake: `answer(type, payload)` returns
 * the reply frame (or undefined to stay silent). Closed after the file's tests.
 */
export async function fakeServer(
  answer: (type: number, payload: Buffer) => Buffer | undefined,
): Promise<{ url: string; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  const s = net.createServer((socket) => {
    sockets.push(socket);
    let buffered = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4) {
        const length = buffered.readUIntBE(1, 3);
        if (buffered.length < 4 + length) break;
        const reply = answer(buffered[0]!, buffered.subarray(4, 4 + length));
        buffered = buffered.subarray(4 + length);
        if (reply) socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  } as RunningServer);
  return { url: `mpcrp://127.0.0.1:${(s.address() as net.AddressInfo).port}`, sockets };
}

/** Resolves at the next presence event `c` receives that satisfies `match`. */
export function presence(
  c: MpcrpClient,
  match: (e: PresenceEvent) => boolean,
): Promise<PresenceEvent> {
  return new Promise((resolve) => {
    const on = (e: PresenceEvent) => {
      if (!match(e)) return;
      c.off('presence', on);
      resolve(e);
    };
    c.on('presence', on);
  });
}
