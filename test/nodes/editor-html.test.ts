import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsDefinitions } from '../../lib/settings/nodes';
import { fakeEditor, scriptsOf } from '../support/editor';

/** The built .html files (npx tsup first): each type registers itself with the defaults its settings definition gives. */

const root = join(__dirname, '..', '..');
const nodes = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes;

describe('the built editor files', () => {
  for (const definition of settingsDefinitions) {
    it(`${definition.type}: registers with its settings definition's defaults and version`, () => {
      const file = nodes[definition.type];
      assert.ok(file, `package.json lists ${definition.type}`);
      const html = readFileSync(join(root, file.replace(/\.js$/, '.html')), 'utf8');
      const editor = fakeEditor();
      for (const script of scriptsOf(html)) editor.run(script);
      const registered = editor.registered.get(definition.type) as { defaults: Record<string, { value: unknown; type?: string }>; oneditprepare?: unknown } | undefined;
      assert.ok(registered, `${definition.type}.html registers ${definition.type}`);
      assert.equal(registered.defaults.version?.value, definition.version);
      for (const [key, field] of Object.entries(definition.fields)) {
        assert.deepEqual(registered.defaults[key]?.value, field.kind === 'config' ? '' : field.default, key);
        if (field.kind === 'config') assert.equal(registered.defaults[key]?.type, field.type, key);
      }
      assert.equal(typeof registered.oneditprepare, 'function', 'its dialog runs the migrations');
    });
  }
});
