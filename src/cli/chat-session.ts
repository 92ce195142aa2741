import type { MpcrpClient } from '../client/index.js';
import {
  MpcrpError,
  NotMemberError,
  NotOwnerError,
  RoomExistsError,
  RoomNotFoundError,
} from '../errors.js';
import { nameProblem } from '../protocol/names.js';
import { splitText } from '../protocol/split-text.js';
import type { PresenceEvent } from '../protocol/types.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { formatMessage } from './format.js';

/** Where the session writes: `line` for conversation, `problem` for what went wrong. */
export interface ChatOutput {
  line(text: string): void;
  problem(text: string): void;
}

export const CHAT_HELP = `Commands:
  /join ROOM     join ROOM (it becomes the current room)
  /create ROOM   create ROOM and join it
  /switch ROOM   send to ROOM from now on (a room you are in)
  /quit [ROOM]   leave ROOM (default: the current room)
  /users [ROOM]  who is in ROOM (default: the current room)
  /rooms         every room on the server (needs the server's rooms extension)
  /destroy ROOM  destroy a room you created
  /help          this list
  /exit          leave (as Ctrl-D does)
Anything else is sent to the current room; start a line with // to send one beginning with /.`;

/**
 * The part of `chat` that understands lines: commands and messages, one at a time. It knows
 * nothing of terminals, so the same code serves a person at a prompt and a script on stdin.
 */
export class ChatSession {
  current: string | undefined;
  /**
   * The exit code of the first line that failed, for a script's exit status: a script
   * cannot read stderr to learn that its /join did not happen.
   */
  failure: ExitCode | undefined;

  constructor(
    private readonly client: MpcrpClient,
    private readonly out: ChatOutput,
    private readonly url: string,
    rooms: readonly string[],
  ) {
    this.current = rooms[0];
  }

  /** Handles one input line; resolves to false when the user asked to leave. */
  async handle(input: string): Promise<boolean> {
    const line = input.replace(/\r$/, '');
    if (line.trim() === '') return true;
    if (line.startsWith('//')) return this.say(line.slice(1));
    if (!line.startsWith('/')) return this.say(line);
    const [name = '', ...args] = line.slice(1).trim().split(/\s+/);
    try {
      return await this.command(name.toLowerCase(), args);
    } catch (error) {
      if (!(error instanceof MpcrpError)) throw error;
      this.fail(exitCodeFor(error), this.explain(error));
      return true;
    }
  }

  showMessage(message: { room: string; text: string; sender?: string }): void {
    this.out.line(formatMessage(message, 'text'));
  }

  showPresence(event: PresenceEvent): void {
    const what =
      event.event === 'join'
        ? `${event.user} joined`
        : event.event === 'leave'
          ? `${event.user} left`
          : event.event === 'rename'
            ? `${event.old} is now ${event.user}`
            : `${event.user} destroyed the room`;
    this.out.line(`* [${event.room}] ${what}`);
    if (event.event === 'destroy' && this.current === event.room) this.pickCurrent();
  }

  private say(text: string): boolean {
    if (this.current === undefined) {
      this.fail(
        ExitCode.RoomRejected,
        'you are in no room: /join ROOM first (/help lists the commands)',
      );
      return true;
    }
    // Room for the sender's name too, so members granted `sender` still learn who said it.
    const limit = this.client.maxRelayedTextBytes(this.current);
    for (const piece of splitText(text, limit)) this.client.send(this.current, piece);
    return true;
  }

  private async command(name: string, args: string[]): Promise<boolean> {
    const room = args[0];
    switch (name) {
      case 'help':
        for (const l of CHAT_HELP.split('\n')) this.out.line(l);
        return true;
      case 'exit':
        return false;
      case 'join':
      case 'create':
      case 'switch':
      case 'destroy':
        if (!this.roomArgument(name, room)) return true;
        await this.roomCommand(name, room!);
        return true;
      case 'quit': {
        const target = room ?? this.current;
        if (target === undefined) {
          this.fail(ExitCode.RoomRejected, '/quit: you are in no room');
          return true;
        }
        await this.client.quitRoom(target);
        this.out.line(`* left [${target}]`);
        if (this.current === target) this.pickCurrent();
        return true;
      }
      case 'users': {
        const target = room ?? this.current;
        if (target === undefined) {
          this.fail(ExitCode.Usage, '/users: say which room, or /join one first');
          return true;
        }
        const users = await this.client.getUserList(target);
        this.out.line(`* users in [${target}]: ${users.join(', ')}`);
        return true;
      }
      case 'rooms': {
        if (!this.client.extensions.has('rooms')) {
          this.fail(
            ExitCode.RoomRejected,
            `/rooms: ${this.url} does not offer a room list (no 'rooms' extension)`,
          );
          return true;
        }
        const rooms = await this.client.listRooms();
        const shown = rooms.map((r) => `${r.room} (${r.members})`).join(', ');
        this.out.line(`* rooms: ${shown || 'none'}`);
        return true;
      }
      default:
        this.fail(ExitCode.Usage, `unknown command /${name}; /help lists the commands`);
        return true;
    }
  }

  private roomArgument(name: string, room: string | undefined): boolean {
    const problem = room === undefined ? 'say which room' : nameProblem('room', room);
    if (problem === undefined) return true;
    this.fail(
      room === undefined ? ExitCode.Usage : ExitCode.RoomRejected,
      `/${name} ROOM: ${problem}`,
    );
    return false;
  }

  private async roomCommand(name: string, room: string): Promise<void> {
    switch (name) {
      case 'join':
        await this.client.joinRoom(room);
        this.current = room;
        this.out.line(`* joined [${room}]`);
        return;
      case 'create':
        await this.client.createRoom(room);
        this.current = room;
        this.out.line(`* created and joined [${room}]`);
        return;
      case 'destroy':
        await this.client.destroyRoom(room);
        this.out.line(`* destroyed [${room}]`);
        if (this.current === room) this.pickCurrent();
        return;
      default:
        if (!this.client.rooms.has(room)) {
          this.fail(
            ExitCode.RoomRejected,
            `/switch: you are not in [${room}]; /join ${room} first`,
          );
          return;
        }
        this.current = room;
        this.out.line(`* now talking in [${room}]`);
    }
  }

  private fail(code: ExitCode, text: string): void {
    this.failure ??= code;
    this.out.problem(text);
  }

  private pickCurrent(): void {
    this.current = [...this.client.rooms][0];
    this.out.line(
      this.current === undefined
        ? '* you are in no room now: /join ROOM'
        : `* now talking in [${this.current}]`,
    );
  }

  private explain(error: MpcrpError): string {
    if (error instanceof RoomNotFoundError) {
      return `room '${error.room}' does not exist; /create ${error.room} makes it`;
    }
    if (error instanceof RoomExistsError) {
      return `room '${error.room}' already exists; /join ${error.room} to enter it`;
    }
    if (error instanceof NotOwnerError) {
      return `${error.message} (only the username that created a room can destroy it)`;
    }
    if (error instanceof NotMemberError) {
      return `you are not in room '${error.room}' (or it does not exist); /join ${error.room} first`;
    }
    return error.message;
  }
}
