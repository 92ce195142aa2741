/**
 * A real server in a child process, so a test can read the server's own RSS (not the
 * test's, whose attacking clients cost memory too) and its log lines.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StartServerOptions } from '../../src/server/index.js';

const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));

export class ServerProcess {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, (result: unknown) => void>();
  readonly #exited: Promise<void>;
  #next = 1;

  private constructor(
    child: ChildProcess,
    readonly port: number,
  ) {
    this.#child = child;
    child.on('message', (m: { id: number; result: unknown }) => {
      this.#waiting.get(m.id)?.(m.result);
      this.#waiting.delete(m.id);
    });
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /**
   * Starts a server with `options` (JSON-able ones only) on 127.0.0.1, a free port, in a
   * Node process run with `nodeFlags` too.
   */
  static start(
    options: Omit<StartServerOptions, 'logger' | 'registry'> = {},
    nodeFlags: string[] = [],
  ): Promise<ServerProcess> {
    const child = fork(CHILD, [JSON.stringify(options)], {
      execArgv: ['--import', 'tsx', '--expose-gc', ...nodeFlags],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`server child exited (code ${code})`)));
      child.once('message', (m: { result: number }) => resolve(new ServerProcess(child, m.result)));
    });
  }

  /** The server's RSS in bytes, after a full garbage collection. */
  rss(): Promise<number> {
    return this.#call('memory') as Promise<number>;
  }

  /** Log lines written since the last call. */
  logs(): Promise<string[]> {
    return this.#call('logs') as Promise<string[]>;
  }

  /** Closes the server and waits for the process to exit (killed after 5 s). */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    if (this.#child.connected) this.#child.disconnect();
    const kill = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await this.#exited;
    clearTimeout(kill);
  }

  #call(cmd: string): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.#child.send({ id, cmd });
    });
  }
}
