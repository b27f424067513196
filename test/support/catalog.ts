import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SHARED_CATALOG } from '../../lib/node-red/node';

/**
 * The package's en-US catalogs as Node-RED's runtime reads them (i18next: `__name__` substitutions, `__name, number__`
 * with thousands separators, `_one` /
 * `_other` plurals by `count`), for node tests: the test helper's `RED._` returns the key, so statuses would
 * read as keys there. Load `useCatalogs` first in `helper.load([...])`.
 */
const root = resolve(__dirname, '..', '..');
type Catalog = Record<string, unknown>;

function catalogs(): { nodes: Catalog[]; shared: Catalog } {
  const nodes: Catalog[] = [];
  for (const group of readdirSync(join(root, 'nodes'))) {
    const dir = join(root, 'nodes', group, 'locales', 'en-US');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) nodes.push(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Catalog);
  }
  const shared = JSON.parse(readFileSync(join(root, 'nodes', 'operator', 'locales', 'en-US', 'operator-view.json'), 'utf8')) as Catalog;
  return { nodes, shared };
}

function lookup(catalog: Catalog, path: string): string | undefined {
  let at: unknown = catalog;
  for (const part of path.split('.')) at = (at as Record<string, unknown> | undefined)?.[part];
  return typeof at === 'string' ? at : undefined;
}

export function translate(key: string, values: Record<string, unknown> = {}): string {
  const { nodes, shared } = catalogs();
  const [within, path] = key.includes(':') ? [key.startsWith(`${SHARED_CATALOG}:`) ? [shared] : [], key.slice(key.indexOf(':') + 1)] : [nodes, key];
  const plural = typeof values.count === 'number' ? `${path}_${values.count === 1 ? 'one' : 'other'}` : undefined;
  for (const catalog of within) {
    const text = (plural && lookup(catalog, plural)) ?? lookup(catalog, path);
    if (text !== undefined) return text.replace(/__(\w+)(, number)?__/g, (_, name: string, number?: string) => (number && typeof values[name] === 'number' ? values[name].toLocaleString('en-US') : String(values[name] ?? '')));
  }
  return typeof values.defaultValue === 'string' ? values.defaultValue : key;
}

export function useCatalogs(RED: { _: unknown }): void {
  RED._ = translate;
}

/**
 * A status text a person reads: words from a catalog, not a key the catalog lacks (`sage100-items.status.x`),
 * an error code (`bigcommerce.settings`, `http.tls`) or a placeholder left unfilled (`__count__`).
 */
export function assertInWords(text: string | undefined, what = 'status'): void {
  if (text === undefined || text === '') return;
  if (/\b[a-z][\w-]*\.[A-Za-z_][\w.]*\b/.test(text.replace(/\b\d[\d.,]*\b/g, '')) || text.includes('__')) {
    throw new Error(`${what} is not in words: ${JSON.stringify(text)}`);
  }
}
