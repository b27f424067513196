import { useCatalogs } from '../support/catalog';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { ValidationError } from '../../lib/errors';
import sage100Config, { type Sage100ConfigNode } from '../../nodes/sage100/sage100-config';
import sage100SalesOrder from '../../nodes/sage100/sage100-sales-order';
import { SageCompany, seedDemo } from '../../sandbox/sage100/company';
import { startSage100Simulator, type Sage100Simulator } from '../../sandbox/sage100/index';
import { helper, type TestNode } from '../support/node-red';

const at = { x: 100, y: 100 };

describe('sage100-config node', () => {
  let sim: Sage100Simulator;
  let stateReader: Agent;
  before(async () => {
    sim = await startSage100Simulator({ company: seedDemo(new SageCompany()) });
    stateReader = new Agent({ connect: { ca: sim.certificatePem } });
  });
  after(async () => {
    await sim.close();
    await stateReader.close();
  });
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  const agentConfig = (extra: Record<string, unknown> = {}) => ({
    id: 'sage', type: 'sage100-config', mode: 'agent', agentUrl: sim.agentUrl, companyCode: 'abc', tlsMode: 'pin', pinSha256: sim.fingerprint256, timeoutMs: 5000, ...extra,
  });
  const soapConfig = (extra: Record<string, unknown> = {}) => ({
    id: 'sage', type: 'sage100-config', mode: 'soap', soapEndpoint: sim.soapUrl, companyCode: 'ABC', tlsMode: 'ca', caPem: sim.certificatePem, timeoutMs: 5000, ...extra,
  });
  const agentCredentials = () => ({ sage: { apiKey: sim.apiKey } });
  const soapCredentials = () => ({ sage: { username: sim.username, password: sim.password } });
  const config = () => helper.getNode('sage') as unknown as Sage100ConfigNode;

  it('builds the agent client from its settings and the API key credential', async () => {
    await helper.load(sage100Config, [agentConfig()], agentCredentials());
    assert.deepEqual([config().mode, config().companyCode, config().client.mode, config().warningStatus], ['agent', 'ABC', 'agent', undefined]);
    assert.equal((await config().client.checkConnection()).company, 'ABC (ABC Distribution and Service Corp.)');
  });

  it('builds the SOAP client from its settings and the user name and password credentials', async () => {
    await helper.load(sage100Config, [soapConfig()], soapCredentials());
    assert.equal(config().client.mode, 'soap');
    assert.equal((await config().client.checkConnection()).company, 'ABC');
  });

  it('rejects a company code that is not exactly three characters, naming the field and the configuration', async () => {
    await helper.load(sage100Config, [soapConfig({ companyCode: 'ABCD', name: 'Sage main' })], soapCredentials());
    assert.throws(() => config().client, (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.field, 'companyCode');
      assert.equal(err.record, 'sage100-config Sage main');
      assert.match(err.message, /exactly three letters or digits/);
      return true;
    });
    assert.equal(config().warningStatus?.fill, 'red');
  });

  it('says which credential is missing', async () => {
    await helper.load(sage100Config, [agentConfig()], {});
    assert.throws(() => config().client, /apiKey: the API key is required/);
  });

  it('"do not verify" works but warns in the log and in the status of the nodes using it', async () => {
    const flow = [
      { id: 'tab', type: 'tab' },
      agentConfig({ tlsMode: 'insecure' }),
      { id: 'orders', z: 'tab', ...at, type: 'sage100-sales-order', sage100: 'sage', wires: [] },
    ];
    await helper.load([useCatalogs, sage100Config, sage100SalesOrder], flow, agentCredentials());
    const node = config() as unknown as TestNode & { warn: { args: unknown[][] } };
    assert.ok(node.warn.args.some(([text]) => /TLS certificate checks are OFF/.test(String(text))));
    assert.deepEqual(config().warningStatus, { fill: 'yellow', shape: 'ring', text: 'TLS not verified' });
    const orders = helper.getNode('orders') as unknown as { status: { args: unknown[][] } };
    assert.deepEqual(orders.status.args[0], [{ fill: 'yellow', shape: 'ring', text: 'TLS not verified' }]);
    assert.equal((await config().client.checkConnection()).mode, 'agent');
  });

  it('closes its connection pool when the flow stops', async () => {
    await helper.load(sage100Config, [agentConfig()], agentCredentials());
    const { client } = config();
    await helper.unload();
    await assert.rejects(client.checkConnection(), /destroyed|closed/i);
  });

  describe('Test connection', () => {
    const post = (body: Record<string, unknown>) => helper.request().post('/ml-connector/sage100-config/test').send(body);
    /** The simulator's whole company, as text to compare byte for byte. */
    const state = async () => (await request(`${sim.agentUrl}/__sim/state`, { dispatcher: stateReader })).body.text();

    for (const mode of ['agent', 'soap'] as const) {
      it(`${mode}: proves reachability, TLS and credentials with the dialog's values and writes nothing`, async () => {
        await helper.load(sage100Config, []);
        const dialog = mode === 'agent'
          ? { ...agentConfig(), credentials: { apiKey: sim.apiKey } }
          : { ...soapConfig(), credentials: { username: sim.username, password: sim.password } };
        const before = await state();
        const answer = await post(dialog).expect(200);
        assert.equal(await state(), before);
        assert.equal(answer.body.ok, true, JSON.stringify(answer.body));
        assert.equal(answer.body.mode, mode);
        assert.ok(answer.body.checks.length >= 3);
        assert.match(answer.body.checks[1], /^TLS certificate (matches the pinned|verified against the given CA)/);
      });
    }

    it('looks up a password the dialog left unchanged by the config node id', async () => {
      await helper.load(sage100Config, [soapConfig()], soapCredentials());
      const answer = await post({ ...soapConfig(), id: 'sage', credentials: { username: sim.username, password: '__PWRD__' } }).expect(200);
      assert.equal(answer.body.ok, true, JSON.stringify(answer.body));
    });

    it('says why it failed and what to do, without the secret', async () => {
      await helper.load(sage100Config, []);
      const answer = await post({ ...agentConfig(), credentials: { apiKey: 'wrong-key-0123456' } }).expect(200);
      assert.equal(answer.body.ok, false);
      assert.equal(answer.body.code, 'sage100.Unauthorized');
      assert.match(answer.body.hint, /API key/);
      assert.ok(!JSON.stringify(answer.body).includes('wrong-key-0123456'));

      const badLogon = await post({ ...soapConfig(), credentials: { username: sim.username, password: 'not-the-password' } }).expect(200);
      assert.equal(badLogon.body.ok, false);
      assert.match(badLogon.body.message, /Logon failure/);
      assert.ok(!JSON.stringify(badLogon.body).includes('not-the-password'));

      const invalid = await post({ ...agentConfig(), companyCode: 'AB', credentials: { apiKey: sim.apiKey } }).expect(200);
      assert.deepEqual([invalid.body.ok, invalid.body.code], [false, 'sage100.config']);
      assert.match(invalid.body.message, /companyCode/);
    });
  });
});
