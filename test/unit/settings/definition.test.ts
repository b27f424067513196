import assert from 'node:assert/strict';
import { ValidationError } from '../../../lib/errors';
import { defineSettings, fieldProblem, migrate, readSettings, settingsSchema } from '../../../lib/settings/definition';

const example = defineSettings({
  type: 'example-node',
  version: 3,
  migrations: [
    { version: 2, up: (settings) => ({ ...settings, timeout: settings.timeoutMs === undefined ? settings.timeout : Number(settings.timeoutMs) / 1000, timeoutMs: undefined }) },
    { version: 3, up: (settings) => ({ ...settings, mode: settings.mode === 'old' ? 'agent' : settings.mode }) },
  ],
  fields: {
    mode: { kind: 'choice', values: ['agent', 'soap'], default: 'agent' },
    agentUrl: { kind: 'text', default: '', pattern: '^https://\\S+$', message: 'must be an https:// URL', when: { field: 'mode', is: ['agent'] } },
    code: { kind: 'text', default: 'ABC', required: true, pattern: '^[A-Z]{3}$', message: 'must be 3 upper-case letters' },
    timeout: { kind: 'number', default: 30, min: 1, integer: true },
    verbose: { kind: 'flag', default: false },
    store: { kind: 'config', type: 'store-config', required: true },
  },
});

describe('settings definition', () => {
  it('reads a node saved today: missing fields take their defaults, numbers and flags saved as text become numbers and flags', () => {
    const settings = readSettings(example, { id: 'n1', type: 'example-node', x: 10, mode: 'soap', timeout: '45', verbose: 'true', store: 's1' });
    assert.deepEqual(settings, { mode: 'soap', agentUrl: '', code: 'ABC', timeout: 45, verbose: true, store: 's1' });
  });

  it('runs the migrations after the saved version, in order; a node saved without a version is version 1', () => {
    assert.deepEqual(migrate(example, { id: 'n1', mode: 'old', timeoutMs: 5000 }), { id: 'n1', mode: 'agent', timeout: 5, timeoutMs: undefined, version: 3 });
    // Saved at version 2: only the third migration runs.
    assert.deepEqual(migrate(example, { id: 'n1', mode: 'old', timeoutMs: 5000, version: 2 }), { id: 'n1', mode: 'agent', timeoutMs: 5000, version: 3 });
    // The editor saves the version as text.
    assert.equal(migrate(example, { id: 'n1', version: '3', mode: 'old' }).mode, 'old');
  });

  it('names the node and the field of an invalid setting', () => {
    assert.throws(
      () => readSettings(example, { id: 'n1', name: 'main', mode: 'soap', code: 'abc', store: 's1' }),
      (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.equal(err.message, 'example-node settings in node "main": code: must be 3 upper-case letters');
        assert.equal(err.field, 'code');
        assert.equal(err.code, 'settings.invalid');
        assert.equal(err.record, 'node "main"');
        return true;
      },
    );
    assert.throws(() => readSettings(example, { id: 'n2', mode: 'soap', timeout: 'soon' }), /example-node settings in node n2: timeout: must be a number/);
    assert.throws(() => readSettings(example, { id: 'n2', mode: 'soap', timeout: 2.5 }), /timeout: must be a whole number/);
  });

  it('checks a field only while the field it depends on has one of the values named', () => {
    assert.throws(() => readSettings(example, { id: 'n1', agentUrl: 'http://plain' }), /agentUrl: must be an https:\/\/ URL/);
    assert.equal(readSettings(example, { id: 'n1', mode: 'soap', agentUrl: 'http://plain' }).agentUrl, 'http://plain');
    // The mode missing is its default (agent), so the agent URL counts.
    assert.equal(fieldProblem(example.fields.agentUrl, '', {}, example.fields), 'must be an https:// URL');
  });

  it('leaves a missing config node to the node that needs it, while the editor asks for one', () => {
    assert.equal(readSettings(example, { id: 'n1', mode: 'soap' }).store, '');
    assert.equal(fieldProblem(example.fields.store, '', {}, example.fields), 'choose or create a store-config configuration');
  });

  it('takes a blank number as its default, and rejects a blank required text', () => {
    assert.equal(settingsSchema(example).parse({ mode: 'soap', timeout: '' }).timeout, 30);
    assert.equal(fieldProblem(example.fields.code, ' ', {}, example.fields), 'must not be blank');
  });

  it('refuses a definition whose migrations do not lead, one by one, to its version', () => {
    assert.throws(() => defineSettings({ type: 'bad', version: 2, migrations: [], fields: {} }), /version 2 needs 1 migrations/);
    assert.throws(() => defineSettings({ type: 'bad', version: 2, migrations: [{ version: 3, up: (s) => s }], fields: {} }), /migration 1 must bring settings to version 2/);
  });
});
