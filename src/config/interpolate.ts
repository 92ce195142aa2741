export interface InterpolationProblem {
  /** Index in the input string where the offending `${` starts. */
  index: number;
  problem: string;
  expected: string;
}

export interface Interpolated {
  value: string;
  /** True when at least one `${...}` was replaced: such values are treated as secrets. */
  interpolated: boolean;
  /**
   * True when a variable's value came from the environment. A default written in the file
   * (`${BOT_USER:-teambot}` with BOT_USER unset) is no secret: it is in the file already.
   */
  fromEnv: boolean;
  problems: InterpolationProblem[];
}

const SYNTAX = '$' + '{VAR} or $' + '{VAR:-default}';
const NAME_AND_DEFAULT = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/**
 * Replaces `${VAR}` and `${VAR:-default}` (the default also applies when VAR is empty, as in
 * sh) in one string. `$${` stands for a literal `${`. Problems are collected, not thrown, so
 * the caller can report every one with its location.
 *
 * @example
 * interpolate('Bearer ${TOKEN}', { TOKEN: 'abc' }).value; // 'Bearer abc'
 */
export function interpolate(input: string, env: Record<string, string | undefined>): Interpolated {
  const problems: InterpolationProblem[] = [];
  if (!input.includes('${')) return { value: input, interpolated: false, fromEnv: false, problems };
  let out = '';
  let interpolated = false;
  let fromEnv = false;
  let i = 0;
  while (i < input.length) {
    const start = input.indexOf('${', i);
    if (start === -1) {
      out += input.slice(i);
      break;
    }
    if (start > 0 && input[start - 1] === '$') {
      out += `${input.slice(i, start - 1)}\${`;
      i = start + 2;
      continue;
    }
    out += input.slice(i, start);
    const end = input.indexOf('}', start + 2);
    if (end === -1) {
      problems.push({
        index: start,
        problem: "'${' is not closed",
        expected: `${SYNTAX}; write $\${ for a literal \${`,
      });
      out += input.slice(start);
      break;
    }
    const match = NAME_AND_DEFAULT.exec(input.slice(start + 2, end));
    i = end + 1;
    if (!match) {
      problems.push({
        index: start,
        problem: `'${input.slice(start, end + 1)}' is not a variable reference`,
        expected: `${SYNTAX}, VAR made of letters, digits and _`,
      });
      continue;
    }
    const [, name, fallback] = match;
    const value = env[name!];
    interpolated = true;
    if (value !== undefined && (value !== '' || fallback === undefined)) {
      out += value;
      fromEnv = true;
    } else if (fallback !== undefined) {
      out += fallback;
    } else {
      problems.push({
        index: start,
        problem: `environment variable ${name} is not set`,
        expected: `set ${name}, or give a default: \${${name}:-value}`,
      });
    }
  }
  return { value: out, interpolated, fromEnv, problems };
}
