import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { demoBilling, DEMO_ADDRESSES, placeDemoOrder } from '../../sandbox/demo';
import { findNode, loadExampleFlow } from '../../sandbox/flows';
import { startSandbox, type Sandbox } from '../../sandbox/start';
import { neededScopesText } from '../../lib/bigcommerce/scopes';

/**
 * The editor in a real browser (Debian's Chromium driven by playwright-core) against a running sandbox: the
 * palette, both configuration dialogs with Test connection, Import › Examples, and a demo order moving a node's
 * status. Saves its screenshots to test-results/screenshots/, or with SCREENSHOTS=docs to docs/screenshots/ (the ones
 * the README shows: `npm run screenshots`). Runs once, not per Node-RED line.
 */

// Page functions run in the browser; this project compiles without the DOM library.
declare const document: { querySelector(selector: string): { textContent: string | null } | null; querySelectorAll(selector: string): { length: number } };

const CHROMIUM = '/usr/bin/chromium';
const repoRoot = resolve(__dirname, '..', '..');
const screenshots = process.env.SCREENSHOTS === 'docs' ? join(repoRoot, 'docs', 'screenshots') : join(repoRoot, 'test-results', 'screenshots');
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; 'node-red': { nodes: Record<string, string> } };

/** Each node type's palette category, read from the literal registerType in its editor file. */
function categoryOf(type: string): string {
  const runtime = packageJson['node-red'].nodes[type]!;
  const editorFile = join(repoRoot, runtime.replace(/^dist\//, '').replace(/\.js$/, '.html'));
  const category = /registerType\(\s*'[^']+',\s*\{[\s\S]*?category:\s*'([^']+)'/.exec(readFileSync(editorFile, 'utf8'))?.[1];
  assert.ok(category, `${editorFile} has no literal category`);
  return category;
}

const PALETTE_CATEGORY = 'Sage 100 + BigCommerce';
const nodeTypes = Object.keys(packageJson['node-red'].nodes);
const paletteTypes = nodeTypes.filter((type) => categoryOf(type) !== 'config');

const example = loadExampleFlow();
const getOrderNode = findNode(example, 'bigcommerce-order', 'get order');
const salesOrderNode = findNode(example, 'sage100-sales-order');
const queueNode = findNode(example, 'sync-queue');
const ordersTab = example.find((node) => node.type === 'tab' && node.id === queueNode.z)!;
const verifyNode = findNode(example, 'bigcommerce-webhook-verify');
const mapperNode = findNode(example, 'sync-order-mapper');
const numberingNode = findNode(example, 'sync-order-numbering');
const shipmentNode = findNode(example, 'bigcommerce-shipment', 'shipments to store');

describe('the editor in Chromium, against the sandbox', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let userDir: string;
  let browserDir: string;
  let context: BrowserContext;
  let page: Page;
  const scriptErrors: string[] = [];

  const onCanvas = (nodeId: string) => page.locator(`#red-ui-workspace-chart [id="${nodeId}"]`);
  const statusOf = (nodeId: string) => onCanvas(nodeId).locator('.red-ui-flow-node-status-label');
  const shoot = (name: string, target: Page | Locator = page) => target.screenshot({ path: join(screenshots, `${name}.png`) });

  // The editor takes two clicks on tabs within 400 ms for a double click, which opens the flow's properties.
  let lastTabClick = 0;
  async function showTab(tabId: string): Promise<void> {
    if ((await page.locator(`#red-ui-tab-${tabId}.active`).count()) > 0) return;
    const quiet = lastTabClick + 500 - Date.now();
    if (quiet > 0) await page.waitForTimeout(quiet);
    await page.locator(`#red-ui-tab-${tabId} a.red-ui-tab-label`).click();
    lastTabClick = Date.now();
    await page.locator(`#red-ui-tab-${tabId}.active`).waitFor();
  }

  /** Closes the editor's notifications (a click closes one), so they cover nothing in a screenshot. */
  async function dismissNotifications(): Promise<void> {
    const notifications = page.locator('#red-ui-notifications .red-ui-notification');
    for (let left = await notifications.count(); left > 0; left = await notifications.count()) {
      await notifications.first().click({ timeout: 2_000 }).catch(() => undefined); // it may have closed itself meanwhile
      await page.waitForFunction((before) => document.querySelectorAll('#red-ui-notifications .red-ui-notification').length < before, left);
    }
  }

  /** Moves the pointer onto empty canvas (clicking there clears the selection) and waits for any tooltip to go. */
  async function pointerAway(options: { click?: boolean } = {}): Promise<void> {
    const chart = (await page.locator('#red-ui-workspace-chart').boundingBox())!;
    const [x, y] = [chart.x + chart.width - 40, chart.y + chart.height - 40];
    if (options.click) await page.mouse.click(x, y);
    else await page.mouse.move(x, y);
    await page.locator('.red-ui-popover').first().waitFor({ state: 'hidden' });
  }

  /** Double-clicks a node on the canvas, then the pencil beside its configuration select. */
  async function openConfigDialog(nodeId: string, property: string): Promise<void> {
    await onCanvas(nodeId).locator('rect.red-ui-flow-node').dblclick();
    await page.locator(`#node-input-${property}`).waitFor();
    await page.locator(`#node-input-btn-${property}-edit`).click();
    await page.locator('#node-config-dialog-ok').waitFor();
  }

  /** What both connection dialogs share: a title in words, the timeout in seconds, the one Test connection result box. */
  async function assertConnectionDialog(title: string): Promise<void> {
    const titles = await page.locator('.red-ui-tray-titlebar').allInnerTexts();
    assert.match(titles.at(-1) ?? '', new RegExp(`\\b${title}\\b`), `the dialog's title: ${titles.join(' | ')}`);
    assert.doesNotMatch(titles.at(-1) ?? '', /-config\b/, 'the title names the thing, not the node type');
    assert.equal((await page.locator('label[for="node-config-input-timeout"]').innerText()).trim(), 'Timeout (s)');
    assert.equal(await page.locator('#node-config-input-timeout').getAttribute('type'), 'number');
    assert.equal(await page.locator('#node-config-input-timeout').inputValue(), '30', 'the example saves 30 s (Sage: 30000 ms before, converted)');
  }

  /** The result box's classes: the same in both dialogs. */
  const resultClasses = async (result: Locator) => ((await result.getAttribute('class')) ?? '').split(/\s+/).filter((name) => name.startsWith('ml-connector-check')).sort();

  /** Zooms out until the Orders tab's right-most and lowest nodes are both inside the visible canvas. */
  async function zoomOutUntilTabFits(): Promise<void> {
    const ordersNodes = example.filter((node) => node.z === ordersTab.id && node.type !== 'comment');
    const [rightMost] = [...ordersNodes].sort((a, b) => Number(b.x) - Number(a.x));
    const [lowest] = [...ordersNodes].sort((a, b) => Number(b.y) - Number(a.y));
    const canvas = page.locator('#red-ui-workspace-chart');
    const chart = (await canvas.boundingBox())!;
    for (let step = 0; step < 8; step++) {
      // From the top left corner, where the flow starts (an earlier step may have scrolled to a node).
      await canvas.evaluate((element) => {
        const scrolled = element as unknown as { scrollLeft: number; scrollTop: number };
        scrolled.scrollLeft = 0;
        scrolled.scrollTop = 0;
      });
      const right = (await onCanvas(rightMost!.id).boundingBox())!;
      const low = (await onCanvas(lowest!.id).boundingBox())!;
      if (right.x + right.width + 30 <= chart.x + chart.width && low.y + low.height + 20 <= chart.y + chart.height) return;
      await page.locator('#red-ui-view-zoom-out').click();
    }
    assert.fail('the Orders tab does not fit the canvas even zoomed out');
  }

  /** Cancels the configuration dialog and the node's own, keeping nothing typed into them. */
  async function cancelDialogs(): Promise<void> {
    await page.locator('#node-config-dialog-cancel').click();
    await page.locator('#node-config-dialog-cancel').waitFor({ state: 'detached' });
    await page.locator('#node-dialog-cancel').click();
    await page.locator('.red-ui-tray').first().waitFor({ state: 'detached' });
  }

  before(async function () {
    this.timeout(180_000);
    if (!existsSync(CHROMIUM)) throw new Error('Chromium is not installed: apt-get install chromium');
    assert.ok(
      existsSync(join(repoRoot, 'dist', 'nodes', 'sage100', 'sage100-sales-order.js')),
      'dist/ is not built: run `npx tsup --silent` first (npm start and npm test build it)',
    );
    mkdirSync(screenshots, { recursive: true });
    userDir = mkdtempSync(join(tmpdir(), 'ml-sandbox-browser-'));
    browserDir = mkdtempSync(join(tmpdir(), 'ml-chromium-'));
    // One attempt for failures retrying cannot cure, so the dead-letter test sees its dead letter at once.
    sandbox = await startSandbox({ nodeRedPort: 0, bcPort: 0, sageAgentPort: 0, sageSoapPort: 0, userDir, log: () => undefined, flowOverrides: { [queueNode.id]: { attempts: 1 } } });
    context = await chromium.launchPersistentContext(browserDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1600, height: 960 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    context.setDefaultTimeout(30_000);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => scriptErrors.push(err.message));
    await page.goto(`${sandbox.nodeRed.url}/`);
    // The editor is ready when the palette holds the package's nodes and the deployed flow is drawn.
    await page.locator(`.red-ui-palette-node[data-palette-type="${salesOrderNode.type}"]`).waitFor({ state: 'attached', timeout: 120_000 });
    await onCanvas(getOrderNode.id).waitFor({ timeout: 60_000 });
    // The sidebar's tip of the day changes every load; screenshots stay comparable without it.
    await page.locator('.red-ui-help-tips-buttons a:has(i.fa-times)').click();
    await dismissNotifications();
  });

  after(async function () {
    this.timeout(60_000);
    await context?.close();
    await sandbox?.stop();
    for (const dir of [userDir, browserDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`shows the palette category '${PALETTE_CATEGORY}' with every node of the package that is not a configuration`, async function () {
    assert.ok(paletteTypes.length >= 10, `package.json lists ${paletteTypes.length} palette nodes`);
    for (const type of paletteTypes) assert.equal(categoryOf(type), PALETTE_CATEGORY, `${type}'s category`);
    const category = page.locator('#red-ui-palette .red-ui-palette-category', {
      has: page.locator('.red-ui-palette-header', { hasText: new RegExp(`^${PALETTE_CATEGORY.replace(/[+]/g, '\\+')}$`) }),
    });
    await category.waitFor();
    const shown = await category.locator('.red-ui-palette-node').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-palette-type')));
    assert.deepEqual([...shown].sort(), [...paletteTypes].sort());
    for (const type of nodeTypes.filter((t) => !paletteTypes.includes(t))) {
      assert.equal(await page.locator(`#red-ui-palette .red-ui-palette-node[data-palette-type="${type}"]`).count(), 0, `${type} is a configuration node`);
    }
    await category.scrollIntoViewIfNeeded();
    await shoot('palette', category);
  });

  it('draws the deployed example flow with no node marked invalid', async function () {
    const flagged = page.locator('#red-ui-workspace-chart .red-ui-flow-node-error:not(.hide)');
    for (const tab of example.filter((node) => node.type === 'tab')) {
      await showTab(tab.id);
      await page.locator('#red-ui-workspace-chart .red-ui-flow-node').first().waitFor();
      const invalid = await page.evaluate(() => {
        const RED = (globalThis as unknown as { RED: { nodes: { eachNode(f: (n: { id: string; type: string; valid: boolean; validationErrors?: string[] }) => void): void; eachConfig(f: (n: { id: string; type: string; valid: boolean; validationErrors?: string[] }) => void): void } } }).RED;
        const out: string[] = [];
        RED.nodes.eachNode((n) => { if (!n.valid) out.push(`${n.type} ${n.id} ${JSON.stringify(n.validationErrors)}`); });
        RED.nodes.eachConfig((n) => { if (!n.valid) out.push(`${n.type} ${n.id} ${JSON.stringify(n.validationErrors)}`); });
        return out;
      });
      assert.equal(await flagged.count(), 0, `nodes of the ${String(tab.label)} flow carry the editor's "invalid" triangle: ${invalid.join('; ')}`);
    }
    await showTab(ordersTab.id);
  });

  it('tests the BigCommerce connection from its configuration dialog: the simulator answers, a wrong token is refused', async function () {
    await showTab(ordersTab.id);
    await openConfigDialog(getOrderNode.id, 'bigcommerce');
    await assertConnectionDialog('BigCommerce store');
    const result = page.locator('#node-config-bigcommerce-test-result');
    await page.locator('#node-config-bigcommerce-test').click();
    await result.filter({ hasText: 'Connected to' }).waitFor();
    assert.match(await result.innerText(), /Connected to Sandbox Store\.\s+Rate limit: \d+ requests per \d+ s/);
    assert.ok((await result.innerText()).includes(neededScopesText()), 'Test connection gives the one list of scopes');
    assert.deepEqual(await resultClasses(result), ['ml-connector-check', 'ml-connector-check-ok']);
    await shoot('bigcommerce-config-test-connection');

    await page.locator('#node-config-input-accessToken').fill('not-the-access-token');
    await page.locator('#node-config-bigcommerce-test').click();
    await result.filter({ hasText: '401' }).waitFor();
    const refused = await result.innerText();
    assert.match(refused, /BigCommerce refused the access token \(401\)/);
    assert.match(refused, /Check the access token/);
    assert.doesNotMatch(refused, /not-the-access-token/);
    assert.equal(await result.locator('.ml-connector-check-words').innerText(), 'store refused the token');
    assert.deepEqual(await resultClasses(result), ['ml-connector-check', 'ml-connector-check-failed']);
    await cancelDialogs();
  });

  it('tests the Sage 100 connection from its configuration dialog: the agent answers over the pinned certificate, a wrong key is refused', async function () {
    await showTab(ordersTab.id);
    await openConfigDialog(salesOrderNode.id, 'sage100');
    await assertConnectionDialog('Sage 100');
    const result = page.locator('#sage100-config-test-result');
    await page.locator('#sage100-config-test').click();
    await result.filter({ hasText: 'Connected' }).waitFor();
    assert.match(await result.innerText(), new RegExp(`Connected: .*company ${sandbox.sage.companyCode}`));
    assert.deepEqual(await resultClasses(result), ['ml-connector-check', 'ml-connector-check-ok']);
    await shoot('sage100-config-test-connection');

    await page.locator('#node-config-input-apiKey').fill('not-the-api-key');
    await page.locator('#sage100-config-test').click();
    await result.filter({ hasText: 'missing or wrong' }).waitFor();
    const refused = await result.innerText();
    assert.match(refused, /The API key is missing or wrong/);
    assert.match(refused, /refused the API key/);
    assert.doesNotMatch(refused, /not-the-api-key/);
    assert.equal(await result.locator('.ml-connector-check-words').innerText(), 'Sage agent refused the key');
    assert.deepEqual(await resultClasses(result), ['ml-connector-check', 'ml-connector-check-failed']);

    // Every missing setting is named by its label in the dialog.
    await page.locator('#node-config-input-agentUrl').fill('');
    await page.locator('#node-config-input-companyCode').fill('');
    await page.locator('#sage100-config-test').click();
    await result.locator('.ml-connector-check-issues').waitFor();
    const issues = await result.locator('.ml-connector-check-issues li').allInnerTexts();
    assert.deepEqual(issues.map((issue) => issue.split(':')[0]).sort(), ['Agent URL', 'Company code']);
    await cancelDialogs();
  });

  it('shows a demo order going through: the sales-order node status changes to the new sales order', async function () {
    this.timeout(150_000);
    await showTab(ordersTab.id);
    // The whole Orders flow and the debug sidebar in one picture.
    await page.locator('#red-ui-sidebar a.red-ui-tab-link-button[href="#debug"]').click();
    await page.locator('#red-ui-tab-debug.active').waitFor({ state: 'attached' });
    await zoomOutUntilTabFits();
    const status = statusOf(salesOrderNode.id);
    const before = (await status.count()) > 0 ? await status.textContent() : '';
    await page.waitForFunction(
      ({ selector, previous }) => {
        const text = document.querySelector(selector)?.textContent ?? '';
        return /^W\d+ (created|already in Sage)$/.test(text) && text !== previous;
      },
      { selector: `#red-ui-workspace-chart [id="${salesOrderNode.id}"] .red-ui-flow-node-status-label`, previous: before },
      { timeout: 120_000, polling: 250 },
    );
    const text = (await status.textContent())!;
    const salesOrderNo = text.split(' ')[0]!;
    assert.ok(sandbox.sage.company.state().salesOrders.some((order) => order.SalesOrderNo === salesOrderNo), `${salesOrderNo} is not in Sage`);
    await page.locator('#red-ui-sidebar .red-ui-debug-msg').first().waitFor();
    await pointerAway({ click: true });
    await dismissNotifications();
    await shoot('orders-flow');
    const box = (await onCanvas(salesOrderNode.id).boundingBox())!;
    await page.screenshot({ path: join(screenshots, 'sales-order-status.png'), clip: { x: box.x - 260, y: box.y - 40, width: box.width + 460, height: box.height + 80 } });
  });

  it('shows statuses in words, not catalog keys or error codes', async function () {
    await showTab(ordersTab.id);
    const queueStatus = statusOf(queueNode.id);
    await queueStatus.waitFor();
    assert.match((await queueStatus.textContent())!, /^(idle|\d+ (dead letters?|running|waiting|duplicates?))\b/);
    assert.match((await statusOf(verifyNode.id).textContent())!, /^\d+ ok, \d+ repeated, \d+ rejected$/);
    const texts = await page.locator('#red-ui-workspace-chart .red-ui-flow-node-status-label').allTextContents();
    assert.ok(texts.length >= 3, `statuses shown: ${texts.join(' | ')}`);
    for (const text of texts) {
      assert.doesNotMatch(text, /^[\w-]+\.[\w.-]+$|\.status\.|^(sage100|bigcommerce|http|queue)\./, `"${text}" reads as a code`);
    }
  });

  it('lists a dead letter in the operator sidebar; after the cause is fixed, Retry makes it a sales order', async function () {
    this.timeout(150_000);
    // A product the store sells but Sage has no item for: the sales order is refused (not on file) and, as
    // retrying cannot cure that, the job becomes a dead letter at once.
    const sku = 'KIOSK-NEW-1';
    sandbox.bc.store.addProduct({ sku, name: 'Kiosk stand (new)', price: 120, inventory_level: 5 });
    const address = DEMO_ADDRESSES[0]!;
    const orderId = placeDemoOrder(sandbox.bc, {
      customerId: 0,
      billing: demoBilling('Ada', 'Lovelace', address, { guest: true, phone: '555-0100', email: 'ada.lovelace+kiosk@example.com' }),
      lines: [{ sku, quantity: 1 }],
      shippingMethod: 'Flat Rate',
      shippingCost: 0,
    });
    await page.evaluate(() => (globalThis as unknown as { RED: { sidebar: { show(id: string): void } } }).RED.sidebar.show('ml-connector-operator'));
    const letter = page.locator(`.ml-operator-dead-letter[data-job="order:${orderId}"]`);
    await letter.waitFor({ timeout: 120_000 });
    const shown = await letter.innerText();
    assert.match(shown, new RegExp(`Web order ${orderId}`));
    assert.match(shown, new RegExp(`${sku}.*not on file|not on file.*${sku}`, 'i'));
    await pointerAway();
    await dismissNotifications();
    await shoot('operator-dead-letter');
    // The example's debug line for the failure: the web order, no class name in front, and what to do.
    await page.evaluate(() => (globalThis as unknown as { RED: { sidebar: { show(id: string): void } } }).RED.sidebar.show('debug'));
    const debugLine = page.locator('#red-ui-sidebar .red-ui-debug-msg', { hasText: 'order errors' }).filter({ hasText: `web order ${orderId}:` }).first();
    await debugLine.waitFor();
    // A long string shows shortened until clicked.
    await debugLine.locator('.red-ui-debug-msg-payload .red-ui-debug-msg-type-string').first().click();
    await debugLine.locator('.red-ui-debug-msg-payload', { hasText: 'What to do' }).waitFor({ timeout: 5_000 });
    const debugText = await debugLine.locator('.red-ui-debug-msg-payload').innerText();
    assert.match(debugText, /What to do: /);
    assert.doesNotMatch(debugText, /\b\w*Error: /);
    await page.evaluate(() => (globalThis as unknown as { RED: { sidebar: { show(id: string): void } } }).RED.sidebar.show('ml-connector-operator'));

    sandbox.sage.company.addItem({ ItemCode: sku, ItemCodeDesc: 'Kiosk stand', StandardUnitPrice: 120, warehouses: [{ WarehouseCode: '000', QuantityOnHand: 5 }] });
    await letter.locator('button.ml-operator-retry').click();
    await letter.waitFor({ state: 'detached', timeout: 60_000 });
    const salesOrders = () => sandbox.sage.company.state().salesOrders.filter((order) => order.SalesOrderNo.endsWith(String(orderId)));
    const deadline = Date.now() + 60_000;
    while (salesOrders().length === 0 && Date.now() < deadline) await page.waitForTimeout(250);
    assert.equal(salesOrders().length, 1, `web order ${orderId} became one sales order`);
    // The sidebar's last-order line follows over comms, without a reload.
    await page.locator('.ml-operator-line', { hasText: `web order ${orderId} became sales order` }).waitFor({ timeout: 30_000 });
  });

  it('discards a dead letter from the sidebar only with a note', async function () {
    this.timeout(150_000);
    const sku = 'KIOSK-NEW-2';
    sandbox.bc.store.addProduct({ sku, name: 'Kiosk stand (other)', price: 99, inventory_level: 5 });
    const orderId = placeDemoOrder(sandbox.bc, {
      customerId: 0,
      billing: demoBilling('Grace', 'Hopper', DEMO_ADDRESSES[1]!, { guest: true, phone: '555-0101', email: 'grace.hopper+kiosk@example.com' }),
      lines: [{ sku, quantity: 1 }],
      shippingMethod: 'Flat Rate',
      shippingCost: 0,
    });
    await page.evaluate(() => (globalThis as unknown as { RED: { sidebar: { show(id: string): void } } }).RED.sidebar.show('ml-connector-operator'));
    const letter = page.locator(`.ml-operator-dead-letter[data-job="order:${orderId}"]`);
    await letter.waitFor({ timeout: 120_000 });
    await letter.locator('button.ml-operator-discard').click();
    await letter.locator('button.ml-operator-discard-confirm').click();
    assert.equal(await letter.locator('.ml-operator-note.input-error').count(), 1, 'an empty note is refused');
    await letter.locator('.ml-operator-note').fill('customer cancelled by phone');
    await letter.locator('button.ml-operator-discard-confirm').click();
    await letter.waitFor({ state: 'detached', timeout: 30_000 });
    assert.match(sandbox.nodeRed.log(), new RegExp(`dead letter order:${orderId} discarded: customer cancelled by phone`));
  });

  it('imports the example flow through Import › Examples into new tabs', async function () {
    const tabs = page.locator('#red-ui-workspace-tabs li.red-ui-tab');
    const before = await tabs.count();
    await page.locator('#red-ui-header-button-sidemenu').click();
    await page.locator('#menu-item-import').click();
    await page.locator('#red-ui-tab-red-ui-clipboard-dialog-import-tab-examples').click();
    const examples = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
    await examples.locator('.red-ui-treeList-label', { hasText: packageJson.name }).click();
    // The package's folder loads its list when opened: examples/flows.json shows as a second "flows", below it.
    await examples.locator('.red-ui-treeList-label', { hasText: /^flows$/ }).nth(1).click();
    await page.locator('#red-ui-clipboard-dialog-ok:not(.disabled):not([disabled])').waitFor();
    await page.locator('#red-ui-clipboard-dialog-import-opt-new').click();
    await pointerAway();
    await dismissNotifications();
    await shoot('import-example');
    await page.locator('#red-ui-clipboard-dialog-ok').click();
    // The same flow is deployed already, so the editor asks; a copy gets new ids.
    await page.locator('.red-ui-notification button', { hasText: 'Import copy' }).click();
    await page.waitForFunction((count) => document.querySelectorAll('#red-ui-workspace-tabs li.red-ui-tab').length > count, before);

    const exampleTabs = example.filter((node) => node.type === 'tab').length;
    assert.equal(await tabs.count(), before + exampleTabs);
    // The imported Orders tab draws the same nodes as the deployed one.
    const ordersTabs = await tabs.filter({ hasText: String(ordersTab.label) }).evaluateAll((items) => items.map((item) => item.id.replace(/^red-ui-tab-/, '')));
    assert.equal(ordersTabs.length, 2, `Orders tabs: ${ordersTabs.join(', ')}`);
    const drawn = page.locator('#red-ui-workspace-chart rect.red-ui-flow-node');
    const counts: number[] = [];
    for (const tabId of ordersTabs) {
      await showTab(tabId);
      await drawn.first().waitFor();
      counts.push(await drawn.count());
    }
    assert.equal(counts[1], counts[0], 'nodes drawn in the imported Orders tab and in the deployed one');
    assert.equal(counts[0], example.filter((node) => node.z === ordersTab.id).length);
  });

  it('shares the example\'s order numbering node in the mapper\'s dialog, and migrates a mapper saved before when its dialog opens', async function () {
    await showTab(ordersTab.id);
    await onCanvas(mapperNode.id).locator('rect.red-ui-flow-node').dblclick();
    await page.locator('#node-input-numbering').waitFor();
    assert.equal(await page.locator('#node-input-numbering').inputValue(), numberingNode.id);
    assert.equal(await page.locator('.ml-inline-numbering').first().isVisible(), false, 'the numbering comes from the shared node');
    assert.equal(await page.locator('#node-input-version').inputValue(), '3', 'version 2 as saved, migrated to 3 (the shared location table)');
    await page.locator('#node-dialog-cancel').click();
    await page.locator('.red-ui-tray').first().waitFor({ state: 'detached' });

    // A mapper as a flow saved before settings versions has it: no version, its numbering and location table inline.
    const old = { id: 'f0f00000000000f9', type: 'sync-order-mapper', z: ordersTab.id, x: 900, y: 900, name: 'saved before', salesOrderPrefix: 'X', salesOrderOverflow: 'error', customerPoPrefix: 'WEB', locationTable: '000 = 1', wires: [[], []] };
    await page.evaluate((node) => {
      const RED = (globalThis as unknown as { RED: { nodes: { import(nodes: unknown[]): void; node(id: string): unknown }; editor: { edit(node: unknown): void } } }).RED;
      RED.nodes.import([node]);
      RED.editor.edit(RED.nodes.node(node.id));
    }, old);
    await page.locator('#node-input-version').waitFor({ state: 'attached' });
    assert.equal(await page.locator('#node-input-version').inputValue(), '3');
    assert.equal(await page.locator('#node-input-salesOrderPrefix').inputValue(), 'X');
    assert.equal(await page.locator('.ml-inline-numbering').first().isVisible(), true, 'its own numbering shows while no numbering node is chosen');
    // A numbering node added from here starts from the mapper's own numbers.
    await page.locator('#node-input-btn-numbering-add').click();
    await page.locator('#node-config-dialog-ok').waitFor();
    assert.deepEqual(
      await Promise.all(['salesOrderPrefix', 'salesOrderOverflow', 'customerPoPrefix'].map((field) => page.locator(`#node-config-input-${field}`).inputValue())),
      ['X', 'error', 'WEB'],
    );
    await page.locator('#node-config-dialog-cancel').click();
    await page.locator('#node-config-dialog-cancel').waitFor({ state: 'detached' });
    // Likewise its own location table, and a warehouses and store locations node added from here.
    assert.equal(await page.locator('.ml-inline-warehouseLocations').first().isVisible(), true, 'its own table shows while no locations node is chosen');
    await page.locator('#node-input-btn-warehouseLocations-add').click();
    await page.locator('#node-config-dialog-ok').waitFor();
    assert.equal(await page.locator('#node-config-input-locationTable').inputValue(), '000 = 1');
    await page.locator('#node-config-dialog-cancel').click();
    await page.locator('#node-config-dialog-cancel').waitFor({ state: 'detached' });
    await page.locator('#node-dialog-ok').click();
    await page.locator('.red-ui-tray').first().waitFor({ state: 'detached' });
    const saved = await page.evaluate((id) => {
      const RED = (globalThis as unknown as { RED: { nodes: { node(id: string): Record<string, unknown>; remove(id: string): void }; view: { redraw(full: boolean): void } } }).RED;
      const { version, numbering, warehouseLocations, salesOrderPrefix, customerPoPrefix, locationTable, valid } = RED.nodes.node(id);
      RED.nodes.remove(id);
      RED.view.redraw(true);
      return { version, numbering: numbering ?? '', warehouseLocations: warehouseLocations ?? '', salesOrderPrefix, customerPoPrefix, locationTable, valid };
    }, old.id);
    assert.deepEqual(saved, { version: '3', numbering: '', warehouseLocations: '', salesOrderPrefix: 'X', customerPoPrefix: 'WEB', locationTable: '000 = 1', valid: true });
  });

  it('shows the shipment node\'s own PO prefix only while it names no numbering node', async function () {
    await showTab(shipmentNode.z as string);
    await onCanvas(shipmentNode.id).locator('rect.red-ui-flow-node').dblclick();
    await page.locator('#node-input-numbering').waitFor();
    assert.equal(await page.locator('#node-input-numbering').inputValue(), numberingNode.id);
    assert.equal(await page.locator('#node-input-customerPoPrefix').isVisible(), false, 'the prefix comes from the shared node');
    assert.equal(await page.locator('.ml-numbering-differs').isVisible(), false, 'the same prefix as its own');
    // No numbering node (the select's "add new" entry, as in a flow saved before): its own prefix again.
    await page.locator('#node-input-numbering').selectOption('_ADD_');
    assert.equal(await page.locator('#node-input-customerPoPrefix').isVisible(), true);
    await page.locator('#node-dialog-cancel').click();
    await page.locator('.red-ui-tray').first().waitFor({ state: 'detached' });
  });

  it('raised no script errors in the editor', function () {
    assert.deepEqual(scriptErrors, []);
  });
});
