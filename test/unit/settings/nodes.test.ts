import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSettings } from '../../../lib/settings/definition';
import { settingsDefinitions } from '../../../lib/settings/nodes';
import { sage100ConfigSettings } from '../../../lib/settings/sage100';

const root = join(__dirname, '..', '..', '..');

describe('the settings definitions of every node type', () => {
  it('cover every node type of package.json, once', () => {
    const types = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes);
    assert.deepEqual(settingsDefinitions.map((definition) => definition.type).sort(), types.sort());
  });

  it('read every node of the example flow, as saved, without a complaint once the user fills in the connections', () => {
    const flow = JSON.parse(readFileSync(join(root, 'examples', 'flows.json'), 'utf8')) as Array<{ id: string; type: string } & Record<string, unknown>>;
    const filledIn: Record<string, Record<string, string>> = {
      'bigcommerce-config': { storeHash: 'abc123' },
      'sage100-config': { agentUrl: 'https://sage.example:8443', companyCode: 'ABC' },
    };
    let read = 0;
    for (const node of flow) {
      const definition = settingsDefinitions.find((candidate) => candidate.type === node.type);
      if (!definition) continue;
      assert.doesNotThrow(() => readSettings(definition, { ...node, ...filledIn[node.type] }), `${node.type} ${node.id}`);
      read += 1;
    }
    assert.ok(read >= settingsDefinitions.length);
  });

  describe('sage100-config migration to version 2 (timeout in seconds only)', () => {
    const saved = { id: 'sage', type: 'sage100-config', mode: 'soap', soapEndpoint: 'https://sage.example/ws', companyCode: 'ABC' };

    it('a configuration saved with timeoutMs gets that timeout in seconds, and timeoutMs blank', () => {
      const settings = readSettings(sage100ConfigSettings, { ...saved, timeout: 30, timeoutMs: '45000' });
      assert.equal(settings.timeout, 45);
      assert.equal(settings.timeoutMs, '');
    });

    it('a configuration saved with a blank timeoutMs keeps its timeout', () => {
      assert.equal(readSettings(sage100ConfigSettings, { ...saved, timeout: '20', timeoutMs: '' }).timeout, 20);
      assert.equal(readSettings(sage100ConfigSettings, { ...saved }).timeout, 30);
    });
  });
});
