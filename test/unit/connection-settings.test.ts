import assert from 'node:assert/strict';
import { testConnection as testBigCommerce } from '../../lib/bigcommerce/connection-test';
import { settingsFromConfig, testConnection as testSage, timeoutMsFromConfig } from '../../lib/sage100/connect';

describe('connection settings of the two config dialogs', () => {
  it('reads the Sage timeout in seconds, like the BigCommerce one, and honours the milliseconds of flows saved before', () => {
    assert.equal(timeoutMsFromConfig({ timeout: '45' }), 45_000);
    assert.equal(timeoutMsFromConfig({ timeout: 30, timeoutMs: 60000 }), 60_000, 'an old flow keeps its 60 s');
    assert.equal(timeoutMsFromConfig({ timeout: 20, timeoutMs: '' }), 20_000, 'the dialog clears timeoutMs on save');
    assert.equal(timeoutMsFromConfig({}), 30_000);
  });

  it('Test connection names every missing setting, in both dialogs', async () => {
    const sage = await testSage(settingsFromConfig({ mode: 'soap', companyCode: '' }, {}));
    assert.equal(sage.ok, false);
    assert.deepEqual(
      (sage.ok ? [] : (sage.issues ?? [])).map((issue) => issue.field).sort(),
      ['companyCode', 'password', 'soapEndpoint', 'username'],
    );
    const store = await testBigCommerce({ storeHash: '', accessToken: '' });
    assert.equal(store.code, 'bigcommerce.settings');
    assert.deepEqual((store.issues ?? []).map((issue) => issue.field).sort(), ['accessToken', 'storeHash']);
  });
});
