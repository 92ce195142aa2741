#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  actionProblem,
  explainFailure,
  firstPositional,
  hoistGlobals,
  unknownCommand,
} from './argv.js';
import type { CommandEntry, CommandModule } from './command.js';
import { EXIT_STATUS_HELP, ExitCode, exitCodeFor } from './exit-codes.js';
import { flushOutput, installPipeGuards, warn } from './io.js';
import {
  applyOptions,
  CONNECTION_OPTIONS,
  checkValues,
  fastParse,
  GLOBAL_OPTIONS,
} from './options.js';

// Node 22.1+ can keep the compiled code of the modules loaded from here on (the command's)
// between runs, and a CLI start-up is mostly loading modules; Node 20 has no such cache,
// and this is a no-op there. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const nodeModule = process.getBuiltinModule('node:module') as {
  enableCompileCache?: () => unknown;
};
nodeModule.enableCompileCache?.();

/** Every subcommand: name and summary here, the rest loaded only when it runs. */
const COMMANDS: CommandEntry[] = [
  {
    name: 'run',
    describe: 'Run bot files: connect (or start a local server), join rooms, reconnect on drops',
    load: () => import('./commands/run.js'),
  },
  {
    name: 'serve',
    describe: 'Run an MPCRP server; prints MPCRP_URL=... on stdout once listening',
    load: () => import('./commands/serve.js'),
  },
  {
    name: 'send',
    describe: 'Send a message to one or more rooms; exit 0 once the server confirmed it',
    load: async () => (await import('./commands/send.js')).default,
  },
  {
    name: 'listen',
    describe:
      'Print the messages of one or more rooms as they arrive (or run a command per message)',
    load: async () => (await import('./commands/listen.js')).default,
  },
  {
    name: 'users',
    describe: 'List the users in a room, or wait until one is there (--wait-for)',
    load: async () => (await import('./commands/users.js')).default,
  },
  {
    name: 'room',
    describe: 'Create, join, destroy or list rooms (room create|join|destroy ROOM, room list)',
    load: async () => (await import('./commands/room.js')).default,
  },
  {
    name: 'chat',
    describe: 'Talk in rooms from a terminal (or drive it line by line from stdin)',
    load: async () => (await import('./commands/chat.js')).default,
  },
  {
    name: 'ping',
    describe: 'Connect and measure round trips to a server; exit 0 when it answers',
    load: async () => (await import('./commands/ping.js')).default,
  },
  {
    name: 'config',
    describe: 'check: validate the configuration and print it resolved (secrets masked)',
    load: () => import('./commands/config.js'),
    actions: ['check'],
    synopsis: 'config check [FILE]',
  },
  {
    name: 'schedule',
    describe: 'list: show upcoming announcement fires from the configuration',
    load: () => import('./commands/schedule.js'),
    actions: ['list'],
    synopsis: 'schedule list',
  },
];

async function runHandler(mod: CommandModule, argv: Record<string, unknown>): Promise<number> {
  try {
    return await mod.handler(argv);
  } catch (error) {
    const code = exitCodeFor(error);
    const message = error instanceof Error ? error.message : String(error);
    warn(code === ExitCode.Internal && error instanceof Error ? (error.stack ?? message) : message);
    return code;
  }
}

function tableFor(mod: CommandModule) {
  return { ...GLOBAL_OPTIONS, ...(mod.connects ? CONNECTION_OPTIONS : {}), ...mod.options };
}

/** Converts and checks the option values; a problem is one line and exit 2. */
function checked(
  name: string,
  mod: CommandModule,
  argv: Record<string, unknown>,
  run: () => Promise<number>,
): Promise<number> {
  const problem = checkValues(argv, tableFor(mod));
  if (problem === undefined) return run();
  warn(`${name}: ${problem}`);
  return Promise.resolve(ExitCode.Usage);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
}

/** A mistyped command, found before any parser runs. */
function precheck(args: readonly string[]): string | undefined {
  const first = args[0];
  if (first === undefined || first.startsWith('-')) return undefined;
  if (first === 'completion' || COMMANDS.some((c) => c.name === first)) return undefined;
  return unknownCommand(first, [...COMMANDS.map((c) => c.name), 'completion']);
}

interface YargsOptions {
  key?: Record<string, unknown>;
  alias?: Record<string, string[]>;
  boolean?: string[];
  count?: string[];
}

/** The one line for a failed parse: the missing action, the option meant, ... */
function failureLine(
  message: string,
  entry: CommandEntry | undefined,
  mod: CommandModule | undefined,
  opts: YargsOptions,
  args: readonly string[],
): string {
  const keys = Object.keys(opts.key ?? {});
  if (entry?.actions) {
    const flags = new Set([...(opts.boolean ?? []), ...(opts.count ?? [])]);
    const valued = keys.filter((k) => !flags.has(k));
    const names = valued.flatMap((k) => [k, ...(opts.alias?.[k] ?? [])]);
    const action = firstPositional(
      args,
      new Set(names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`))),
    );
    const problem = actionProblem(entry.name, action, entry.actions, entry.synopsis ?? entry.name);
    if (problem !== undefined) return problem;
  }
  const known = [
    ...keys,
    ...(mod ? Object.entries(tableFor(mod)).flatMap(([n, s]) => [n, s.alias ?? n]) : []),
  ];
  return explainFailure(message, entry?.name, known, args);
}

async function main(rawArgs: string[]): Promise<number> {
  installPipeGuards();
  const completing = rawArgs.includes('--get-yargs-completions');
  const args = completing ? rawArgs : hoistGlobals(rawArgs, GLOBAL_OPTIONS);
  if (!completing) {
    const problem = precheck(args);
    if (problem !== undefined) {
      warn(problem);
      return ExitCode.Usage;
    }
    if (args[0] === 'completion') {
      const { completion } = await import('./commands/completion.js');
      return completion(args.slice(1));
    }
  }
  const entry = COMMANDS.find((c) => c.name === args[0]);
  const loaded = new Map<string, CommandModule>();
  if (entry) loaded.set(entry.name, await entry.load());
  if (completing) {
    for (const c of COMMANDS) if (!loaded.has(c.name)) loaded.set(c.name, await c.load());
  }

  // Fast path: hot commands parse with node:util and never load yargs.
  const mod = entry && loaded.get(entry.name);
  if (entry && mod?.fast && !completing) {
    const parsed = fastParse({
      args: args.slice(1),
      table: tableFor(mod),
      ...(mod.fast.positional ? { positional: mod.fast.positional } : {}),
    });
    if (parsed) return checked(entry.name, mod, parsed, () => runHandler(mod, parsed));
  }

  const { default: yargs } = await import('yargs');
  let exitCode: number = ExitCode.Ok;
  let failed = false;
  const y = yargs(args)
    .scriptName('mpcrp-bot')
    // `-r alerts some text`: a repeatable flag takes one value per use, as on the fast path.
    .parserConfiguration({ 'greedy-arrays': false })
    .usage('$0 <command> [options]\n\nBots, scripting and a server for the MPCRP chat protocol.')
    .strict()
    .demandCommand(1, 'say which command to run')
    .version(version())
    .help()
    .alias('h', 'help')
    .epilogue(`${EXIT_STATUS_HELP}\n\n${docsLine()}`)
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) throw error;
      // yargs reports some mistakes twice (a missing positional, then its check): once is enough.
      if (failed) return;
      failed = true;
      // The instance holds the running command's options by now; getOptions() is yargs API
      // its typings leave out.
      const opts = (y as unknown as { getOptions(): YargsOptions }).getOptions();
      warn(failureLine(message, entry, mod, opts, args.slice(1)));
      exitCode = ExitCode.Usage;
    });
  applyOptions(y, GLOBAL_OPTIONS);
  for (const c of COMMANDS) {
    const m = loaded.get(c.name);
    if (!m) {
      y.command(c.name, c.describe);
      continue;
    }
    y.command(
      m.command,
      c.describe,
      (b) => {
        if (m.connects) applyOptions(b, CONNECTION_OPTIONS);
        if (m.options) applyOptions(b, m.options);
        return m.builder ? m.builder(b) : b;
      },
      async (argv) => {
        // yargs still calls the handler after .fail() reported a usage error (yargs 18).
        if (exitCode === ExitCode.Usage) return;
        const values = argv as Record<string, unknown>;
        exitCode = await checked(c.name, m, values, () => runHandler(m, values));
      },
    );
  }
  // Registered after the commands so that it is listed last in --help; the command itself
  // is commands/completion.ts (main() runs it before yargs), this answers the shells.
  y.completion('completion', 'Print a completion script: completion bash|zsh|fish');
  try {
    await y.parseAsync();
  } catch (error) {
    warn(error instanceof Error ? error.message : String(error));
    return exitCodeFor(error) === ExitCode.Internal ? ExitCode.Usage : exitCodeFor(error);
  }
  return exitCode;
}

/** Where the manual is: the copy installed with the package, which works offline. */
function docsLine(): string {
  const path = fileURLToPath(new URL('../../docs/cli.md', import.meta.url));
  return `Manual: ${path} (and the other files in that folder).`;
}

main(process.argv.slice(2)).then(
  async (code) => {
    process.exitCode = code;
    await flushOutput();
  },
  (error: unknown) => {
    warn(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = ExitCode.Internal;
  },
);
