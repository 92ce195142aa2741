import type { Argv } from 'yargs';
import type { ResolveFlags, Settings } from '../../config/resolve.js';
import type { Config } from '../../config/types.js';
import { ConfigError } from '../../errors.js';
import { warn } from '../io.js';

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
      type: 'number',
      default: 3,
      describe: 'upcoming fire times shown per announcement',
    })
    .example('$0 config check', 'validate ./mpcrp-bot.yaml')
    .example('$0 config check deploy/team.yaml', 'validate another file');
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The flags every command shares, as resolveSettings wants them. */
export function flagsFrom(argv: Record<string, unknown>, file?: string): ResolveFlags {
  return {
    config: file ?? str(argv.config),
    server: str(argv.server),
    user: str(argv.user),
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
        'no config file: ./mpcrp-bot.yaml does not exist (pass FILE, -c FILE or set MPCRP_CONFIG)',
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

export async function handler(argv: Record<string, unknown>): Promise<number> {
  const loaded = await loadForDisplay(argv, str(argv.file));
  if (!loaded) return 2;
  const { settings, config } = loaded;
  const next = Math.max(0, Math.floor(Number(argv.next ?? 3)) || 0);
  const [{ stringify }, present, { describeAnnouncements }] = await Promise.all([
    import('yaml'),
    import('../../config/present.js'),
    import('./schedule.js'),
  ]);
  const resolved = {
    ...present.settingsForDisplay(settings),
    announcements: describeAnnouncements(settings.announcements, next),
  };
  const masked = present.maskSecrets(resolved, config.secretValues);
  process.stdout.write(`# ${config.file}: valid\n${stringify(masked, { lineWidth: 0 })}`);
  return 0;
}
