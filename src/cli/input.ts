import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isatty } from 'node:tty';
import { CliExit } from './cli-exit.js';
import { ExitCode } from './exit-codes.js';

let stdinUsed = false;

/** True when stdin is a terminal: reading it would wait for a person, so scripts never do. */
export function stdinIsTerminal(): boolean {
  return isatty(0);
}

function badUtf8(source: string): CliExit {
  return new CliExit(
    ExitCode.BadInput,
    `${source} is not valid UTF-8 text; MPCRP messages are UTF-8 (convert it, e.g. with iconv)`,
  );
}

function unreadable(file: string, error: unknown): CliExit {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new CliExit(
    ExitCode.BadInput,
    `cannot read message file ${file} (${code}); check the path given to -f/--file`,
  );
}

function decodeAll(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badUtf8(source);
  }
}

/** Reads all of stdin, or all of `file` when given (`-` is stdin). */
export async function readText(file?: string): Promise<string> {
  if (file !== undefined && file !== '-') {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw unreadable(file, error);
    }
    return decodeAll(bytes, file);
  }
  const chunks: Buffer[] = [];
  stdinUsed = true;
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return decodeAll(Buffer.concat(chunks), 'stdin');
}

/** Drops one final line break, which `echo` and most files add: it is not part of the text. */
export function withoutFinalNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/**
 * Yields lines of stdin (or `file`) as soon as each is complete, without its line break;
 * a last line without a line break is yielded too.
 */
export async function* readLines(file?: string): AsyncGenerator<string> {
  const source = file !== undefined && file !== '-' ? file : 'stdin';
  if (source === 'stdin') stdinUsed = true;
  const stream = source === 'stdin' ? process.stdin : createReadStream(source);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  const decode = (chunk?: Buffer) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw badUtf8(source);
    }
  };
  try {
    for await (const chunk of stream) {
      pending += decode(chunk as Buffer);
      let start = 0;
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
        const end = nl > start && pending.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        yield pending.slice(start, end);
        start = nl + 1;
      }
      pending = pending.slice(start);
    }
  } catch (error) {
    if (error instanceof CliExit) throw error;
    throw unreadable(source, error);
  }
  pending += decode();
  if (pending !== '') yield pending.endsWith('\r') ? pending.slice(0, -1) : pending;
}

/** Stops reading stdin so a process that gives up early is not kept alive by it. */
export function releaseStdin(): void {
  // process.stdin is created on first access; creating it just to destroy it is wasted work.
  if (stdinUsed) process.stdin.destroy();
}
