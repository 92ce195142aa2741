/**
 * The CLI as users run it: the file package.json's `bin` names (the bundled CLI behind a
 * compile-cache switch, built by `npm run build`), never a module of dist/ it happens to
 * be made of.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  bin: Record<string, string>;
};

export const BIN = `${root}${pkg.bin['mpcrp-bot']}`;
