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
}

/**
 * Connects to `mpcrp://host:port` (or `mpcrps://` for TLS), sets the username and
 * negotiates extensions when asked to.
 *
 * @example
 * const client = await connect('mpcrp://127.0.0.1:8890', { username: 'deploy-bot' });
 * await client.createRoom('alerts');
 */
export async function connect(url: string, options: ConnectOptions = {}): Promise<MpcrpClient> {
  const address = parseServerUrl(url);
  const transport = await dial(address, options);
  const client = new MpcrpClient(transport, options);
  if (options.username === undefined) return client;
  try {
    await client.setUserName(options.username);
    const want =
      options.extensions === false
        ? []
        : options.extensions === true || options.extensions === undefined
          ? ALL_EXTENSIONS
          : options.extensions;
    if (want.length > 0) await client.negotiate(want);
  } catch (error) {
    client.destroy();
    throw error;
  }
  return client;
}
