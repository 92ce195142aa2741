/**
 * stdout is data, stderr is logs. A reader that goes away (`listen | head -1`) is not an
 * error: on EPIPE the process ends quietly with status 0.
 */
let installed = false;

export function installPipeGuards(): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      // Nothing more can reach the reader; what is buffered is already undeliverable.
      process.exit(0);
    }
    process.stderr.write(`mpcrp-bot: cannot write to stdout: ${error.message}\n`);
    process.exit(1);
  });
}

/** Writes one line of data to stdout; resolves once it is handed to the OS. */
export function writeLine(line: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(`${line}\n`)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}

/** Writes to stderr: warnings, errors and logs. */
export function warn(message: string): void {
  process.stderr.write(`mpcrp-bot: ${message}\n`);
}

/** Resolves when stdout and stderr have flushed, so an exit loses no output. */
export function flushOutput(): Promise<void> {
  const drain = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      if (stream.writableLength === 0) resolve();
      else stream.write('', () => resolve());
    });
  return Promise.all([drain(process.stdout), drain(process.stderr)]).then(() => undefined);
}
