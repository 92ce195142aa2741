import { ConnectError, ConnectionClosedError, TimeoutError } from '../errors.js';
import { ALL_EXTENSIONS, type Extension } from '../protocol/types.js';
import { parseServerUrl } from '../protocol/url.js';
import { type DialOptions, dial } from '../transport/tcp.js';
import { type ClientOptions, MpcrpClient } from './client.js';

export interface ConnectOptions extends ClientOptions, DialOptions {
  /** Username to set right after connecting. */
  username?: string;
  /**
   * Extensions to ask for once the username is set: `true` (default) asks for all,
   * `false` for none, or a list. Costs one round trip; a strict server grants none.
   */
  extensions?: boolean | readonly Extension[];
  /**
   * Milliseconds for the whole connect: TCP (and TLS) and, with `username`, the SetUserName
   * and extension round trips too. Default 10,000.
   */
  connectTimeout?: number;
  /** Aborts the connect at any stage: the connection is dropped and the promise rejects. */
  signal?: AbortSignal;
}

/**
 * Connects to `mpcrp://host:port` (or `mpcrps://` for TLS), sets the username and
 * negotiates extensions when asked to, all within `connectTimeout`.
 *
 * @example
 * const client = await connect('mpcrp://127.0.0.1:8890', { username: 'deploy-bot' });
 * await client.createRoom('alerts');
 */
export async function connect(url: string, options: ConnectOptions = {}): Promise<MpcrpClient> {
  const address = parseServerUrl(url);
  const timeout = options.connectTimeout ?? 10_000;
  const outer = options.signal;
  if (outer?.aborted) throw aborted(outer);
  // One signal for every stage: the caller's abort, or the deadline for the whole handshake.
  const stage = new AbortController();
  let waitingFor = '';
  const onOuterAbort = (): void => stage.abort(aborted(outer!));
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const deadline =
    options.username === undefined
      ? undefined // dial alone: its own timer bounds it
      : setTimeout(() => stage.abort(handshakeTimeout(address.url, waitingFor, timeout)), timeout);
  try {
    waitingFor = 'TCP';
    const transport = await dial(address, { ...options, signal: stage.signal });
    const client = new MpcrpClient(transport, options);
    if (options.username === undefined) return client;
    const drop = (): void => client.destroy(stage.signal.reason as Error);
    stage.signal.addEventListener('abort', drop, { once: true });
    try {
      waitingFor = 'SetUserName';
      await client.setUserName(options.username);
      const want =
        options.extensions === false
          ? []
          : options.extensions === true || options.extensions === undefined
            ? ALL_EXTENSIONS
            : options.extensions;
      waitingFor = 'Hello';
      if (want.length > 0) await client.negotiate(want);
    } catch (error) {
      client.destroy();
      throw error;
    } finally {
      stage.signal.removeEventListener('abort', drop);
    }
    return client;
  } finally {
    clearTimeout(deadline);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

function aborted(signal: AbortSignal): Error {
  return new ConnectionClosedError('the connect was aborted', { cause: signal.reason });
}

function handshakeTimeout(url: string, waitingFor: string, ms: number): Error {
  const detail =
    waitingFor === 'TCP'
      ? `no answer within ${ms} ms`
      : `connected, but no MPCRP answer to ${waitingFor} within ${ms} ms (is it an MPCRP server, and is it responsive?)`;
  return new ConnectError(url, detail, { cause: new TimeoutError('connect', ms) });
}
