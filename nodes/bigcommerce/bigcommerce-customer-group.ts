import { onInput, requireConfigNode, statusLine } from '../../lib/node-red/node';
import type { NodeAPI, NodeDefinition, NodeMessage, RuntimeNode } from '../../lib/node-red/types';
import { groupNameOf, placeInLevelGroup, type GroupMemory } from '../../lib/sync/price-levels';
import { parseWarehouseList } from '../../lib/sync/stock';
import { readSettings } from '../../lib/settings/definition';
import { customerGroupSettings } from '../../lib/settings/bigcommerce';
import type { BigCommerceConfigNode } from './bigcommerce-config';

/** The buyer's BigCommerce customer (from the mapper) and Sage's price level for it (from sage100-customer). */
function buyerOf(msg: NodeMessage): { customerId?: number; priceLevel?: string } {
  const payload = msg.payload as { storeCustomerId?: unknown; customer?: { PriceLevel?: unknown } } | undefined;
  const customerId = payload?.storeCustomerId;
  const priceLevel = payload?.customer?.PriceLevel;
  return {
    ...(typeof customerId === 'number' && Number.isSafeInteger(customerId) && customerId > 0 && { customerId }),
    ...(typeof priceLevel === 'string' && { priceLevel }),
  };
}

export default function register(RED: NodeAPI): void {
  function BigCommerceCustomerGroup(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const status = statusLine(RED, this);
    const settings = readSettings(customerGroupSettings, definition);
    // The push's price levels, in the same syntax ("2, 3"); blank: none.
    const levels = parseWarehouseList(settings.priceLevels);
    const memory: GroupMemory = { groups: new Map(), customers: new Map() };
    // Said once per deployment, not on every order.
    let toldUnavailable = false;

    onInput(this, async (msg, send) => {
      const store = requireConfigNode<BigCommerceConfigNode>(RED, definition.bigcommerce, 'bigcommerce-config', this);
      const { customerId, priceLevel } = buyerOf(msg);
      if (customerId === undefined) {
        msg.customerGroup = { outcome: 'skipped', reason: 'guest', calls: 0 };
        status.show('grey', 'ring', status.words('guest'));
        send(msg);
        return;
      }
      const placement = await placeInLevelGroup(store.request, { customerId, priceLevel }, levels, memory);
      msg.customerGroup = placement;
      if (placement.outcome === 'unavailable') {
        if (!toldUnavailable) this.warn(`The store refuses customer groups (a plan without them, or an API account without the Customers scope), so customers are not put in their Sage price level's group. ${placement.reason}`.trim());
        toldUnavailable = true;
        status.show('yellow', 'ring', status.words('unavailable'));
      } else if (placement.outcome === 'skipped') {
        status.show('grey', 'ring', status.words(placement.reason, { customer: customerId, level: placement.level ?? '' }));
      } else {
        status.show('green', 'dot', status.words(placement.outcome, { customer: customerId, group: groupNameOf(placement.level) }));
      }
      send(msg);
    }, status);
  }
  RED.nodes.registerType('bigcommerce-customer-group', BigCommerceCustomerGroup);
}
