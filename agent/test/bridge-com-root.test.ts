import assert from 'node:assert/strict';
import type { BoiRef, BusinessObject, PvxScript, SySession } from '../src/boi/types';
import { BridgeError } from '../src/bridge/client';
import { openComRoot } from '../src/bridge/com-root';
import { standInHost } from './bridge-support';

describe('BOI over the COM bridge (stand-in host)', () => {
  let root: PvxScript | undefined;
  afterEach(async () => root?.Close());

  it('runs the session sequence and reads and writes a record through the BOI interface', async () => {
    root = await openComRoot(standInHost());
    await root.Init('C:\\Sage\\MAS90\\Home');
    const session = await root.NewObject('SY_Session');
    assert.equal(await session.nSetUser('web', 'secret'), 1);
    assert.equal(await session.nSetCompany('ABC'), 1);
    assert.equal(await session.nSetModule('A/R'), 1);
    assert.equal(await session.nSetProgram(await session.nLookupTask('AR_Customer_ui')), 1);
    const customers = await root.NewObject('AR_Customer_bus', session);
    await customers.nSetKeyValue('ARDivisionNo$', '01');
    await customers.nSetKeyValue('CustomerNo$', 'NEW');
    assert.equal(await customers.nSetKey(), 2);
    assert.equal(await customers.nSetValue('CustomerName$', 'Šárka Novák'), 1);
    assert.equal(await customers.nWrite(), 1);

    assert.equal(await customers.nSetKey(), 1);
    const name: BoiRef = { value: '' };
    assert.equal(await customers.nGetValue('CustomerName$', name), 1);
    assert.equal(name.value, 'Šárka Novák');
    assert.deepEqual((await customers.sGetColumns()).split('\u0160'), ['ARDivisionNo$', 'CustomerNo$', 'CustomerName$', 'CreditLimit']);
    assert.equal(await customers.nEOF(), 1);
  });

  it('carries Sage failures as return codes with the reason in sLastErrorMsg', async () => {
    root = await openComRoot(standInHost());
    const session = await root.NewObject('SY_Session');
    assert.equal(await session.nSetCompany('XYZ'), 0);
    assert.equal(await session.sLastErrorMsg(), 'External access is not allowed for company XYZ');
    await session.nSetProgram(100);
    const customers = await root.NewObject('AR_Customer_bus', session);
    await customers.nSetKeyValue('CustomerNo$', 'ABC');
    await customers.nSetKey();
    assert.equal(await customers.nSetValue('NoSuchColumn$', 'x'), 0);
    assert.equal(await customers.sLastErrorMsg(), 'Column NoSuchColumn$ not found');
  });

  it('reads what health reports: company name and Sage version as properties, column lengths by call', async () => {
    root = await openComRoot(standInHost());
    const session = await root.NewObject('SY_Session') as SySession & { sCompanyName(): Promise<string>; sVersion(): Promise<string> };
    assert.equal(await session.sCompanyName(), 'American Business Co');
    assert.equal(await session.sVersion(), 'Sage 100 Advanced 2024 (7.30)');
    await session.nSetProgram(100);
    const customers = await root.NewObject('AR_Customer_bus', session) as BusinessObject & { nGetColumnLength(column: string): Promise<number> };
    assert.equal(await customers.nGetColumnLength('CustomerName$'), 30);
    assert.equal(await customers.nGetColumnLength('CreditLimit'), 0);
  });

  it('reaches the lines object as a property and keeps one handle for it', async () => {
    root = await openComRoot(standInHost());
    const session = await root.NewObject('SY_Session');
    await session.nSetProgram(100);
    const customers = await root.NewObject('AR_Customer_bus', session);
    const lines = await customers.oLines();
    assert.equal(await lines.nAddLine(), 1);
    assert.equal(await customers.oLines(), lines);
    assert.equal(await lines.sLastErrorMsg(), '');
  });

  it('DropObject drops the object in Sage and lets go of its handles', async () => {
    root = await openComRoot(standInHost());
    const session = await root.NewObject('SY_Session');
    await session.nSetProgram(100);
    const customers = await root.NewObject('AR_Customer_bus', session);
    await customers.oLines();
    await customers.DropObject();
    await assert.rejects(customers.nWrite(), /unknown handle/);
    await session.DropObject();
    await assert.rejects(session.nCleanup(), /unknown handle/);
  });

  it('turns a COM exception (no module rights) into a BridgeError naming the call', async () => {
    root = await openComRoot(standInHost());
    const session = await root.NewObject('SY_Session');
    await assert.rejects(root.NewObject('AR_Customer_bus', session), (e: unknown) => e instanceof BridgeError && /NewObject failed: COM Error 90/.test(e.message));
  });

  it('refuses a session that did not come from the same kind of root', async () => {
    root = await openComRoot(standInHost());
    const foreign = { nSetUser: async () => 1 } as unknown as Parameters<PvxScript['NewObject']>[1];
    await assert.rejects(root.NewObject('AR_Customer_bus', foreign), /same COM root/);
  });

  it('after Close the host is gone', async () => {
    const closing = await openComRoot(standInHost());
    const session = await closing.NewObject('SY_Session');
    await closing.Close();
    await assert.rejects(session.nCleanup(), (e: unknown) => e instanceof BridgeError && e.retryable);
  });
});
