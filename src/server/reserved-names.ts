import type { TLSSocket } from 'node:tls';
import { nameProblem } from '../protocol/names.js';
import type { Transport } from '../transport/transport.js';

/** Usernames that need a client certificate: a list, or `'all'` for every name. */
export type ReservedNames = readonly string[] | 'all';

/** True when `name` may only be taken over TLS with a matching client certificate. */
export function isReserved(reserved: ReservedNames, name: string): boolean {
  return reserved === 'all' || reserved.includes(name);
}

/**
 * Names the connection's client certificate vouches for: its subject CN and its DNS
 * subject alternative names. Empty unless the transport is TLS and the certificate was
 * verified against the server's CA; `problem` then says why, for the log.
 */
export function certifiedNames(transport: Transport): { names: string[]; problem?: string } {
  if (!isTlsSocket(transport)) return { names: [], problem: 'not a TLS connection' };
  const cert = transport.getPeerCertificate();
  if (cert === null || cert === undefined || Object.keys(cert).length === 0) {
    return { names: [], problem: 'no client certificate' };
  }
  if (!transport.authorized) {
    const reason = String(transport.authorizationError ?? 'not verified');
    return { names: [], problem: `client certificate not trusted (${reason})` };
  }
  const names: string[] = [];
  const cn = cert.subject?.CN as string | string[] | undefined;
  if (Array.isArray(cn)) names.push(...cn);
  else if (typeof cn === 'string') names.push(cn);
  for (const entry of splitAltNames(cert.subjectaltname ?? '')) {
    if (entry.startsWith('DNS:')) names.push(entry.slice(4));
  }
  return { names };
}

/** Checked by shape, so the server never loads node:tls (~5 ms) unless it serves TLS. */
function isTlsSocket(transport: Transport): transport is Transport & TLSSocket {
  const t = transport as Partial<TLSSocket>;
  return t.encrypted === true && typeof t.getPeerCertificate === 'function';
}

/**
 * Splits Node's `subjectaltname` text (`DNS:a, IP Address:1.2.3.4`). Node quotes an entry
 * holding a comma or quote as a JSON string (`DNS:"a,b"`), so commas inside quotes stay.
 */
function splitAltNames(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/([^,"]+?):("(?:[^"\\]|\\.)*"|[^,]*)(?:,\s*|$)/g)) {
    const value = match[2]!.startsWith('"') ? safeJson(match[2]!) : match[2]!;
    if (value !== undefined) out.push(`${match[1]!.trim()}:${value}`);
  }
  return out;
}

function safeJson(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why `transport` may not take `name`, or undefined when it may: a reserved name needs a
 * verified client certificate whose CN or a DNS SAN equals it exactly (case-sensitive).
 *
 * @example
 * reservedNameRefusal(['alice'], 'alice', plainSocket); // 'not a TLS connection'
 * reservedNameRefusal('all', 'alice', tlsSocketWithAliceCert); // undefined: allowed
 */
export function reservedNameRefusal(
  reserved: ReservedNames,
  name: string,
  transport: Transport,
): string | undefined {
  if (!isReserved(reserved, name)) return undefined;
  const { names, problem } = certifiedNames(transport);
  if (problem !== undefined) return problem;
  if (names.includes(name)) return undefined;
  return `client certificate is for ${names.map((n) => JSON.stringify(n)).join(', ') || 'no name'}`;
}

/** What is wrong with a `reservedNames` option, for resolveServerOptions' ConfigError. */
export function reservedNamesProblems(reserved: unknown): string[] {
  if (reserved === 'all') return [];
  if (!Array.isArray(reserved)) {
    return [
      `server option reservedNames must be a list of usernames or 'all', got ${JSON.stringify(reserved)}`,
    ];
  }
  return reserved.flatMap((name: unknown) => {
    const problem =
      typeof name === 'string' ? nameProblem('username', name) : `is ${JSON.stringify(name)}`;
    return problem === undefined
      ? []
      : [
          `server option reservedNames: ${JSON.stringify(name)} is not a valid username: ${problem}`,
        ];
  });
}
