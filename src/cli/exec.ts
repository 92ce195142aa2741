import { spawn } from 'node:child_process';
import type { RoomMessage } from '../client/index.js';

export interface ExecResult {
  /** Exit status, or undefined when it could not start or was killed by a signal. */
  status: number | undefined;
  problem?: string;
}

/**
 * Runs `command` through the shell for one message: the text on its stdin, MPCRP_ROOM and
 * MPCRP_SENDER (empty when unknown) in its environment, its stdout and stderr ours.
 * Resolves when it has exited; never rejects.
 */
export function execForMessage(command: string, message: RoomMessage): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(command, {
      shell: true,
      stdio: ['pipe', 'inherit', 'inherit'],
      env: { ...process.env, MPCRP_ROOM: message.room, MPCRP_SENDER: message.sender ?? '' },
    });
    // A command that does not read its stdin closes it early: that is its choice, not an error.
    child.stdin.on('error', () => {});
    child.stdin.end(message.text);
    child.once('error', (error) => resolve({ status: undefined, problem: error.message }));
    child.once('close', (code, signal) => {
      if (signal) resolve({ status: undefined, problem: `killed by ${signal}` });
      else resolve({ status: code ?? undefined });
    });
  });
}
