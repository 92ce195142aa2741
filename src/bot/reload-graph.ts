import { createRequire, register } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';

/** The query that marks one reload's copy of a module graph. */
export const RELOAD_PARAM = 'mpcrp-reload';

/**
 * A module resolve hook (run by Node on its loader thread) that does two things for files
 * of the bot's project — reached by a relative or absolute path, outside node_modules:
 * reports each import edge, so `--watch` can watch what a bot imports, and gives an import
 * made from a reloaded module the same reload query, so a reload re-reads the whole
 * project graph, not just the bot file. Packages (mpcrp-bot itself included, which a bot
 * imports by name) are never copied: a second copy would break `instanceof`.
 */
const HOOKS = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const parent = context.parentURL;
  if (!parent || !parent.startsWith('file:') || !result.url.startsWith('file:')) return result;
  if (!/^(\\.{1,2}\\/|\\/|file:)/.test(specifier) || result.url.includes('/node_modules/')) return result;
  const from = new URL(parent);
  const to = new URL(result.url);
  const generation = from.searchParams.get('${RELOAD_PARAM}');
  from.search = '';
  port.postMessage([from.href, to.href.split('?')[0]]);
  if (generation === null || to.searchParams.has('${RELOAD_PARAM}')) return result;
  to.searchParams.set('${RELOAD_PARAM}', generation);
  return { ...result, url: to.href };
}
`;

/** File path -> project files it imports (ESM, as the hook reported them). */
const edges = new Map<string, Set<string>>();
let registered = false;

/** Installs the hook (once per process). Call before loading the bots that may reload. */
export function trackImports(): void {
  if (registered) return;
  registered = true;
  const { port1, port2 } = new MessageChannel();
  port1.on('message', ([from, to]: [string, string]) => {
    const parent = fileURLToPath(from);
    const children = edges.get(parent) ?? new Set<string>();
    children.add(fileURLToPath(to));
    edges.set(parent, children);
  });
  port1.unref();
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
    data: { port: port2 },
    transferList: [port2],
  });
}

const requireCache = createRequire(import.meta.url).cache;

/** Project files (not node_modules) that `file` imports, directly or not. */
export function importsOf(file: string): string[] {
  const seen = new Set<string>();
  const visit = (f: string) => {
    for (const child of childrenOf(f)) {
      if (seen.has(child) || child === file) continue;
      seen.add(child);
      visit(child);
    }
  };
  visit(path.resolve(file));
  return [...seen];
}

/** Drops `file` and the project files it requires from the CommonJS cache. */
export function forgetCommonJs(file: string): void {
  const imports = importsOf(file);
  for (const key of cacheKeys(path.resolve(file))) Reflect.deleteProperty(requireCache, key);
  for (const f of imports) Reflect.deleteProperty(requireCache, f);
}

/**
 * The CommonJS cache keys of `file`: its path, and on Node 22 and later also the path with
 * the reload query of each `import()` that loaded it as CommonJS (`bot.ts?mpcrp-reload=2`).
 */
function cacheKeys(file: string): string[] {
  const prefix = `${file}?`;
  return Object.keys(requireCache).filter((key) => key === file || key.startsWith(prefix));
}

function childrenOf(file: string): string[] {
  const out = [...(edges.get(file) ?? [])];
  // A file run as CommonJS (a .ts bot outside a "type": "module" package) loads by require.
  for (const key of cacheKeys(file)) {
    for (const child of requireCache[key]?.children ?? []) {
      if (!child.filename.includes(`${path.sep}node_modules${path.sep}`)) out.push(child.filename);
    }
  }
  return out;
}
