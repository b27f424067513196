import assert from 'node:assert/strict';
import { settingsSchema, type Field, type SettingsDefinition } from '../../../lib/settings/definition';
import { editorScript } from '../../../lib/settings/editor';
import { settingsDefinitions } from '../../../lib/settings/nodes';
import { mapperSettings } from '../../../lib/settings/sync';
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
});
