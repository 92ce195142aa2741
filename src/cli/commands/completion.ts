import { ExitCode } from '../exit-codes.js';
import { warn, writeLine } from '../io.js';

/**
 * `mpcrp-bot completion bash|zsh|fish` prints a script that asks the CLI itself for the
 * words to offer (`mpcrp-bot --get-yargs-completions WORDS...`, answered by yargs in
 * main.ts), so completions always match the installed version. Parsed by hand: it takes
 * one word, and its --help must print help, not a script.
 */

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

export const HELP = `mpcrp-bot completion bash|zsh|fish

Print a shell completion script for mpcrp-bot on stdout. Without a shell name, the one
named by $SHELL is used.

  bash:  mpcrp-bot completion bash >> ~/.bashrc
  zsh:   mpcrp-bot completion zsh >> ~/.zshrc
  fish:  mpcrp-bot completion fish > ~/.config/fish/completions/mpcrp-bot.fish

Open a new shell afterwards. The script runs mpcrp-bot to find the words to offer, so it
must be on PATH (an npm global install, or node_modules/.bin on PATH).`;

// SHELL=bash below: yargs formats its answer for zsh whenever $SHELL mentions zsh.
const SCRIPTS: Record<Shell, string> = {
  bash: `# mpcrp-bot completion for bash: source it from ~/.bashrc
_mpcrp_bot_complete() {
  local IFS=$'\\n'
  local words
  words=$(SHELL=bash mpcrp-bot --get-yargs-completions "\${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null)
  COMPREPLY=($(compgen -W "$words" -- "\${COMP_WORDS[COMP_CWORD]}"))
  # Nothing to offer (a file argument): let bash complete file names.
  [ \${#COMPREPLY[@]} -eq 0 ] && COMPREPLY=($(compgen -f -- "\${COMP_WORDS[COMP_CWORD]}"))
  return 0
}
complete -o filenames -F _mpcrp_bot_complete mpcrp-bot`,
  zsh: `#compdef mpcrp-bot
# mpcrp-bot completion for zsh: source it from ~/.zshrc (after compinit)
_mpcrp_bot_complete() {
  local -a offers
  offers=("\${(@f)$(SHELL=zsh mpcrp-bot --get-yargs-completions "\${words[@]:0:$CURRENT}" 2>/dev/null)}")
  if [[ \${#offers[@]} -eq 0 || -z "\${offers[1]}" ]]; then
    _files
  else
    _describe 'mpcrp-bot' offers
  fi
}
compdef _mpcrp_bot_complete mpcrp-bot`,
  fish: `# mpcrp-bot completion for fish: save as ~/.config/fish/completions/mpcrp-bot.fish
function __mpcrp_bot_complete
    set -l words (commandline -opc) (commandline -ct)
    env SHELL=fish mpcrp-bot --get-yargs-completions $words 2>/dev/null
end
complete -c mpcrp-bot -f -a '(__mpcrp_bot_complete)'`,
};

/** Runs `completion ARGS`; resolves to the exit code. */
export async function completion(args: readonly string[]): Promise<number> {
  if (args.some((a) => a === '--help' || a === '-h')) {
    await writeLine(HELP);
    return ExitCode.Ok;
  }
  const stray = args.filter(
    (a) => a.startsWith('-') && !/^-v+$|^--verbose$|^-q$|^--quiet$/.test(a),
  );
  if (stray.length > 0) {
    warn(`completion: unknown option ${stray[0]} (see \`mpcrp-bot completion --help\`)`);
    return ExitCode.Usage;
  }
  const words = args.filter((a) => !a.startsWith('-'));
  if (words.length > 1) {
    warn(`completion: takes one shell name, got ${words.join(' ')} (bash, zsh or fish)`);
    return ExitCode.Usage;
  }
  const fromEnv = (process.env.SHELL ?? '').split('/').pop() ?? '';
  const name = words[0] ?? fromEnv;
  if (!(SHELLS as readonly string[]).includes(name)) {
    warn(
      words[0] === undefined
        ? `completion: say which shell: mpcrp-bot completion bash|zsh|fish ($SHELL is ${JSON.stringify(process.env.SHELL ?? '')})`
        : `completion: no completion for '${name}'; the shells are bash, zsh and fish`,
    );
    return ExitCode.Usage;
  }
  await writeLine(SCRIPTS[name as Shell]);
  return ExitCode.Ok;
}
