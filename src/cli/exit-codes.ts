import { ErrorCode, MpcrpError } from '../errors.js';

/** Process exit codes. Stable: scripts depend on them (docs/cli.md, EXIT STATUS). */
export const ExitCode = {
  Ok: 0,
  Internal: 1,
  Usage: 2,
  CannotConnect: 3,
  NameRejected: 4,
  RoomRejected: 5,
  ConnectionLost: 6,
  NotConfirmed: 7,
  BadInput: 8,
  TimedOut: 124,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_STATUS_HELP = `Exit status:
  0    ok
  1    internal error
  2    usage or configuration error
  3    cannot connect (refused, unreachable, TLS verification failed, not an MPCRP server)
  4    username taken or invalid
  5    room missing, already exists, or not allowed
  6    connection lost
  7    delivery not confirmed
  8    bad input (empty, too long for one frame, unreadable file)
  124  timed out
  130  interrupted`;

/** Maps an error to the exit code a script should see. */
export function exitCodeFor(error: unknown): ExitCode {
  if (!(error instanceof MpcrpError)) return ExitCode.Internal;
  switch (error.code) {
    case ErrorCode.InvalidUrl:
    case ErrorCode.Config:
      return ExitCode.Usage;
    case ErrorCode.ConnectFailed:
    case ErrorCode.Tls:
    case ErrorCode.NotMpcrpServer:
      return ExitCode.CannotConnect;
    case ErrorCode.NameTaken:
      return ExitCode.NameRejected;
    case ErrorCode.InvalidName:
      return 'kind' in error && error.kind === 'room'
        ? ExitCode.RoomRejected
        : ExitCode.NameRejected;
    case ErrorCode.RoomNotFound:
    case ErrorCode.RoomExists:
    case ErrorCode.NotOwner:
    case ErrorCode.NotMember:
    case ErrorCode.NotRegistered:
    case ErrorCode.ExtensionUnavailable:
      return ExitCode.RoomRejected;
    case ErrorCode.ConnectionClosed:
      return ExitCode.ConnectionLost;
    case ErrorCode.TextTooLong:
      return ExitCode.BadInput;
    case ErrorCode.Timeout:
      return ExitCode.TimedOut;
    default:
      return ExitCode.Internal;
  }
}
