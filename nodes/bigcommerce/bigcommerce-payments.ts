import { z } from 'zod';
import { orderIdFrom } from '../../lib/bigcommerce/orders';
import { paymentsForOrder, paymentsForRange, type DateRange, type OrderPayments } from '../../lib/bigcommerce/payments';
import { ConnectorError, parseWith } from '../../lib/errors';
import { onInput, requireConfigNode, statusLine } from '../../lib/node-red/node';
import type { NodeAPI, NodeDefinition, NodeMessage, RuntimeNode } from '../../lib/node-red/types';
import type { BigCommerceConfigNode } from './bigcommerce-config';
import { readSettings } from '../../lib/settings/definition';
import { paymentsSettings } from '../../lib/settings/bigcommerce';

const rangeSchema = z
  .object({ from: z.coerce.date(), to: z.coerce.date() })
  .refine((range) => range.from.getTime() <= range.to.getTime(), { message: 'from must not be after to', path: ['from'] });

/** msg.payload `{ from, to }` (dates or date text), else the last `days` days up to now. */
function rangeOf(msg: NodeMessage, days: number): DateRange {
  const payload = msg.payload;
  if (payload && typeof payload === 'object' && ('from' in payload || 'to' in payload)) {
    return parseWith(rangeSchema, payload, { what: 'Payments date range', record: 'msg.payload', code: 'bigcommerce.range_invalid' });
  }
  const to = new Date();
  return { from: new Date(to.getTime() - days * 86_400_000), to };
}

export default function register(RED: NodeAPI): void {
  function BigCommercePayments(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const settings = readSettings(paymentsSettings, definition);
    const status = statusLine(RED, this);

    onInput(this, async (msg, send) => {
      const store = requireConfigNode<BigCommerceConfigNode>(RED, definition.bigcommerce, 'bigcommerce-config', this);
      let results: OrderPayments[];
      if (settings.mode === 'range') {
        const range = rangeOf(msg, settings.days);
        status.show('blue', 'ring', status.words('reading'));
        results = await paymentsForRange(store.request, range, (count) => status.show('blue', 'ring', status.words('orders', { count })));
        msg.range = { from: range.from.toISOString(), to: range.to.toISOString() };
      } else {
        const orderId = orderIdFrom(msg.payload) ?? orderIdFrom(msg.orderId) ?? orderIdFrom(msg.resourceId);
        if (orderId === undefined) {
          throw new ConnectorError('No order id on the msg: expected a positive number in msg.payload, msg.orderId or msg.resourceId', {
            code: 'bigcommerce.order_id_missing',
            field: 'payload',
            hint: 'Send the order id as msg.payload, or choose the date-range mode.',
          });
        }
        status.show('blue', 'ring', status.words('order', { order: orderId }));
        results = await paymentsForOrder(store.request, orderId);
        msg.orderId = orderId;
      }
      msg.payload = results;
      status.show('green', 'dot', status.words('orders', { count: results.length }));
      send(msg);
    }, status);
  }
  RED.nodes.registerType('bigcommerce-payments', BigCommercePayments);
}
