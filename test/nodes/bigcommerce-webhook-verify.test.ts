import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import bigcommerceConfig from '../../nodes/bigcommerce/bigcommerce-config';
import bigcommerceOrder from '../../nodes/bigcommerce/bigcommerce-order';
import webhookVerify, { type WebhookVerifyNode } from '../../nodes/bigcommerce/bigcommerce-webhook-verify';
import type { NodeAPI } from '../../lib/node-red/types';
import { startTestStore, type TestStore } from '../support/bigcommerce';
import { coreNode, helper, nextMessage } from '../support/node-red';

const CLIENT_SECRET = 'client-secret-7ad2';
const at = { x: 100, y: 100 };
const body = readFileSync(join(__dirname, '..', '..', '..', 'shared', 'specs', 'bigcommerce', 'webhook-callbacks', 'store_order_statusUpdated.json'), 'utf8');

function signed(payload: string, options: { id?: string; secret?: string; at?: number } = {}): Record<string, string> {
  const id = options.id ?? 'msg_1';
  const when = options.at ?? Date.now();
  const signature = new Webhook(Buffer.from(options.secret ?? CLIENT_SECRET).toString('base64')).sign(id, new Date(when), payload);
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(when / 1000)), 'webhook-signature': signature, 'content-type': 'application/json' };
}

interface Outputs {
  verified: Array<Record<string, unknown>>;
  rejected: Array<Record<string, unknown>>;
  repeated: Array<Record<string, unknown>>;
}

describe('bigcommerce-webhook-verify node', () => {
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  describe('on msgs from an http in node', () => {
    beforeEach(() => helper.startServer());

    async function load(settings: Record<string, unknown> = {}, credentials: Record<string, string> = { accessToken: 'tok-1', clientSecret: CLIENT_SECRET }): Promise<Outputs> {
      await helper.load(
        [bigcommerceConfig, webhookVerify],
        [
          { id: 'tab', type: 'tab' },
          { id: 'bc', type: 'bigcommerce-config', storeHash: 'abc123', apiUrl: 'http://127.0.0.1:1', timeout: 5, webhookHeaderName: settings.headerName ?? '' },
          { id: 'verify', z: 'tab', ...at, type: 'bigcommerce-webhook-verify', bigcommerce: 'bc', signature: 'required', tolerance: 300, dedupeWindow: 3600, dedupeByHash: true, wires: [['ok'], ['no'], ['dup']], ...settings },
          { id: 'ok', z: 'tab', ...at, type: 'helper' },
          { id: 'no', z: 'tab', ...at, type: 'helper' },
          { id: 'dup', z: 'tab', ...at, type: 'helper' },
        ],
        { bc: credentials },
      );
      const outputs: Outputs = { verified: [], rejected: [], repeated: [] };
      helper.getNode('ok').on('input', ((msg: Record<string, unknown>) => outputs.verified.push(msg)) as never);
      helper.getNode('no').on('input', ((msg: Record<string, unknown>) => outputs.rejected.push(msg)) as never);
      helper.getNode('dup').on('input', ((msg: Record<string, unknown>) => outputs.repeated.push(msg)) as never);
      return outputs;
    }

    /** Sends one request into the verify node and waits until one of its three outputs got it. */
    async function deliver(outputs: Outputs, payload: unknown, headers: Record<string, string>): Promise<void> {
      const total = () => outputs.verified.length + outputs.rejected.length + outputs.repeated.length;
      const before = total();
      helper.getNode('verify').receive({ payload, req: { headers } });
      for (let i = 0; i < 200 && total() === before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(total(), before + 1, 'the verify node sent nothing');
    }

    it('passes a signed delivery on with the event, ready for an http response node', async () => {
      const outputs = await load();
      await deliver(outputs, Buffer.from(body), signed(body));
      const [msg] = outputs.verified;
      assert.ok(msg);
      assert.equal(msg.topic, 'store/order/statusUpdated');
      assert.equal(msg.resourceId, 250);
      assert.equal(msg.statusCode, 200);
      assert.equal((msg.payload as { data: { status: { new_status_id: number } } }).data.status.new_status_id, 11);
      assert.deepEqual(Object.keys(msg.webhook as object).sort(), ['hash', 'id', 'timestamp']);
      assert.equal((msg.webhook as { id: string }).id, 'msg_1');
    });

    it('rejects bad deliveries on output 2 with 401 and a distinct reason', async () => {
      const outputs = await load();
      await deliver(outputs, Buffer.from(body.replace('250', '251')), signed(body));
      await deliver(outputs, Buffer.from(body), signed(body, { secret: 'another-secret' }));
      await deliver(outputs, Buffer.from(body), signed(body, { at: Date.now() - 10 * 60_000 }));
      await deliver(outputs, Buffer.from(body), signed(body, { at: Date.now() + 10 * 60_000 }));
      await deliver(outputs, Buffer.from(body), { 'content-type': 'application/json' });
      await deliver(outputs, JSON.parse(body), signed(body));
      assert.equal(outputs.verified.length, 0);
      assert.deepEqual(
        outputs.rejected.map((msg) => [msg.statusCode, msg.reason]),
        [
          [401, 'bad-signature'],
          [401, 'bad-signature'],
          [401, 'stale-timestamp'],
          [401, 'future-timestamp'],
          [401, 'missing-headers'],
          [401, 'body-parsed'],
        ],
      );
      assert.match(String(outputs.rejected[5]?.reasonText), /Do not parse request body/);
    });

    it('drops repeated deliveries (same webhook-id, or same payload hash) to output 3 and counts them', async () => {
      const outputs = await load();
      await deliver(outputs, Buffer.from(body), signed(body, { id: 'msg_a' }));
      await deliver(outputs, Buffer.from(body), signed(body, { id: 'msg_a' }));
      await deliver(outputs, Buffer.from(body), signed(body, { id: 'msg_b' }));
      const other = body.replace(/"hash":\s*"\w+"/, '"hash": "0000000000000000000000000000000000000001"');
      assert.notEqual(other, body);
      await deliver(outputs, Buffer.from(other), signed(other, { id: 'msg_c' }));
      assert.equal(outputs.verified.length, 2);
      assert.equal(outputs.repeated.length, 2);
      assert.ok(outputs.repeated.every((msg) => msg.statusCode === 200 && msg.duplicate === true));
      assert.deepEqual((helper.getNode('verify') as unknown as WebhookVerifyNode).counts, { verified: 2, rejected: 0, duplicates: 2 });
    });

    it('checks the shared-secret header when signatures are not required', async () => {
      const outputs = await load({ signature: 'if-present', headerName: 'X-Bridge-Token' }, { accessToken: 'tok-1', clientSecret: CLIENT_SECRET, webhookSecret: 'shared-4f1e-secret' });
      await deliver(outputs, Buffer.from(body), { 'x-bridge-token': 'shared-4f1e-secret' });
      await deliver(outputs, Buffer.from(body.replace('msg', 'x')), { 'x-bridge-token': 'guess' });
      assert.equal(outputs.verified.length, 1);
      assert.equal(outputs.rejected[0]?.reason, 'bad-shared-secret');
    });
  });

  describe('end to end', () => {
    let sim: TestStore;
    let server: Server | undefined;
    afterEach(async () => {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
      await sim.close();
    });

    it('receives a signed BigCommerce delivery through http in, answers 200 and fetches the order', async () => {
      sim = await startTestStore({ clientSecret: CLIENT_SECRET });
      let httpNode: RequestListener | undefined;
      const captureHttpNode = (RED: NodeAPI & { httpNode: RequestListener }) => {
        httpNode = RED.httpNode;
      };
      await helper.startServer();
      await helper.load(
        [captureHttpNode, coreNode('network/21-httpin.js'), bigcommerceConfig, webhookVerify, bigcommerceOrder],
        [
          { id: 'tab', type: 'tab' },
          { id: 'bc', type: 'bigcommerce-config', storeHash: sim.storeHash, apiUrl: sim.apiUrl, timeout: 10 },
          { id: 'in', z: 'tab', ...at, type: 'http in', url: '/bigcommerce/webhook', method: 'post', upload: false, skipBodyParsing: true, wires: [['verify']] },
          { id: 'verify', z: 'tab', ...at, type: 'bigcommerce-webhook-verify', bigcommerce: 'bc', signature: 'required', tolerance: 300, dedupeWindow: 3600, dedupeByHash: true, wires: [['response', 'order'], ['response'], ['response']] },
          { id: 'response', z: 'tab', ...at, type: 'http response', statusCode: '', headers: {} },
          { id: 'order', z: 'tab', ...at, type: 'bigcommerce-order', bigcommerce: 'bc', mode: 'get', wires: [['out']] },
          { id: 'out', z: 'tab', ...at, type: 'helper' },
        ],
        { bc: { accessToken: sim.accessToken, clientSecret: CLIENT_SECRET } },
      );
      server = createServer(httpNode);
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      sim.store.addHook({ scope: 'store/order/created', destination: `http://127.0.0.1:${(server.address() as AddressInfo).port}/bigcommerce/webhook`, client_id: sim.clientId });

      const fetched = nextMessage<{ orderId: number; payload: { id: number } }>(helper.getNode('out'), 10_000);
      const placed = sim.store.placeOrder({ billing_address: { first_name: 'Ann', zip: '78751', email: 'ann@example.com', country_iso2: 'US' }, products: [{ name: 'Widget', quantity: 1, price_ex_tax: 9, price_inc_tax: 9 }] } as never);
      const msg = await fetched;
      assert.equal(msg.orderId, placed.id);
      assert.equal(msg.payload.id, placed.id);
      await sim.webhooks.idle(5000);
      const deliveries = sim.webhooks.log();
      assert.equal(deliveries.length, 1);
      assert.equal(deliveries[0]?.status, 200);
    });
  });
});
