import { fieldProblem, migrateSettings, type Fields, type SettingsDefinition } from './definition';

/**
 * The editor's half of a settings definition. The build (tsup.config.ts) puts `editorScript(definition)` at the
 * top of each node type's built .html, so it runs before the type's RED.nodes.registerType, which then takes
 * `defaults: mlConnectorSettings.defaults('<type>')` and wraps its oneditprepare in
 * `mlConnectorSettings.oneditprepare('<type>', …)`. Each .html carries what its type needs, so nothing depends on
 * the order Node-RED loads node sets or plugins in (the same in 4.1 and 5.0).
 *
 * The same script installs `mlConnectorSharedConfig`, the dialogs' half of a config node that shares settings a node
 * may also hold itself. It rides along here rather than in the shared config node's own .html: a dialog using it then
 * works whatever node sets are loaded or in which order, where the config node's .html may be disabled or later.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- the browser side talks to the editor's untyped RED and jQuery. */

interface EditorApi {
  define(definition: SettingsDefinition): void;
  defaults(type: string): Record<string, Record<string, unknown>>;
  oneditprepare(type: string, own?: (this: any) => void): (this: any) => void;
}

/**
 * Installs `window.mlConnectorSettings` once. Runs in the browser as its source text: self-contained, ES2017,
 * given the two rule functions it shares with the runtime.
 */
export function installEditorSettings(win: any, $: any, problemOf: typeof fieldProblem, migrateSaved: typeof migrateSettings): void {
  if (win.mlConnectorSettings) return;
  const types: Record<string, SettingsDefinition> = {};
  const api: EditorApi = {
    define(definition) {
      types[definition.type] = definition;
    },
    defaults(type) {
      const definition = types[type];
      if (!definition) throw new Error(`no settings definition for ${type}`);
      // A node saved without a version is version 1; a new node starts at the latest.
      const defaults: Record<string, Record<string, unknown>> = { name: { value: '' }, version: { value: definition.version } };
      Object.keys(definition.fields).forEach((key) => {
        const field = definition.fields[key]!;
        const entry: Record<string, unknown> = {
          value: field.kind === 'config' ? '' : field.default,
          validate(this: Record<string, unknown>, value: unknown) {
            const problem = problemOf(field, value, this, definition.fields);
            return problem ? `${key}: ${problem}` : true;
          },
        };
        if (field.kind === 'config') {
          entry.type = field.type;
          entry.required = field.required && !field.when;
        }
        defaults[key] = entry;
      });
      return defaults;
    },
    oneditprepare(type, own) {
      return function (this: any) {
        const definition = types[type]!;
        const prefix = this._def.category === 'config' ? 'node-config-input' : 'node-input';
        const saved: Record<string, unknown> = { version: this.version };
        Object.keys(definition.fields).forEach((key) => {
          saved[key] = this[key];
        });
        // The dialog shows the migrated settings; Done saves them (and the version) as an edit, Cancel leaves the node.
        const migrated = migrateSaved(saved, definition.version, definition.migrations);
        Object.keys(definition.fields).forEach((key) => {
          if (migrated[key] === saved[key]) return;
          const input = $(`#${prefix}-${key}`);
          if (input.is(':checkbox')) input.prop('checked', migrated[key] === true || migrated[key] === 'true');
          else input.val(migrated[key]);
        });
        $('<input type="hidden">').attr('id', `${prefix}-version`).val(String(migrated.version)).insertAfter(`#${prefix}-name`);
        if (own) own.call(this);
      };
    },
  };
  win.mlConnectorSettings = api;
}

/** A setting a node may take from a shared config node or, as a flow saved before could share it, hold itself. */
interface SharedConfig {
  /** The node's config field naming the shared node; the dialog's classes `ml-inline-<reference>` (its own fields)
   * and `ml-<reference>-differs` (the warning) go by it. */
  reference: string;
  /** The shared config node's type. */
  type: string;
  /** The fields the dialog holds of its own, by the names the config node has them under. */
  fields: string[];
  /** Free text: compared trimmed, and an own field left blank differs from nothing. */
  text?: boolean;
}

interface SharedConfigApi {
  /** In a dialog: its own fields show only while no shared node is chosen; one whose values differ warns. */
  prepare(node: any, shared: SharedConfig): void;
  /** In a shared node's dialog: a node being added from such a dialog starts from its own fields, so sharing it
   * changes nothing. */
  seed(configNode: any): void;
}

/** Installs `window.mlConnectorSharedConfig` once. Runs in the browser as its source text, like the above. */
export function installSharedConfig(win: any, $: any): void {
  if (win.mlConnectorSharedConfig) return;
  // The dialog each shared type was last offered in, with its own inputs. (That dialog is out of the page while a
  // shared node is added from it, its inputs kept; the edit stack says which node it is.)
  const openers: Record<string, { node: any; own: Record<string, any> }> = {};
  const api: SharedConfigApi = {
    prepare(node, shared) {
      const own: Record<string, any> = {};
      shared.fields.forEach((field) => {
        own[field] = $(`#node-input-${field}`);
      });
      openers[shared.type] = { node, own };
      const value = (raw: unknown) => (shared.text ? String(raw || '').trim() : String(raw));
      const reference = $(`#node-input-${shared.reference}`);
      const update = () => {
        const chosen = win.RED.nodes.node(reference.val());
        $(`.ml-inline-${shared.reference}`).toggle(!chosen);
        const differs = !!chosen && shared.fields.some((field) => {
          const mine = value(own[field].val());
          return !(shared.text && mine === '') && value(chosen[field]) !== mine;
        });
        $(`.ml-${shared.reference}-differs`).toggle(differs);
      };
      reference.on('change', update);
      update();
    },
    seed(configNode) {
      // A node being added is not among the nodes yet; one being edited keeps its values.
      if (win.RED.nodes.node(configNode.id)) return;
      const opener = openers[configNode.type];
      const stack = win.RED.editor.getEditStack ? win.RED.editor.getEditStack() : [];
      if (!opener || stack[stack.length - 2] !== opener.node) return;
      Object.keys(opener.own).forEach((field) => {
        const own = opener.own[field].val();
        if (own) $(`#node-config-input-${field}`).val(own);
      });
    },
  };
  win.mlConnectorSharedConfig = api;
}

/** A function's source as an expression (a method's `up(s) {…}` becomes `function up(s) {…}`). */
function functionSource(fn: (...args: never[]) => unknown): string {
  const text = fn.toString();
  return /^(async\s+)?(function\b|\(|[\w$]+\s*=>)/.test(text) ? text : `function ${text}`;
}

/** The script that gives the editor this type's definition (see above). */
export function editorScript(definition: SettingsDefinition<Fields>): string {
  const data = JSON.stringify({ type: definition.type, version: definition.version, fields: definition.fields });
  const migrations = definition.migrations.map((migration) => `{ version: ${migration.version}, up: ${functionSource(migration.up)} }`).join(', ');
  return `<script type="text/javascript">
  // Generated by the build from lib/settings (${definition.type}, settings version ${definition.version}).
  (function () {
    // A no-op for the names some transpilers give functions.
    var __name = function (target) { return target; };
    (${functionSource(installEditorSettings)})(window, window.$, ${functionSource(fieldProblem)}, ${functionSource(migrateSettings)});
    var definition = ${data};
    definition.migrations = [${migrations}];
    (${functionSource(installSharedConfig)})(window, window.$);
    window.mlConnectorSettings.define(definition);
  })();
</script>
`;
}
