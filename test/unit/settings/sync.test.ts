import assert from 'node:assert/strict';
import { migrate, readSettings, settingsSchema, type SettingsDefinition } from '../../../lib/settings/definition';
import { inventoryPushSettings, shipmentSettings } from '../../../lib/settings/bigcommerce';
import { mapperSettings, orderNumberingSettings, reconcileSettings, warehouseLocationsSettings } from '../../../lib/settings/sync';
import { mapperOptions, numbering } from '../../../lib/sync/mapper-options';
import { reconcileSettingsSchema } from '../../../lib/sync/reconcile';

const defaultsOf = (fields: Record<string, { kind: string; default?: unknown }>) =>
  Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, field.kind === 'config' ? '' : field.default]));

describe('sync settings definitions', () => {
  describe('migration to version 2 (shared numbering)', () => {
    for (const definition of [mapperSettings, reconcileSettings, shipmentSettings] as SettingsDefinition[]) {
      it(`${definition.type}: a node saved with its numbering inline keeps it, and names no numbering node`, () => {
        const saved = { id: 'n1', type: definition.type, salesOrderPrefix: 'X', salesOrderOverflow: 'error', customerPoPrefix: 'WEB', x: 100, wires: [] };
        const later = definition === mapperSettings ? { warehouseLocations: '', version: 3 } : { version: 2 };
        assert.deepEqual(migrate(definition, saved), { ...saved, numbering: '', ...later });
      });
    }

    it('bigcommerce-shipment: a node saved at version 1 keeps its own PO prefix, or the default BC it had', () => {
      const own = readSettings(shipmentSettings, { id: 's1', customerPoPrefix: 'WEB' });
      assert.deepEqual([own.numbering, own.customerPoPrefix], ['', 'WEB']);
      assert.equal(readSettings(shipmentSettings, { id: 's1' }).customerPoPrefix, 'BC');
    });

    it('leaves a node saved at version 2 as it is', () => {
      const saved = { id: 'n1', numbering: 'shared', salesOrderPrefix: 'X', version: 2 };
      assert.deepEqual(migrate(reconcileSettings, saved), saved);
    });
  });

  describe('migration to a shared warehouse → location table (push 2, mapper 3)', () => {
    const table = '000, 001 = 1\nEST = 2';
    for (const [definition, from, to] of [[inventoryPushSettings, 1, 2], [mapperSettings, 2, 3]] as Array<[SettingsDefinition, number, number]>) {
      it(`${definition.type}: a node saved with its table inline keeps it, and names no locations node`, () => {
        const saved = { id: 'n1', type: definition.type, locationTable: table, numbering: '', version: from, x: 100, wires: [] };
        assert.deepEqual(migrate(definition, saved), { ...saved, warehouseLocations: '', version: to });
        assert.equal(readSettings(definition, saved).locationTable, table);
      });

      it(`${definition.type}: leaves a node saved at version ${to} as it is`, () => {
        const saved = { id: 'n1', warehouseLocations: 'shared', locationTable: '', version: to };
        assert.deepEqual(migrate(definition, saved), saved);
      });
    }

    it('checks a table with the push\'s rules, in the shared node and in a node\'s own copy alike', () => {
      assert.equal(readSettings(warehouseLocationsSettings, { id: 'w1', locationTable: table }).locationTable, table);
      for (const definition of [warehouseLocationsSettings, inventoryPushSettings, mapperSettings] as SettingsDefinition[]) {
        assert.throws(() => readSettings(definition, { id: 'w1', name: 'stores', locationTable: '000 = 1\n# east\nEST = 1' }), /in node "stores": locationTable: each store location appears once/);
        assert.throws(() => readSettings(definition, { id: 'w1', locationTable: '000 = 1\nEAST = 2' }), /locationTable: entry 2: warehouses\.0 a Sage warehouse code has at most 3 characters/);
      }
    });
  });

  it('the mapper\'s zod schema is the definition\'s: the same fields, defaults and messages', () => {
    const options = mapperOptions({});
    for (const [key, value] of Object.entries(defaultsOf(mapperSettings.fields))) assert.deepEqual(options[key as keyof typeof options], value, key);
    assert.throws(() => mapperOptions({ customerPoPrefix: 'TOO-LONG' }), { code: 'mapper.settings', message: `sync-order-mapper settings: customerPoPrefix: ${mapperSettings.fields.customerPoPrefix.message}` });
    assert.deepEqual(numbering({}), defaultsOf(orderNumberingSettings.fields));
  });

  it('reconciliation\'s own schema takes the definition\'s defaults', () => {
    const fromDefinition = settingsSchema(reconcileSettings).parse({});
    const own = reconcileSettingsSchema.parse({});
    assert.equal(own.tolerance, fromDefinition.tolerance);
    assert.equal(own.checkCapture, fromDefinition.checkCapture);
    assert.deepEqual(own.skipStatuses, fromDefinition.skipStatuses.split(',').map(Number));
  });
});
