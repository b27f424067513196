/**
 * Where the tests find BigCommerce's official OpenAPI files. They are third-party files, never copied into the
 * repository: a team machine has them in ../shared/specs/bigcommerce; anywhere else they are downloaded once, at the
 * pinned commit of github.com/bigcommerce/docs, checked against the SHA-256 recorded here, and kept in an ignored
 * folder of the clone. When none of that works (offline), only the contract checks are skipped, and one line says why.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** The commit of github.com/bigcommerce/docs the files were taken from (../shared/specs/bigcommerce/SOURCE.md). */
export const SPECS_COMMIT = '24f580ca6d2981728b7ed70a2049e00fc602c335';

/** Each file: its path in bigcommerce/docs, and the SHA-256 of its content at SPECS_COMMIT. */
export const PINNED_SPECS: Record<string, { source: string; sha256: string }> = {
  'orders.v2.oas2.yml': { source: 'reference/orders.v2.oas2.yml', sha256: 'f85ba9dd682ddc0f4547bda456fe1cf416da0e67ac3e8597238d5a1c71912d43' },
  'orders.v3.yml': { source: 'reference/orders.v3.yml', sha256: '991d40dc25ed4be57b1e3128a2dc6f3d92371f82aaa2f1e9dd65947051f1e383' },
  'customers.v2.yml': { source: 'reference/customers.v2.yml', sha256: '5b3acbda9e327c91af632cac67547151cba129d7f4b85e564d3e865eb2134a22' },
  'customers.v3.yml': { source: 'reference/customers.v3.yml', sha256: 'd30de02ecc6c2ae0136c698e29d60e5e8351441a66b5422651befa6005fed481' },
  'products_catalog.v3.yml': { source: 'reference/catalog/products_catalog.v3.yml', sha256: '84a65bc4cde6cefca43ae84cc27db70b2c286d652d320d0d2ebf162d0be79e8b' },
  'product-variants_catalog.v3.yml': {
    source: 'reference/catalog/product-variants_catalog.v3.yml',
    sha256: 'd34c917bce030ceb5f6fc84b27faa46ce992bc11c1e1a90c9ff5b75caa1131cc',
  },
  'inventory.v3.yml': { source: 'reference/inventory.v3.yml', sha256: 'eaab692c3649924cbca3d994641db2478ddbbe8840b9860c401ca96d18196cfa' },
  'locations.v3.yml': { source: 'reference/locations.v3.yml', sha256: 'd4d8bfaf86381f8d44224dff7a8f1a7755bc933c2087f8015eb3de03bd511eff' },
  'price_lists.v3.yml': { source: 'reference/price_lists.v3.yml', sha256: '693094623646545791469e18e59a53f7ecea016df2275fdcf3fa25c613b7a13f' },
  'webhooks.v3.yml': { source: 'reference/webhooks.v3.yml', sha256: '6aaed2e7a56f852de782222a7edd24a21d73401826e4d41c08bbb7f4b14d3831' },
};

const REPO_ROOT = resolve(__dirname, '..', '..');
const DOWNLOAD_TIMEOUT_MS = 5000;

export interface SpecsPlaces {
  /** The team's copy beside the repository. */
  shared: string;
  /** The ignored folder downloads go to. */
  cache: string;
  /** Where the pinned files are downloaded from: `${base}/${source}`. */
  downloadBase: string;
}

export const DEFAULT_PLACES: SpecsPlaces = {
  shared: resolve(REPO_ROOT, '..', 'shared', 'specs', 'bigcommerce'),
  cache: join(REPO_ROOT, '.cache', 'bigcommerce-specs', SPECS_COMMIT),
  downloadBase: `https://raw.githubusercontent.com/bigcommerce/docs/${SPECS_COMMIT}`,
};

export type SpecsFound = { directory: string; from: 'shared' | 'cache' | 'download' } | { directory?: undefined; skipped: string };

const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');

function hasAll(directory: string, names: string[]): boolean {
  return names.every((name) => existsSync(join(directory, name)));
}

type Pins = Record<string, { source: string; sha256: string }>;

function verified(directory: string, names: string[], pins: Pins): boolean {
  return names.every((name) => {
    const file = join(directory, name);
    return existsSync(file) && sha256(readFileSync(file)) === pins[name]?.sha256;
  });
}

async function download(places: SpecsPlaces, names: string[], pins: Pins): Promise<void> {
  mkdirSync(places.cache, { recursive: true });
  for (const name of names) {
    const pinned = pins[name];
    if (!pinned) throw new Error(`${name} is not pinned in test/support/specs.ts`);
    const response = await fetch(`${places.downloadBase}/${pinned.source}`, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`${pinned.source}: HTTP ${response.status}`);
    const content = Buffer.from(await response.arrayBuffer());
    if (sha256(content) !== pinned.sha256) throw new Error(`${pinned.source} is not the pinned file (SHA-256 differs)`);
    const partial = join(places.cache, `${name}.${process.pid}.part`);
    writeFileSync(partial, content);
    renameSync(partial, join(places.cache, name));
  }
}

/** Finds (or downloads) the named files; never throws: a failure is the reason the contract checks are skipped. */
export async function findSpecs(places: SpecsPlaces = DEFAULT_PLACES, pins: Pins = PINNED_SPECS): Promise<SpecsFound> {
  const names = Object.keys(pins);
  if (hasAll(places.shared, names)) return { directory: places.shared, from: 'shared' };
  if (verified(places.cache, names, pins)) return { directory: places.cache, from: 'cache' };
  try {
    await download(places, names, pins);
    return { directory: places.cache, from: 'download' };
  } catch (err) {
    const cause = (err as Error).cause as { code?: string; message?: string } | undefined;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    return {
      skipped:
        `BigCommerce contract checks skipped: the official OpenAPI files are neither in ${places.shared} nor in ` +
        `${places.cache.startsWith(REPO_ROOT) ? relative(REPO_ROOT, places.cache) : places.cache}, and downloading them from ${new URL(places.downloadBase).host} failed (${why})`,
    };
  }
}

let found: Promise<SpecsFound> | undefined;

/** One search per test process; the reason for skipping is printed once. */
export function bigCommerceSpecs(): Promise<SpecsFound> {
  found ??= findSpecs().then((result) => {
    if (result.directory === undefined) console.log(result.skipped);
    return result;
  });
  return found;
}
