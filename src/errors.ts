/**
 * Every error this package throws on purpose. Each class sets `name`, accepts `{ cause }`,
 * and carries a stable `code` that callers (and the CLI's exit codes) can switch on without
 * parsing messages. Codes never change once released; messages may.
 */

export const ErrorCode = {
  FrameTooLarge: 'FRAME_TOO_LARGE',
  MalformedPayload: 'MALFORMED_PAYLOAD',
  InvalidName: 'INVALID_NAME',
  InvalidUrl: 'INVALID_URL',
  NameTaken: 'NAME_TAKEN',
  NotRegistered: 'NOT_REGISTERED',
  RoomNotFound: 'ROOM_NOT_FOUND',
  RoomExists: 'ROOM_EXISTS',
  NotOwner: 'NOT_OWNER',
  NotMember: 'NOT_MEMBER',
  TextTooLong: 'TEXT_TOO_LONG',
  Timeout: 'TIMEOUT',
  ConnectFailed: 'CONNECT_FAILED',
  ConnectionClosed: 'CONNECTION_CLOSED',
  NotMpcrpServer: 'NOT_MPCRP_SERVER',
  ExtensionUnavailable: 'EXTENSION_UNAVAILABLE',
  Plugin: 'PLUGIN_ERROR',
  PluginLoad: 'PLUGIN_LOAD_ERROR',
  Config: 'CONFIG_ERROR',
  Tls: 'TLS_ERROR',
  OutboxFull: 'OUTBOX_FULL',
  Store: 'STORE_ERROR',
  ConversationCancelled: 'CONVERSATION_CANCELLED',
  HookTimeout: 'HOOK_TIMEOUT',
  NotInRoom: 'NOT_IN_ROOM',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface MpcrpErrorOptions {
  cause?: unknown;
}

/** Base class: `err instanceof MpcrpError` catches everything this package throws on purpose. */
export class MpcrpError extends Error {
  override name = 'MpcrpError';
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: MpcrpErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A frame header announced a payload above the configured limit. */
export class FrameTooLargeError extends MpcrpError {
  override name = 'FrameTooLargeError';
  constructor(
    readonly length: number,
    readonly limit: number,
    options?: MpcrpErrorOptions,
  ) {
    super(
      ErrorCode.FrameTooLarge,
      `frame payload of ${length} bytes exceeds the limit of ${limit} bytes`,
      options,
    );
  }
}

/** A frame's payload does not have the shape its type requires. */
export class MalformedPayloadError extends MpcrpError {
  override name = 'MalformedPayloadError';
  constructor(
    readonly messageType: number,
    detail: string,
    options?: MpcrpErrorOptions,
  ) {
    super(
      ErrorCode.MalformedPayload,
      `malformed payload for type ${messageType}: ${detail}`,
      options,
    );
  }
}

/** A username or room ID breaks the naming rules (1-20 code points, no spaces or controls). */
export class InvalidNameError extends MpcrpError {
  override name = 'InvalidNameError';
  constructor(
    readonly kind: 'username' | 'room',
    readonly value: string,
    reason: string,
    options?: MpcrpErrorOptions,
  ) {
    super(ErrorCode.InvalidName, `invalid ${kind} ${JSON.stringify(value)}: ${reason}`, options);
  }
}

export class InvalidUrlError extends MpcrpError {
  override name = 'InvalidUrlError';
  constructor(
    readonly url: string,
    reason: string,
    options?: MpcrpErrorOptions,
  ) {
    super(
      ErrorCode.InvalidUrl,
      `invalid server URL ${JSON.stringify(url)}: ${reason} (expected mpcrp://host:port or mpcrps://host:port)`,
      options,
    );
  }
}

export class NameTakenError extends MpcrpError {
  override name = 'NameTakenError';
  constructor(
    readonly username: string,
    options?: MpcrpErrorOptions,
  ) {
    super(ErrorCode.NameTaken, `username '${username}' is taken on this server`, options);
  }
}

/** A room command was attempted before a username was set. */
export class NotRegisteredError extends MpcrpError {
  override name = 'NotRegisteredError';
  constructor(options?: MpcrpErrorOptions) {
    super(ErrorCode.NotRegistered, 'set a username before using rooms', options);
  }
}

export class RoomNotFoundError extends MpcrpError {
  override name = 'RoomNotFoundError';
  constructor(
    readonly room: string,
    options?: MpcrpErrorOptions,
  ) {
    super(ErrorCode.RoomNotFound, `room '${room}' does not exist`, options);
  }
}

export class RoomExistsError extends MpcrpError {
  override name = 'RoomExistsError';
  constructor(
    readonly room: string,
    options?: MpcrpErrorOptions,
  ) {
    super(ErrorCode.RoomExists, `room '${room}' already exists`, options);
  }
}

/** DestroyRoom failed: the wire does not say whether the room is missing or owned by someone else. */
export class NotOwnerError extends MpcrpError {
  override name = 'NotOwnerError';
  constructor(
    readonly room: string,
    options?: MpcrpErrorOptions,
  ) {
    super(
      ErrorCode.NotOwner,
      `cannot destroy room '${room}': it does not exist or you did not create it`,
      options,
    );
  }
}

export class NotMemberError extends MpcrpError {
  override name = 'NotMemberError';
  constructor(
    readonly room: string,
    options?: MpcrpErrorOptions,
  ) {
    super(ErrorCode.NotMember, `not a member of room '${room}' (or it does not exist)`, options);
  }
}

export class TextTooLongError extends MpcrpError {
  override name = 'TextTooLongError';
  constructor(
    readonly bytes: number,
    readonly limit: number,
    options?: MpcrpErrorOptions,
  ) {
    super(
      ErrorCode.TextTooLong,
      `text of ${bytes} bytes does not fit in one frame (at most ${limit} bytes); split it into several messages`,
      options,
    );
  }
}

export class TimeoutError extends MpcrpError {
  override name = 'TimeoutError';
  constructor(
    readonly operation: string,
    readonly ms: number,
    options?: MpcrpErrorOptions,
  ) {
    super(ErrorCode.Timeout, `${operation} timed out after ${ms} ms`, options);
  }
}

export class ConnectError extends MpcrpError {
  override name = 'ConnectError';
  constructor(
    readonly url: string,
    detail: string,
    options?: MpcrpErrorOptions,
  ) {
    super(ErrorCode.ConnectFailed, `cannot connect to ${url}: ${detail}`, options);
  }
}

export class ConnectionClosedError extends MpcrpError {
  override name = 'ConnectionClosedError';
  constructor(detail = 'the connection was closed', options?: MpcrpErrorOptions) {
    super(ErrorCode.ConnectionClosed, detail, options);
  }
}

export class ExtensionUnavailableError extends MpcrpError {
  override name = 'ExtensionUnavailableError';
  constructor(
    readonly extension: string,
    options?: MpcrpErrorOptions,
  ) {
    super(
      ErrorCode.ExtensionUnavailable,
      `the server did not grant the '${extension}' extension`,
      options,
    );
  }
}

/** A bot plugin's hook threw or rejected; `plugin` and `hook` say which. */
export class PluginError extends MpcrpError {
  override name = 'PluginError';
  constructor(
    readonly plugin: string,
    readonly hook: string,
    options?: MpcrpErrorOptions,
  ) {
    const reason = options?.cause instanceof Error ? options.cause.message : String(options?.cause);
    super(ErrorCode.Plugin, `plugin '${plugin}' failed in ${hook}: ${reason}`, options);
  }
}

/** A bot file could not be imported or has no usable default export. */
export class PluginLoadError extends MpcrpError {
  override name = 'PluginLoadError';
  constructor(
    readonly file: string,
    detail: string,
    options?: MpcrpErrorOptions,
  ) {
    super(ErrorCode.PluginLoad, `cannot load bot ${file}: ${detail}`, options);
  }
}

/** One or more configuration problems; `issues` lists each with its location. */
export class ConfigError extends MpcrpError {
  override name = 'ConfigError';
  constructor(
    readonly issues: readonly string[],
    options?: MpcrpErrorOptions,
  ) {
    super(ErrorCode.Config, issues.join('\n'), options);
  }
}

export class TlsError extends MpcrpError {
  override name = 'TlsError';
  constructor(message: string, options?: MpcrpErrorOptions) {
    super(ErrorCode.Tls, message, options);
  }
}

/** The bot outbox hit its bound while disconnected; the message was counted and logged. */
export class OutboxFullError extends MpcrpError {
  override name = 'OutboxFullError';
  constructor(
    readonly limit: number,
    options?: MpcrpErrorOptions,
  ) {
    super(
      ErrorCode.OutboxFull,
      `outbox is full (${limit} messages held while disconnected)`,
      options,
    );
  }
}

/**
 * The peer's first bytes are no MPCRP frame: an HTTP, TLS or SSH service on that port, say.
 * Thrown instead of the frame error those bytes would otherwise give ("a payload of 5526608
 * bytes", which is "HTTP" read as a header).
 */
export class NotMpcrpServerError extends MpcrpError {
  override name = 'NotMpcrpServerError';
  constructor(
    readonly firstBytes: string,
    options?: MpcrpErrorOptions,
  ) {
    super(
      ErrorCode.NotMpcrpServer,
      `this does not look like an MPCRP server: it answered ${JSON.stringify(firstBytes)}, ` +
        'which is no MPCRP frame (check the host and port; use mpcrps:// for a TLS listener)',
      options,
    );
  }
}

/** The plugin store refused a value or key, or its backend (disk, Redis) failed. */
export class StoreError extends MpcrpError {
  override name = 'StoreError';
  constructor(message: string, options?: MpcrpErrorOptions) {
    super(ErrorCode.Store, message, options);
  }
}

/**
 * A `ctx.ask` / `ctx.waitFor` ended without an answer because the bot stopped, the plugin was
 * unloaded (or reloaded) or the user left the room. The engine swallows it (a debug line), so a hook that
 * does not catch it simply ends.
 */
export class ConversationCancelledError extends MpcrpError {
  override name = 'ConversationCancelledError';
  constructor(
    readonly reason: 'stop' | 'unloaded' | 'left',
    options?: MpcrpErrorOptions,
  ) {
    super(ErrorCode.ConversationCancelled, `the conversation was cancelled (${reason})`, options);
  }
}

/** A bot hook did not settle within its time budget and was abandoned. */
export class HookTimeoutError extends MpcrpError {
  override name = 'HookTimeoutError';
  constructor(
    readonly plugin: string,
    readonly hook: string,
    readonly budget: number,
    options?: MpcrpErrorOptions,
  ) {
    super(
      ErrorCode.HookTimeout,
      `plugin '${plugin}': ${hook} did not settle within ${budget} ms; it was abandoned (a hook that waits on something slow needs its own timeout, or bot.task())`,
      options,
    );
  }
}

/**
 * A bot sent to a room that is not one of its rooms (configured, asked for by a plugin or
 * joined with `ctx.join`); nothing was queued.
 */
export class NotInRoomError extends MpcrpError {
  override name = 'NotInRoomError';
  constructor(
    readonly room: string,
    options?: MpcrpErrorOptions,
  ) {
    super(
      ErrorCode.NotInRoom,
      `the bot is not in room '${room}'; nothing was sent (join it first with ctx.join('${room}'), or add it to the bot's rooms)`,
      options,
    );
  }
}
