import assert from 'node:assert/strict';
import { settingsSchema, type Field, type SettingsDefinition } from '../../../lib/settings/definition';
import { editorScript } from '../../../lib/settings/editor';
import { settingsDefinitions } from '../../../lib/settings/nodes';
import { mapperSettings, orderNumberingSettings } from '../../../lib/settings/sync';
import { fakeEditor, scriptsOf } from '../../support/editor';

interface EditorDefault {
  value: unknown;
  type?: string;
  required?: boolean;
  validate?: (this: Record<string, unknown>, value: unknown) => true | string;
}

function editorDefaults(definition: SettingsDefinition): Record<string, EditorDefault> {
  const editor = fakeEditor();
  scriptsOf(editorScript(definition)).forEach((script) => editor.run(script));
  return (editor.window.mlConnectorSettings as { defaults(type: string): Record<string, EditorDefault> }).defaults(definition.type);
}

/** Values to try on a field: its default, its choices, and values that break common rules. */
function probes(field: Field): unknown[] {
  const common = [undefined, '', ' ', 'abc', 'ABC', 'A1', '9Z', '00', '7', '-1', '0.5', '500', '501', 'x'.repeat(31), 'UDF_BC_LINE', 'https://host', 'true', 'cash'];
  return [...common, ...(field.kind === 'choice' ? field.values : []), ...(field.kind === 'config' ? [] : [field.default])];
}

describe('settings in the editor (generated script)', () => {
  for (const definition of settingsDefinitions) {
    describe(definition.type, () => {
      const defaults = editorDefaults(definition);

      it('has the runtime definition\'s defaults, config types and version', () => {
        assert.deepEqual(Object.keys(defaults).sort(), ['name', 'version', ...Object.keys(definition.fields)].sort());
        assert.equal(defaults.version!.value, definition.version);
        for (const [key, field] of Object.entries(definition.fields)) {
          const entry = defaults[key]!;
          if (field.kind === 'config') {
            assert.deepEqual({ value: entry.value, type: entry.type, required: entry.required }, { value: '', type: field.type, required: field.required && !field.when }, key);
          } else {
            assert.deepEqual(entry.value, field.default, key);
          }
        }
      });

      it('accepts and rejects what the runtime does (the runtime alone also makes its own extra checks)', () => {
        const schema = settingsSchema(definition);
        for (const [key, field] of Object.entries(definition.fields)) {
          for (const value of probes(field)) {
            // The other fields as a new node has them, so only this field's rules count.
            const node: Record<string, unknown> = Object.fromEntries(Object.entries(defaults).map(([name, entry]) => [name, entry.value]));
            node[key] = value;
            const editorOk = defaults[key]!.validate!.call(node, value) === true;
            const parsed = schema.safeParse(node);
            const runtimeOk = parsed.success || !parsed.error.issues.some((issue) => issue.path[0] === key);
            if (field.kind === 'config') assert.ok(editorOk || !field.required || value === undefined || value === '', `${key} = ${String(value)}`);
            else if (field.kind === 'text' && field.check) assert.ok(editorOk || !runtimeOk, `${key} = ${String(value)}: the runtime accepts what the editor refuses`);
            else assert.equal(editorOk, runtimeOk, `${key} = ${JSON.stringify(value)}: editor ${editorOk}, runtime ${runtimeOk}`);
          }
        }
      });
    });
  }

  it('runs the migrations when a node\'s dialog opens: the inputs show the migrated settings and a hidden input the version', () => {
    const editor = fakeEditor();
    scriptsOf(editorScript(mapperSettings)).forEach((script) => editor.run(script));
    const api = editor.window.mlConnectorSettings as { oneditprepare(type: string, own?: () => void): (this: Record<string, unknown>) => void };
    let ownRan = false;
    const prepare = api.oneditprepare('sync-order-mapper', () => {
      ownRan = true;
    });
    // A version-1 mapper: numbering and location table inline, no numbering or locations node.
    const node = { _def: { category: 'Sage 100 + BigCommerce' }, salesOrderPrefix: 'X', customerPoPrefix: 'WEB' };
    prepare.call(node);
    assert.equal(editor.inputs.get('node-input-numbering'), '');
    assert.equal(editor.inputs.get('node-input-warehouseLocations'), '');
    assert.equal(editor.inputs.get('node-input-version'), '3');
    assert.equal(editor.inputs.has('node-input-salesOrderPrefix'), false, 'settings the migration leaves alone are not touched');
    assert.equal(ownRan, true);
    assert.equal((node as Record<string, unknown>).version, undefined, 'the node itself changes only when the dialog is saved');
  });

  describe('a setting shared through a config node (mlConnectorSharedConfig)', () => {
    interface SharedConfigApi {
      prepare(node: unknown, shared: { reference: string; type: string; fields: string[]; text?: boolean }): void;
      seed(configNode: unknown): void;
    }
    function dialog(inputs: Record<string, string>) {
      const editor = fakeEditor();
      scriptsOf(editorScript(orderNumberingSettings)).forEach((script) => editor.run(script));
      Object.entries(inputs).forEach(([id, value]) => editor.inputs.set(id, value));
      return { editor, api: editor.window.mlConnectorSharedConfig as SharedConfigApi };
    }
    const numbering = { reference: 'numbering', type: 'sync-order-numbering', fields: ['salesOrderPrefix', 'customerPoPrefix'] };

    it('shows the own fields only while no shared node is chosen, and warns when the chosen one differs', () => {
      const { editor, api } = dialog({ 'node-input-salesOrderPrefix': 'W', 'node-input-customerPoPrefix': '' });
      editor.nodes.set('same', { salesOrderPrefix: 'W', customerPoPrefix: '' });
      editor.nodes.set('other', { salesOrderPrefix: 'W', customerPoPrefix: 'BC' });
      api.prepare({}, numbering);
      assert.deepEqual(Object.fromEntries(editor.shown), { '.ml-inline-numbering': true, '.ml-numbering-differs': false });
      editor.inputs.set('node-input-numbering', 'same');
      editor.change('node-input-numbering');
      assert.deepEqual(Object.fromEntries(editor.shown), { '.ml-inline-numbering': false, '.ml-numbering-differs': false });
      editor.inputs.set('node-input-numbering', 'other');
      editor.change('node-input-numbering');
      assert.equal(editor.shown.get('.ml-numbering-differs'), true, 'a blank own PO prefix is a prefix too');
    });

    it('compares free text trimmed, and an own text left blank differs from nothing', () => {
      const { editor, api } = dialog({ 'node-input-locationTable': ' 000 = 1\n', 'node-input-warehouseLocations': 'shared' });
      const locations = { reference: 'warehouseLocations', type: 'sync-warehouse-locations', fields: ['locationTable'], text: true };
      editor.nodes.set('shared', { locationTable: '000 = 1' });
      api.prepare({}, locations);
      assert.equal(editor.shown.get('.ml-warehouseLocations-differs'), false);
      editor.nodes.set('shared', { locationTable: '001 = 1' });
      editor.change('node-input-warehouseLocations');
      assert.equal(editor.shown.get('.ml-warehouseLocations-differs'), true);
      editor.inputs.set('node-input-locationTable', ' ');
      editor.change('node-input-warehouseLocations');
      assert.equal(editor.shown.get('.ml-warehouseLocations-differs'), false);
    });

    it('starts a shared node added from such a dialog from its own fields, and no other', () => {
      const { editor, api } = dialog({ 'node-input-salesOrderPrefix': 'X', 'node-input-customerPoPrefix': '' });
      const mapper = {};
      api.prepare(mapper, numbering);
      editor.editStack.push(mapper, { id: 'new', type: 'sync-order-numbering' });
      api.seed({ id: 'new', type: 'sync-order-numbering' });
      assert.deepEqual(Object.fromEntries(editor.inputs), {
        'node-input-salesOrderPrefix': 'X',
        'node-input-customerPoPrefix': '',
        'node-config-input-salesOrderPrefix': 'X',
      });
      // One already in the flow keeps its values; one added from another dialog starts from its defaults.
      editor.inputs.delete('node-config-input-salesOrderPrefix');
      editor.nodes.set('old', {});
      api.seed({ id: 'old', type: 'sync-order-numbering' });
      editor.editStack.splice(0, 2, {}, { id: 'new', type: 'sync-order-numbering' });
      api.seed({ id: 'new', type: 'sync-order-numbering' });
      assert.equal(editor.inputs.has('node-config-input-salesOrderPrefix'), false);
    });
  });
});
