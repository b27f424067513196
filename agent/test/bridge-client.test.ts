import assert from 'node:assert/strict';
import { BridgeClient, BridgeError } from '../src/bridge/client';
import { isHandleRef } from '../src/bridge/protocol';
import { standInHost } from './bridge-support';

async function scriptHandle(client: BridgeClient): Promise<number> {
  const { value } = await client.create('ProvideX.Script');
  assert.ok(isHandleRef(value));
  return value.handle;
}

describe('bridge client over the stand-in host', () => {
  let client: BridgeClient | undefined;
  afterEach(async () => client?.close());

  it('creates a COM object, calls it, passes a handle as an argument and reads a property', async () => {
    client = await BridgeClient.start(standInHost());
    const script = await scriptHandle(client);
    const session = (await client.call(script, 'NewObject', ['SY_Session'])).value;
    assert.ok(isHandleRef(session));
    assert.equal((await client.call(session.handle, 'nSetUser', ['web', 'wrong'])).value, 0);
    assert.equal((await client.get(session.handle, 'sLastErrorMsg')).value, 'Invalid user or password');
    assert.equal((await client.call(session.handle, 'nSetUser', ['web', 'secret'])).value, 1);
    await client.call(session.handle, 'nSetProgram', [100]);
    const customers = (await client.call(script, 'NewObject', ['AR_Customer_bus', session])).value;
    assert.ok(isHandleRef(customers));
  });

  it('sets a property, and refuses one the object does not have', async () => {
    client = await BridgeClient.start(standInHost());
    const script = await scriptHandle(client);
    await client.set(script, 'sTag', 'web orders');
    assert.equal((await client.get(script, 'sTag')).value, 'web orders');
    await assert.rejects(client.set(script, 'sNoSuch', 'x'), (e: unknown) => e instanceof BridgeError && e.hresult === -2147352573);
  });

  it('returns by-reference values in refs, in argument order', async () => {
    client = await BridgeClient.start(standInHost());
    const script = await scriptHandle(client);
    const session = (await client.call(script, 'NewObject', ['SY_Session'])).value as { handle: number };
    await client.call(session.handle, 'nSetProgram', [100]);
    const bo = (await client.call(script, 'NewObject', ['AR_Customer_bus', session])).value as { handle: number };
    await client.call(bo.handle, 'nSetKeyValue', ['ARDivisionNo$', '01']);
    await client.call(bo.handle, 'nSetKeyValue', ['CustomerNo$', 'ABC']);
    assert.equal((await client.call(bo.handle, 'nSetKey')).value, 1);
    const result = await client.call(bo.handle, 'nGetValue', ['CreditLimit', { byRef: 0 }]);
    assert.deepEqual(result, { value: 1, refs: [5000] });
  });

  it('correlates answers to calls sent together', async () => {
    client = await BridgeClient.start(standInHost());
    const script = await scriptHandle(client);
    const session = (await client.call(script, 'NewObject', ['SY_Session'])).value as { handle: number };
    const answers = await Promise.all(['AR_Customer_ui', 'SO_SalesOrder_ui', 'AR_Customer_ui'].map((task) => client!.call(session.handle, 'nLookupTask', [task])));
    assert.deepEqual(answers.map((a) => a.value), [100, 0, 100]);
  });

  it('reports a COM error with its HRESULT, and the host goes on serving', async () => {
    client = await BridgeClient.start(standInHost());
    const script = await scriptHandle(client);
    const session = (await client.call(script, 'NewObject', ['SY_Session'])).value as { handle: number };
    const error = await client.call(script, 'NewObject', ['SO_SalesOrder_bus', session]).catch((e: unknown) => e);
    assert.ok(error instanceof BridgeError);
    assert.equal(error.code, 'bridge.com_error');
    assert.equal(error.hresult, -2147352567);
    assert.match(error.message, /NewObject failed: COM Error 90 .*Cannot create SO_SalesOrder_bus/);
    assert.equal(error.retryable, false);
    const unknown = await client.call(script, 'NoSuchMethod').catch((e: unknown) => e);
    assert.ok(unknown instanceof BridgeError && unknown.hresult === -2147352570);
    assert.equal((await client.call(session.handle, 'nSetCompany', ['ABC'])).value, 1);
  });

  it('says plainly when a by-reference call fails', async () => {
    client = await BridgeClient.start(standInHost({ STAND_IN_BYREF: 'broken' }));
    const script = await scriptHandle(client);
    const error = await client.call(script, 'Init', [{ byRef: '' }]).catch((e: unknown) => e);
    assert.ok(error instanceof BridgeError);
    assert.equal(error.code, 'bridge.by_ref_failed');
    assert.match(error.message, /by-reference COM call Init failed: Type mismatch/);
    assert.match(error.hint ?? '', /not yet confirmed against pvxcom/);
  });

  it('releases handles, after which the object is gone', async () => {
    client = await BridgeClient.start(standInHost());
    const script = await scriptHandle(client);
    const session = (await client.call(script, 'NewObject', ['SY_Session'])).value as { handle: number };
    assert.equal((await client.get(script, 'LiveHandles')).value, 2);
    await client.release(session.handle);
    assert.equal((await client.get(script, 'LiveHandles')).value, 1);
    await assert.rejects(client.call(session.handle, 'nCleanup'), /unknown handle/);
  });

  it('fails every pending call with a retryable error when the host dies, and stays dead', async () => {
    client = await BridgeClient.start(standInHost());
    const script = await scriptHandle(client);
    const session = (await client.call(script, 'NewObject', ['SY_Session'])).value as { handle: number };
    const crash = client.call(script, 'CrashHost');
    const queued = client.call(session.handle, 'nCleanup');
    for (const pending of [crash, queued]) {
      const error = await pending.catch((e: unknown) => e);
      assert.ok(error instanceof BridgeError);
      assert.equal(error.code, 'bridge.host_exited');
      assert.equal(error.retryable, true);
      assert.match(error.message, /exited \(code 3\): pvxcom went away/);
    }
    assert.equal(client.alive, false);
    await assert.rejects(client.call(script, 'Init', ['x']), /exited/);
  });

  it('abandons a call that does not answer in time and ends the host', async () => {
    client = await BridgeClient.start(standInHost({}, { callTimeoutMs: 300 }));
    const script = await scriptHandle(client);
    const started = Date.now();
    const hung = client.call(script, 'Hang');
    const behind = client.call(script, 'Init', ['x']);
    const error = await hung.catch((e: unknown) => e);
    assert.ok(error instanceof BridgeError && error.code === 'bridge.timeout' && error.retryable);
    assert.ok(Date.now() - started < 3000);
    await assert.rejects(behind, (e: unknown) => e instanceof BridgeError && e.retryable);
    assert.equal(client.alive, false);
  });

  it('refuses a host speaking another protocol version', async () => {
    await assert.rejects(BridgeClient.start(standInHost({ STAND_IN_PROTOCOL: '2' })), (e: unknown) => e instanceof BridgeError && e.code === 'bridge.protocol_mismatch');
  });

  it('waits past lines printed before the greeting', async () => {
    client = await BridgeClient.start(standInHost({ STAND_IN_NOISE: 'WARNING: transcript started' }));
    assert.ok(isHandleRef((await client.create('ProvideX.Script')).value));
  });

  it('reports a host command that cannot start', async () => {
    await assert.rejects(BridgeClient.start({ command: '/nonexistent/powershell.exe', args: [] }), (e: unknown) => e instanceof BridgeError && /could not be started/.test(e.message));
  });

  it('reports a host that prints nothing in time', async () => {
    await assert.rejects(BridgeClient.start({ command: process.execPath, args: ['-e', 'setTimeout(() => {}, 5000)'], startTimeoutMs: 300 }), (e: unknown) => e instanceof BridgeError && e.code === 'bridge.start_timeout');
  });
});
