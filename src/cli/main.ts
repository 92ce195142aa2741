#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { explainUnknown, hoistGlobals, unknownCommand } from './argv.js';
import type { CommandEntry, CommandModule } from './command.js';
import { EXIT_STATUS_HELP, ExitCode, exitCodeFor } from './exit-codes.js';
import { flushOutput, installPipeGuards, warn, writeLine } from './io.js';
import {
  applyOptions,
  CONNECTION_OPTIONS,
  checkValues,
  fastParse,
  GLOBAL_OPTIONS,
} from './options.js';

// The bin (dist/cli/mpcrp-bot.cjs, see scripts/bundle-cli.mjs) runs this file bundled with
// the light commands, and turns on Node's compile cache before loading it.

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
  },
  {
    name: 'schedule',
    describe: 'list: show upcoming announcement fires from the configuration',
    load: () => import('./commands/schedule.js'),
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

/** One line for a usage failure yargs reported, in the words of this CLI. */
function describeFailure(message: string, mod: CommandModule | undefined): string {
  if (mod) {
    const unknown = explainUnknown(message, tableFor(mod), process.argv.slice(2));
    if (unknown !== undefined) return unknown;
    if (/^Not enough non-option arguments|^Missing required argument/.test(message)) {
      return `missing argument: mpcrp-bot ${mod.command}`;
    }
  }
  return message;
}

function helpFor(entry: CommandEntry | undefined): string {
  return entry ? `mpcrp-bot ${entry.name} --help` : 'mpcrp-bot --help';
}

/** Where the installed package's docs are: a path that opens wherever the CLI runs from. */
function docsLine(): string {
  const docs = decodeURIComponent(new URL('../../docs/', import.meta.url).pathname);
  return `Docs: ${docs}cli.md (commands), ${docs}protocol.md (the wire protocol, RFC 8890).`;
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

/**
 * yargs renders the whole --help text each time it runs a command's handler, in case the
 * handler asks for it later (`cacheHelpMessage`): 40-60 ms of measuring strings for a help
 * nobody prints, before `run` or `serve` can go on. Help is rendered when it is asked
 * for whether or not it was cached, so the cache is skipped. An internal method: if a yargs
 * release renames it, this does nothing and yargs is only slower.
 */
function skipHelpCache(y: object): void {
  const internal = (y as { getInternalMethods?: () => unknown }).getInternalMethods;
  const usage = (
    internal?.call(y) as { getUsageInstance?: () => { cacheHelpMessage?: unknown } }
  )?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

async function main(argv: string[]): Promise<number> {
  installPipeGuards();
  // What scripts ask most often, answered without loading yargs (~100 ms here): the same
  // line yargs' --version prints.
  if (argv.length === 1 && argv[0] === '--version') {
    await writeLine(version());
    return ExitCode.Ok;
  }
  const completing = argv.includes('--get-yargs-completions');
  const line = completing ? { command: argv[0], args: argv } : hoistGlobals(argv, GLOBAL_OPTIONS);
  const { args } = line;
  const entry = COMMANDS.find((c) => c.name === line.command);
  if (!entry && line.command !== undefined && line.command !== 'completion' && !completing) {
    const names = [...COMMANDS.map((c) => c.name), 'completion'];
    warn(`${unknownCommand(line.command, names)}\nRun mpcrp-bot --help for the commands.`);
    return ExitCode.Usage;
  }
  if (line.command === 'completion' && !completing) {
    const { completion } = await import('./commands/completion.js');
    return completion(args.slice(1));
  }
  const loaded = new Map<string, CommandModule>();
  if (entry) loaded.set(entry.name, await entry.load());
  if (completing) {
    for (const c of COMMANDS) if (!loaded.has(c.name)) loaded.set(c.name, await c.load());
  }

  // Fast path: hot commands parse with node:util and never load yargs.
  const mod = entry && loaded.get(entry.name);
  if (mod?.fast && !completing) {
    const parsed = fastParse({
      args: args.slice(1),
      table: tableFor(mod),
      ...(mod.fast.positional ? { positional: mod.fast.positional } : {}),
    });
    if (parsed) return checked(entry!.name, mod, parsed, () => runHandler(mod, parsed));
  }

  const { default: yargs } = await import('yargs');
  let exitCode: number = ExitCode.Ok;
  const y = yargs(args)
    .scriptName('mpcrp-bot')
    // `-r alerts some text`: a repeatable flag takes one value per use, as on the fast path.
    .parserConfiguration({ 'greedy-arrays': false })
    .usage('$0 <command> [options]\n\nBots, scripting and a server for the MPCRP chat protocol.')
    .strict()
    .demandCommand(1, 'Say which command to run; see `mpcrp-bot --help`.')
    .version(version())
    .help()
    .alias('h', 'help')
    .epilogue(`${EXIT_STATUS_HELP}\n\n${docsLine()}`)
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) throw error;
      // yargs may report several failures of one command line: the first says enough.
      if (exitCode === ExitCode.Usage) return;
      exitCode = ExitCode.Usage;
      warn(`${describeFailure(message, mod)}\nRun ${helpFor(entry)} for usage.`);
    });
  skipHelpCache(y);
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
  // Registered after the commands so that it is listed last in --help.
  y.completion('completion', 'Print a completion script: completion bash|zsh|fish');
  try {
    await y.parseAsync();
  } catch (error) {
    warn(error instanceof Error ? error.message : String(error));
    return exitCodeFor(error) === ExitCode.Internal ? ExitCode.Usage : exitCodeFor(error);
  }
  return exitCode;
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
