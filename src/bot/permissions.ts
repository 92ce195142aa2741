// Who may run a guarded command. Roles come from the config's `roles:` (role -> usernames);
// a command's `allow` names roles or is a predicate. A user the server does not name (no
// `sender` extension) holds no role and never passes a guard.
import type { Logger } from '../log.js';
import type { Allow, CommandInfo, MessageContext } from './types.js';

export type Roles = Readonly<Record<string, readonly string[]>>;

export interface PermissionOptions {
  /** `roles:` of the config: role name -> usernames. */
  roles?: Roles;
  /**
   * What a refused user is told; `false` says nothing. Placeholders: `{user}`, `{command}`
   * (with the prefix), `{allowed}` (the roles). Default {@link DEFAULT_REFUSAL}.
   */
  refusal?: string | false;
}

export const DEFAULT_REFUSAL = 'sorry {user}, {command} is only for {allowed}';
/** Said instead when the server does not tell who sent the command. */
export const UNKNOWN_USER_REFUSAL =
  "{command} needs to know who is asking, and this server does not say (it grants no 'sender' extension)";

export function rolesOf(roles: Roles, user: string | undefined): string[] {
  if (user === undefined) return [];
  return Object.keys(roles).filter((role) => roles[role]!.includes(user));
}

/** Whether `user` may run a command guarded by `allow`; a throwing predicate means no. */
export async function mayRun(
  allow: Allow | undefined,
  user: string | undefined,
  roles: Roles,
  about: { command: string; room: string | undefined },
  log: Logger,
): Promise<boolean> {
  if (allow === undefined) return true;
  if (user === undefined) return false;
  const held = rolesOf(roles, user);
  if (typeof allow === 'function') {
    try {
      return (await allow(user, { ...about, roles: held })) === true;
    } catch (error) {
      log.error('an allow check threw; the command is refused', { command: about.command, error });
      return false;
    }
  }
  const wanted = typeof allow === 'string' ? [allow] : allow;
  return wanted.some((role) => held.includes(role));
}

/** `ops`, `ops or admins`, or `those the bot allows` for a predicate. */
export function describeAllow(allow: Allow): string {
  if (typeof allow === 'function') return 'those the bot allows';
  const list = typeof allow === 'string' ? [allow] : [...allow];
  return list.length === 0 ? 'nobody' : list.join(' or ');
}

export function refusalText(
  template: string,
  values: { user: string | undefined; command: string; allowed: string },
): string {
  return template.replace(/\{(user|command|allowed)\}/g, (_, k: keyof typeof values) =>
    String(values[k] ?? 'you'),
  );
}

/** Warns about each role `allow` names that `roles:` does not define (nobody can hold it). */
export function warnUnknownRoles(
  commands: readonly CommandInfo[],
  { roles = {} }: PermissionOptions,
  log: Logger,
): void {
  for (const role of unknownRoles(commands, roles)) {
    log.warn(
      `allow names the role '${role}', which roles: in the config does not define; nobody may run those commands`,
    );
  }
}

/** Role names `allow` uses that `roles:` does not define (nobody can hold them). */
function unknownRoles(commands: readonly CommandInfo[], roles: Roles): string[] {
  const out = new Set<string>();
  for (const c of commands) {
    if (c.allow === undefined || typeof c.allow === 'function') continue;
    for (const role of typeof c.allow === 'string' ? [c.allow] : c.allow) {
      if (!Object.hasOwn(roles, role)) out.add(role);
    }
  }
  return [...out];
}

/**
 * Checks a guarded command before its handler runs. A refusal is logged and, unless the
 * refusal text is `false`, answered in the room; resolves whether the handler may run.
 */
export async function commandAllowed(
  name: string,
  allow: Allow | undefined,
  ctx: MessageContext,
  options: PermissionOptions & { prefix: string; log: Logger },
): Promise<boolean> {
  if (allow === undefined) return true;
  const { roles = {}, refusal = DEFAULT_REFUSAL, prefix, log } = options;
  if (await mayRun(allow, ctx.sender, roles, { command: name, room: ctx.room }, log)) return true;
  const allowed = describeAllow(allow);
  const command = `${prefix}${name}`;
  log.warn('refused a command', {
    command,
    user: ctx.sender ?? '(unknown)',
    room: ctx.room,
    allowed,
  });
  if (refusal !== false) {
    const template = ctx.sender === undefined ? UNKNOWN_USER_REFUSAL : refusal;
    ctx.reply(refusalText(template, { user: ctx.sender, command, allowed }));
  }
  return false;
}
