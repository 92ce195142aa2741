import { MpcrpError } from '../errors.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { warn } from './io.js';

/**
 * A failure the CLI has already explained: `message` names what went wrong and what to do,
 * `exitCode` is what the script sees. Commands throw it; {@link guarded} reports it.
 */
export class CliExit extends Error {
  override name = 'CliExit';
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Runs a command body: a CliExit or a library error becomes its message on stderr and its
 * exit code; anything else is a bug and goes on to main.ts, which prints the stack.
 */
export async function guarded(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof CliExit) {
      warn(error.message);
      return error.exitCode;
    }
    if (error instanceof MpcrpError) {
      warn(error.message);
      return exitCodeFor(error);
    }
    throw error;
  }
}

/**
 * A usage error (exit 2): one line that ends pointing at the command's help: `command`'s,
 * by default the name `message` starts with (`send: ...`, `room list: ...`).
 */
export function usage(
  message: string,
  command = /^([a-z]+)(?: [a-z]+)?:/.exec(message)?.[1],
): CliExit {
  const help = command ? `mpcrp-bot ${command} --help` : 'mpcrp-bot --help';
  return new CliExit(ExitCode.Usage, `${message} (see \`${help}\`)`);
}
