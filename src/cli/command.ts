import type { Argv } from 'yargs';
import type { OptionTable } from './options.js';

/**
 * What a file in src/cli/commands/ exports. main.ts imports only the module of the
 * command being run, so a command's dependencies never slow the others' start-up.
 */
export interface CommandModule {
  /** yargs command string, e.g. `send [text..]`. */
  command: string;
  /** Options of this command, in addition to the global ones. */
  options?: OptionTable;
  /** Set when the command talks to a server: adds --server, --user, TLS flags, ... */
  connects?: boolean;
  /** Extra yargs set-up: positionals, examples, checks. */
  builder?: (y: Argv) => Argv;
  /**
   * Eligible for the parseArgs fast path (see options.ts); `positional` names where
   * positional arguments go. Only for commands whose whole syntax the tables describe.
   */
  fast?: { positional?: string };
  /** Runs the command; resolves to the exit code. Never calls process.exit. */
  handler(argv: Record<string, unknown>): Promise<number>;
}

export interface CommandEntry {
  name: string;
  describe: string;
  load: () => Promise<CommandModule>;
  /** The actions the command needs as its first argument (`config check`), checked in main.ts. */
  actions?: readonly string[];
  /** How to call it, for the message when the action is missing: `config check [FILE]`. */
  synopsis?: string;
}
