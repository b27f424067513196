import { ValidationError } from '../../lib/errors';
import { onInput, requireConfigNode, statusLine, webOrderOf } from '../../lib/node-red/node';
import { operatorBoard } from '../../lib/operator/board';
import type { NodeAPI, NodeDefinition, NodeMessage, RuntimeNode } from '../../lib/node-red/types';
import { orderIdFrom } from '../../lib/bigcommerce/orders';
import { stateStoreFor } from '../../lib/node-red/state-store';
import { getSalesOrder } from '../../lib/sage100/sales-orders';
import { importSalesOrder, withoutPayment } from '../../lib/sync/import-once';
import { ImportRecord } from '../../lib/sync/import-record';
import type { BigCommerceConfigNode } from '../bigcommerce/bigcommerce-config';
import type { Sage100ConfigNode } from './sage100-config';
import { readSettings } from '../../lib/settings/definition';
import { salesOrderSettings } from '../../lib/settings/sage100';

type Payload = Record<string, unknown> & { salesOrder?: unknown; salesOrderNo?: unknown };

function payloadOf(msg: NodeMessage): Payload {
  return typeof msg.payload === 'object' && msg.payload !== null ? (msg.payload as Payload) : {};
}

function missing(field: string, hint: string): ValidationError {
  return new ValidationError(`sage100-sales-order needs msg.${field}`, { code: 'validation.invalid', field, hint });
}

/** The number to read: payload.salesOrderNo, payload.salesOrder.SalesOrderNo, or the payload itself when it is text. */
function numberToGet(msg: NodeMessage): unknown {
  if (typeof msg.payload === 'string') return msg.payload;
  const payload = payloadOf(msg);
  const fromOrder = (payload.salesOrder as { SalesOrderNo?: unknown } | undefined)?.SalesOrderNo;
  const number = payload.salesOrderNo ?? fromOrder;
  if (number === undefined) throw missing('payload.salesOrderNo', 'Set msg.payload.salesOrderNo (or msg.payload to the number) to the Sage sales order number.');
  return number;
}

export default function register(RED: NodeAPI): void {
  function Sage100SalesOrder(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const { operation, soapPayment } = readSettings(salesOrderSettings, definition);
    const config = RED.nodes.getNode(String(definition.sage100 ?? '')) as Sage100ConfigNode | undefined;
    const status = statusLine(RED, this, { warning: config?.warningStatus });
    // One record per Sage configuration: the same company's orders, whichever node made them.
    const record = new ImportRecord(stateStoreFor(RED.settings), `imported-sales-orders-${String(definition.sage100 ?? '')}`);

    onInput(this, async (msg, send) => {
      const { client, companyCode } = requireConfigNode<Sage100ConfigNode>(RED, definition.sage100, 'sage100-config', this);
      const payload = payloadOf(msg);
      if (operation === 'get') {
        const number = numberToGet(msg);
        const found = await getSalesOrder(client, number);
        msg.payload = { ...payload, salesOrder: found ?? null };
        msg.sage100 = { ...(msg.sage100 as object | undefined), salesOrderNo: number, outcome: found ? 'found' : 'not-found' };
        status.show(found ? 'green' : 'grey', 'dot', status.words(found ? 'found' : 'notFound', { salesOrder: String(number) }));
      } else {
        if (payload.salesOrder === undefined) {
          throw missing('payload.salesOrder', 'Wire sync-order-mapper (and sage100-customer) before this node, or set msg.payload.salesOrder to a Sage sales order.');
        }
        const store = definition.bigcommerce ? requireConfigNode<BigCommerceConfigNode>(RED, definition.bigcommerce, 'bigcommerce-config', this) : undefined;
        const part = payload.part as { index: number; count: number } | undefined;
        const orderId = orderIdFrom(msg.orderId);
        let wanted = payload.salesOrder;
        const warnings = Array.isArray(payload.warnings) ? [...(payload.warnings as unknown[])] : [];
        if (client.mode === 'soap' && soapPayment === 'omit' && typeof wanted === 'object' && wanted !== null) {
          const stripped = withoutPayment(wanted as Record<string, unknown>);
          wanted = stripped.order;
          if (stripped.warning) warnings.push(stripped.warning);
        }
        const { outcome, salesOrder, foundIn, marker } = await importSalesOrder({ client, record, store }, wanted, { orderId, part, unmarked: msg.imported === false });
        msg.payload = { ...payload, salesOrder, ...(warnings.length > 0 && { warnings }) };
        msg.sage100 = { ...(msg.sage100 as object | undefined), salesOrderNo: salesOrder.SalesOrderNo, outcome, ...(foundIn && { foundIn }), ...(marker && { marker }) };
        status.show('green', outcome === 'created' ? 'dot' : 'ring', status.words(outcome, { salesOrder: salesOrder.SalesOrderNo }));
        operatorBoard.orderImported(companyCode, webOrderOf(msg) ?? String(salesOrder.CustomerPONo ?? salesOrder.SalesOrderNo), salesOrder.SalesOrderNo);
      }
      send(msg);
    }, status);
  }
  RED.nodes.registerType('sage100-sales-order', Sage100SalesOrder);
}
