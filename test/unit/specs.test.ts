import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PLACES, PINNED_SPECS, SPECS_COMMIT, findSpecs, type SpecsPlaces } from '../support/specs';

const CONTENT = 'openapi: 3.0.3\ninfo: { title: pinned, version: "1" }\npaths: {}\n';
const pins = { 'orders.v2.oas2.yml': { source: 'reference/orders.v2.oas2.yml', sha256: createHash('sha256').update(CONTENT).digest('hex') } };

describe('finding the official BigCommerce files for the contract checks', () => {
  let folder: string;
  let server: Server | undefined;
  let served: string | undefined;
  const requested: string[] = [];

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'specs-'));
    requested.length = 0;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    rmSync(folder, { recursive: true, force: true });
  });

  async function origin(): Promise<string> {
    server = createServer((req, res) => {
      requested.push(req.url ?? '');
      if (served === undefined) res.writeHead(404).end();
      else res.end(served);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/bigcommerce/docs/${SPECS_COMMIT}`;
  }

  const places = (downloadBase: string): SpecsPlaces => ({ shared: join(folder, 'shared'), cache: join(folder, 'cache'), downloadBase });

  it('pins every file at the commit the team copy names, by its path in bigcommerce/docs', () => {
    assert.match(DEFAULT_PLACES.downloadBase, new RegExp(`^https://raw\\.githubusercontent\\.com/bigcommerce/docs/${SPECS_COMMIT}$`));
    assert.match(DEFAULT_PLACES.shared, /\/shared\/specs\/bigcommerce$/);
    for (const [name, pin] of Object.entries(PINNED_SPECS)) {
      assert.match(pin.source, /^reference\//, name);
      assert.match(pin.sha256, /^[0-9a-f]{64}$/, name);
    }
  });

  it('takes the team copy beside the repository first', async () => {
    mkdirSync(join(folder, 'shared'));
    writeFileSync(join(folder, 'shared', 'orders.v2.oas2.yml'), CONTENT);
    assert.deepEqual(await findSpecs(places('http://127.0.0.1:1'), pins), { directory: join(folder, 'shared'), from: 'shared' });
  });

  it('downloads the pinned file once, checks its SHA-256 and keeps it in the cache', async () => {
    served = CONTENT;
    const base = await origin();
    assert.deepEqual(await findSpecs(places(base), pins), { directory: join(folder, 'cache'), from: 'download' });
    assert.deepEqual(requested, [`/bigcommerce/docs/${SPECS_COMMIT}/reference/orders.v2.oas2.yml`]);
    assert.equal(readFileSync(join(folder, 'cache', 'orders.v2.oas2.yml'), 'utf8'), CONTENT);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    assert.deepEqual(await findSpecs(places(base), pins), { directory: join(folder, 'cache'), from: 'cache' }, 'no second download');
  });

  it('refuses a download that is not the pinned file, and a cached file that was changed', async () => {
    served = `${CONTENT}# changed\n`;
    const refused = await findSpecs(places(await origin()), pins);
    assert.equal(refused.directory, undefined);
    assert.match((refused as { skipped: string }).skipped, /SHA-256 differs/);
    mkdirSync(join(folder, 'cache'), { recursive: true });
    writeFileSync(join(folder, 'cache', 'orders.v2.oas2.yml'), `${CONTENT}# changed\n`);
    assert.equal((await findSpecs(places('http://127.0.0.1:9/none'), pins)).directory, undefined);
  });

  it('offline, says in one line why the contract checks are skipped', async () => {
    const closed = await origin();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const offline = await findSpecs(places(closed), pins);
    assert.equal(offline.directory, undefined);
    const reason = (offline as { skipped: string }).skipped;
    assert.match(reason, /^BigCommerce contract checks skipped: .*neither in .*shared.* nor in .*cache.*failed \(ECONNREFUSED\)$/);
    assert.ok(!reason.includes('\n'));
  });
});
