import assert from 'node:assert/strict';
import type { PvxScript } from '../src/boi/types';
import { openEmulatedRoot, SageCompany, seedDemo } from '../src/emulator';
import { SageAnswerError } from '../src/sage/errors';
import { sageLogicOptions } from '../src/sage/options';
import { getCustomer } from '../src/sage/customers';
import { SessionPool, type SessionSettings } from '../src/sage/session';

/** The session pool: sessions set up once, thrown away after an exception, recycled, writes one at a time. */
describe('Sage logic: BOI sessions', () => {
  let company: SageCompany;
  let opened: number;
  let closed: number;

  function settings(overrides: Partial<SessionSettings['logic']> = {}): SessionSettings {
    return {
      openRoot: async () => {
        opened += 1;
        const root = openEmulatedRoot(company, { user: 'WEBSYNC', password: 'pw' });
        const close = root.Close.bind(root);
        return Object.assign(root, { Close: async () => ((closed += 1), close()) }) satisfies PvxScript;
      },
      homePath: 'C:\\Sage\\MAS90\\Home',
      user: 'WEBSYNC',
      password: 'pw',
      companyCode: 'ABC',
      logic: sageLogicOptions(overrides),
      log: () => undefined,
    };
  }

  beforeEach(() => {
    company = seedDemo(new SageCompany());
    opened = 0;
    closed = 0;
  });

  it('keeps one session across calls and closes it with the pool', async () => {
    const pool = new SessionPool(settings(), 1);
    const logic = sageLogicOptions();
    for (let call = 0; call < 3; call++) assert.equal((await pool.use('read', (s) => getCustomer(s, logic, { ARDivisionNo: '01', CustomerNo: 'WEB0001' })))?.CustomerName, 'Ada Lovelace');
    assert.equal(opened, 1);
    await pool.close();
    assert.equal(closed, 1);
  });

  it('throws a session away after a COM exception and answers 500 Exception; the next call opens a new one', async () => {
    const pool = new SessionPool(settings(), 1);
    const logic = sageLogicOptions();
    await pool.use('read', (s) => getCustomer(s, logic, { ARDivisionNo: '01', CustomerNo: 'WEB0001' }));
    company.failBoiCalls(1);
    const err = await pool.use('read', (s) => getCustomer(s, logic, { ARDivisionNo: '01', CustomerNo: 'WEB0001' })).catch((e: unknown) => e);
    assert.ok(err instanceof SageAnswerError);
    assert.deepEqual([err.code, err.status], ['Exception', 500]);
    assert.equal(closed, 1);
    assert.equal((await pool.use('read', (s) => getCustomer(s, logic, { ARDivisionNo: '01', CustomerNo: 'WEB0001' })))?.CustomerNo, 'WEB0001');
    assert.equal(opened, 2);
    await pool.close();
  });

  it('recycles a session older than recycleAfterMs when it is released', async () => {
    const pool = new SessionPool(settings({ recycleAfterMs: 0 }), 1);
    const logic = sageLogicOptions();
    await pool.use('read', async (s) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return getCustomer(s, logic, { ARDivisionNo: '01', CustomerNo: 'WEB0001' });
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await pool.use('read', (s) => getCustomer(s, logic, { ARDivisionNo: '01', CustomerNo: 'WEB0001' }));
    assert.equal(opened, 2, 'the first session was too old to keep');
    await pool.close();
    assert.equal(closed, 2);
  });

  it('refuses a wrong Sage password as LogonFailure without keeping the session', async () => {
    const pool = new SessionPool({ ...settings(), password: 'wrong' }, 1);
    const err = await pool.use('read', async () => 'never').catch((e: unknown) => e);
    assert.ok(err instanceof SageAnswerError);
    assert.equal(err.code, 'LogonFailure');
    assert.ok(!err.message.includes('wrong'), 'the password is not in the message');
    assert.equal(closed, 1);
  });

  it('runs writes to a company one at a time, reads side by side', async () => {
    const pool = new SessionPool(settings(), 2);
    const overlap = async (kind: 'read' | 'write') => {
      let active = 0;
      let most = 0;
      await Promise.all(
        [1, 2, 3].map(() =>
          pool.use(kind, async () => {
            active += 1;
            most = Math.max(most, active);
            await new Promise((resolve) => setTimeout(resolve, 20));
            active -= 1;
          }),
        ),
      );
      return most;
    };
    assert.equal(await overlap('write'), 1);
    assert.equal(await overlap('read'), 2);
    await pool.close();
  });
});
