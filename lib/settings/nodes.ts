import { bigcommerceConfigSettings, customerGroupSettings, inventoryPushSettings, orderSettings, paymentsSettings, shipmentSettings, webhookVerifySettings } from './bigcommerce';
import type { SettingsDefinition } from './definition';
import { customerSettings, invoicesSettings, itemsSettings, salesOrderSettings, sage100ConfigSettings } from './sage100';
import { alertsSettings, itemMapSettings, mapperSettings, orderNumberingSettings, queueSettings, reconcileSettings, redisSettings, warehouseLocationsSettings } from './sync';

/** Every node type's settings definition: what the build writes into the editor's .html files. */
export const settingsDefinitions: readonly SettingsDefinition[] = [
  bigcommerceConfigSettings,
  webhookVerifySettings,
  orderSettings,
  paymentsSettings,
  inventoryPushSettings,
  shipmentSettings,
  customerGroupSettings,
  sage100ConfigSettings,
  customerSettings,
  salesOrderSettings,
  itemsSettings,
  invoicesSettings,
  orderNumberingSettings,
  warehouseLocationsSettings,
  mapperSettings,
  queueSettings,
  redisSettings,
  reconcileSettings,
  itemMapSettings,
  alertsSettings,
];
