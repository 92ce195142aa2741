// Whether a bot spec (a `run` argument, an entry of `bots:`) names an npm package or a file.
// Here, below both the config checks and the bot loader: checking a config must not load
// the loader (and tsx), and the CLI bundle must hold no copy of the bot layer.
import { statSync } from 'node:fs';
import path from 'node:path';

/** `name` or `@scope/name`, as npm spells package names. */
const PACKAGE_NAME = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i;

/** Whether `spec` names a package rather than a file (a file of that name wins). */
export function isPackageSpec(spec: string, from: string): boolean {
  if (!PACKAGE_NAME.test(spec)) return false;
  return !isFile(path.resolve(from, spec));
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
