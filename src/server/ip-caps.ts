import net from 'node:net';

/** `::ffff:10.0.0.5` and `10.0.0.5` are one client. */
function normalize(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function isLoopback(address: string): boolean {
  return address === '::1' || (net.isIPv4(address) && address.startsWith('127.'));
}

/**
 * Counts the connections of each remote IP address for `maxConnectionsPerIp`. Exempt
 * addresses, and transports without an IP address (in memory), are not counted.
 */
export class PerIpCounter {
  readonly #limit: number;
  readonly #exempt: ReadonlySet<string>;
  readonly #exemptLoopback: boolean;
  readonly #counts = new Map<string, number>();

  constructor(limit: number, exempt: readonly string[]) {
    this.#limit = limit;
    this.#exemptLoopback = exempt.includes('loopback');
    this.#exempt = new Set(exempt.filter((a) => a !== 'loopback').map(normalize));
  }

  /** The key `address` is counted under, or undefined when the cap does not apply to it. */
  key(address: string | undefined): string | undefined {
    if (address === undefined || net.isIP(address) === 0) return undefined;
    const ip = normalize(address);
    if (this.#exempt.has(ip) || (this.#exemptLoopback && isLoopback(ip))) return undefined;
    return ip;
  }

  /** Counts one more connection from `key`; false, counting nothing, when it is at the cap. */
  add(key: string): boolean {
    const count = this.#counts.get(key) ?? 0;
    if (count >= this.#limit) return false;
    this.#counts.set(key, count + 1);
    return true;
  }

  remove(key: string): void {
    const count = this.#counts.get(key) ?? 0;
    if (count <= 1) this.#counts.delete(key);
    else this.#counts.set(key, count - 1);
  }
}
