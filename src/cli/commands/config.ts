import type { Argv } from 'yargs';
import { userConfigFile } from '../../config/find.js';
import type { ResolveFlags, Settings } from '../../config/resolve.js';
import type { Config } from '../../config/types.js';
import { ConfigError } from '../../errors.js';
import { guarded, usage } from '../cli-exit.js';
import { warn } from '../io.js';
import { textFlag } from '../options.js';

export const command = 'config <action> [file]';
export const describe =
  'check: validate the configuration, print it resolved (secrets masked) with upcoming announcements';
/** -s/-u and the TLS flags take part in resolution, so `check` shows their effect too. */
export const connects = true;

export function builder(y: Argv): Argv {
  return y
    .positional('action', { choices: ['check'], describe: 'what to do', type: 'string' })
    .positional('file', {
      type: 'string',
      describe: 'config file (default: -c, MPCRP_CONFIG, or ./mpcrp-bot.yaml)',
    })
    .option('next', {
      type: 'string',
      requiresArg: true,
      describe: 'upcoming fire times shown per announcement (default 3)',
    })
    .example('$0 config check', 'validate ./mpcrp-bot.yaml')
    .example('$0 config check deploy/team.yaml', 'validate another file');
}

/** More fire times than anyone reads; the bound keeps `-n 99999999` from computing them all. */
const MAX_NEXT = 10_000;

/**
 * `--next N` as a whole number ≥ 0; anything else (`-n abc`, `-n -1`, `-n 1.5`) is a usage
 * error rather than silently 0 or the default.
 */
export function nextFlag(argv: Record<string, unknown>, command: string, fallback: number): number {
  const raw = argv.next;
  if (raw === undefined) return fallback;
  // Read as text (the option is a string), so the message can show what was typed.
  const text = String(Array.isArray(raw) ? raw.at(-1) : raw).trim();
  if (!/^\d+$/.test(text) || Number(text) > MAX_NEXT) {
    throw usage(
      `${command}: -n/--next must be a whole number of fire times from 0 to ${MAX_NEXT}, got ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

/** Warnings for enabled announcements whose cron matches no existing date. */
export async function warnNeverFiring(list: Settings['announcements']): Promise<void> {
  const { neverFiresWarning } = await import('../../schedule/cron.js');
  for (const a of list) {
    if (!a.enabled) continue;
    const problem = neverFiresWarning(a.cron, a.timezone);
    if (problem !== undefined) warn(`announcement '${a.name}': ${problem}`);
  }
}

const str = textFlag;

/** A flag as typed, `''` included: resolveSettings refuses empty values given on purpose. */
const given = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The flags every command shares, as resolveSettings wants them. */
export function flagsFrom(argv: Record<string, unknown>, file?: string): ResolveFlags {
  return {
    config: file ?? given(argv.config),
    server: given(argv.server),
    user: given(argv.user),
    verbose: argv.verbose as number | undefined,
    quiet: argv.quiet as boolean | undefined,
    ca: str(argv.ca),
    cert: str(argv.cert),
    key: str(argv.key),
    insecure: argv.insecure as boolean | undefined,
  };
}

/**
 * Loads settings the way `run` and the client commands do; on a bad file prints every
 * issue (FILE:LINE:COL: ...) on stderr and returns undefined.
 */
export async function loadForDisplay(
  argv: Record<string, unknown>,
  file?: string,
): Promise<{ settings: Settings; config: Config } | undefined> {
  const { loadSettings } = await import('../../config/load.js');
  try {
    const { settings, config } = await loadSettings({ flags: flagsFrom(argv, file) });
    if (!config) {
      warn(
        `no config file: neither ./mpcrp-bot.yaml nor ${userConfigFile()} exists (pass FILE, -c FILE or set MPCRP_CONFIG)`,
      );
      return undefined;
    }
    return { settings, config };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const issue of error.issues) process.stderr.write(`${issue}\n`);
    const n = error.issues.length;
    warn(`the configuration has ${n} problem${n === 1 ? '' : 's'}; nothing was started`);
    return undefined;
  }
}

/** What `serve` runs with when the file says nothing, as `config check` prints it. */
async function serveDefaults(): Promise<Record<string, unknown>> {
  const [{ DEFAULT_SERVER_OPTIONS }, { DEFAULT_HOST }, tls, { ALL_EXTENSIONS, DEFAULT_PORT }] =
    await Promise.all([
      import('../../server/options.js'),
      import('../../server/start.js'),
      import('../../server/tls.js'),
      import('../../protocol/types.js'),
    ]);
  const { extensions, ...limits } = DEFAULT_SERVER_OPTIONS;
  return {
    host: DEFAULT_HOST,
    port: DEFAULT_PORT,
    plaintext: true,
    ...limits,
    // `true` offers every extension; show them by name, as the file would list them.
    extensions: extensions === true ? [...ALL_EXTENSIONS] : extensions,
    tls: { port: tls.DEFAULT_TLS_PORT, handshakeTimeout: tls.DEFAULT_HANDSHAKE_TIMEOUT },
  };
}

/** A bad flag (`-n abc`) is a usage error, exit 2, in one line. */
export function handler(argv: Record<string, unknown>): Promise<number> {
  return guarded(() => check(argv));
}

async function check(argv: Record<string, unknown>): Promise<number> {
  const loaded = await loadForDisplay(argv, str(argv.file));
  if (!loaded) return 2;
  const { settings, config } = loaded;
  const next = nextFlag(argv, 'config check', 3);
  const [{ stringify }, present, { describeAnnouncements }] = await Promise.all([
    import('yaml'),
    import('../../config/present.js'),
    import('./schedule.js'),
  ]);
  const resolved = {
    ...present.settingsForDisplay(settings, await serveDefaults()),
    announcements: describeAnnouncements(settings.announcements, next),
  };
  await warnNeverFiring(settings.announcements);
  const masked = present.maskSecrets(resolved, config.secretValues);
  process.stdout.write(`# ${config.file}: valid\n${stringify(masked, { lineWidth: 0 })}`);
  return 0;
}
