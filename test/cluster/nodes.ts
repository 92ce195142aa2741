import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach } from 'vitest';
import { createLogger } from '../../src/log.js';
import type { ClusterOptions } from '../../src/server/cluster/options.js';
import {
  type RunningServer,
  type StartServerOptions,
  startServer,
} from '../../src/server/index.js';
import { RawClient } from '../helpers/raw-client.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

let clusters = 0;

export interface Node {
  running: RunningServer;
  logs: string[];
  /** A connected client on this node, registered as `name` when given. */
  client(name?: string): Promise<RawClient>;
}

/** `count` in-process nodes of one new cluster (its own key prefix) on `redisUrl`. */
export async function startNodes(
  redisUrl: string,
  count: number,
  cluster: Omit<ClusterOptions, 'url'> = {},
  server: StartServerOptions = {},
): Promise<Node[]> {
  const prefix = `c${++clusters}:`;
  const nodes: Node[] = [];
  for (let i = 0; i < count; i++) {
    const logs: string[] = [];
    const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
    const running = await startServer({
      logger,
      ...server,
      host: '127.0.0.1',
      port: 0,
      redis: { prefix, nodeId: `n${i + 1}`, ...cluster, url: redisUrl },
    });
    open.push(running);
    nodes.push({
      running,
      logs,
      client: async (name) => {
        const c = await RawClient.connect(running.port);
        open.push({ close: async () => void c.socket.destroy() });
        return name === undefined ? c : c.register(name);
      },
    });
  }
  return nodes;
}

export interface ChildNode {
  port: number;
  process: ChildProcess;
  /** SIGKILL: no goodbye to the cluster. */
  kill(): Promise<void>;
}

/** A node in its own process (test/cluster/node-process.ts), on `prefix`'s cluster. */
export async function spawnNode(
  redisUrl: string,
  prefix: string,
  leaseTtl: number,
): Promise<ChildNode> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/cluster/node-process.ts', redisUrl, prefix, String(leaseTtl)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  open.push({ close: kill });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /PORT=(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`node process exited with ${code}: ${out}`)));
  });
  return { port, process: child, kill };
}
