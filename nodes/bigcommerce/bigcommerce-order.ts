import { listOrderMarkers, readOrderMarker, type OrderMarker } from '../../lib/bigcommerce/metafields';
import { fetchOrder, orderIdFrom, pollModifiedOrders, type OrderCursor } from '../../lib/bigcommerce/orders';
import { ConnectorError } from '../../lib/errors';
import { onInput, requireConfigNode, statusLine } from '../../lib/node-red/node';
import { operatorBoard } from '../../lib/operator/board';
import { stateStoreFor } from '../../lib/node-red/state-store';
import type { NodeAPI, NodeDefinition, NodeMessage, RuntimeNode, SendFunction } from '../../lib/node-red/types';
import { IMPORT_MARKER } from '../../lib/sync/import-once';
import type { BigCommerceConfigNode } from './bigcommerce-config';
import { readSettings } from '../../lib/settings/definition';
import { orderSettings } from '../../lib/settings/bigcommerce';

/** An order that carries the import marker was made into a Sage sales order before: the mapper's gate holds it. */
function markImported(msg: NodeMessage, marker: OrderMarker | undefined): void {
  // false (not absent): the marker was looked for and is not there, so the sales-order node may create it at once.
  msg.imported = marker !== undefined;
  if (marker) msg.importMarker = marker.value;
}

/** The order id of a msg: msg.payload (a number), else msg.resourceId (from bigcommerce-webhook-verify), else msg.orderId. */
function orderIdOf(msg: NodeMessage): number {
  if (typeof msg.topic === 'string' && msg.topic.startsWith('store/') && !msg.topic.startsWith('store/order/')) {
    throw new ConnectorError(`bigcommerce-order got a ${msg.topic} event, which is not about an order`, {
      code: 'bigcommerce.not_an_order',
      field: 'topic',
      hint: 'Route only store/order/* webhooks to this node (a Switch node on msg.topic).',
    });
  }
  const id = orderIdFrom(msg.payload) ?? orderIdFrom(msg.resourceId) ?? orderIdFrom(msg.orderId);
  if (id === undefined) {
    throw new ConnectorError('No order id on the msg: expected a positive number in msg.payload, msg.resourceId or msg.orderId', {
      code: 'bigcommerce.order_id_missing',
      field: 'payload',
      hint: 'Send the order id as msg.payload, or wire the verified webhook (msg.resourceId) into this node.',
    });
  }
  return id;
}

export default function register(RED: NodeAPI): void {
  function BigCommerceOrder(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const status = statusLine(RED, this);
    const files = stateStoreFor(RED.settings);
    const settings = readSettings(orderSettings, definition);
    const statusId = settings.statusId === '' ? undefined : Number(settings.statusId);
    const readMarkers = settings.readMarker;
    let polling = false;

    const getOne = async (msg: NodeMessage, send: SendFunction, store: BigCommerceConfigNode): Promise<void> => {
      const orderId = orderIdOf(msg);
      status.show('blue', 'dot', status.words('fetching', { order: orderId }));
      const { raw } = await fetchOrder(store.request, orderId);
      msg.payload = raw;
      msg.orderId = orderId;
      msg.storeHash = store.storeHash;
      if (readMarkers) markImported(msg, await readOrderMarker(store.request, orderId, IMPORT_MARKER.namespace, IMPORT_MARKER.key));
      status.show('green', 'dot', status.words('fetched', { order: orderId }));
      send(msg);
    };

    const poll = async (msg: NodeMessage, send: SendFunction, store: BigCommerceConfigNode): Promise<void> => {
      const key = `bigcommerce-order-${this.id}-${store.storeHash}`;
      const cursor = await files.read<OrderCursor>(key);
      status.show('blue', 'ring', status.words('polling'));
      // One listing for the whole poll (250 markers a page) instead of one read per order.
      const markers = readMarkers ? await listOrderMarkers(store.request, IMPORT_MARKER.namespace, IMPORT_MARKER.key) : new Map<number, OrderMarker>();
      const { counts, cursor: after } = await pollModifiedOrders(
        store.request,
        cursor,
        {
          overlapMs: settings.overlap * 1000,
          initialLookbackMs: settings.lookback * 3_600_000,
          statusId,
          // 250 is BigCommerce's usual maximum, but it does not state it for /v2/orders.
          pageSize: settings.pageSize,
        },
        {
          order: ({ raw }) => {
            const out: NodeMessage = { topic: msg.topic, payload: raw, orderId: raw.id, storeHash: store.storeHash };
            markImported(out, markers.get(Number(raw.id)));
            send(out);
          },
          invalid: (raw, error) => {
            const orderId = (raw as { id?: unknown } | null)?.id;
            this.error(error, { topic: msg.topic, payload: raw, orderId, errorDetails: error.toDetails() });
          },
          progress: async (next, sofar) => {
            await files.write(key, next);
            status.show('blue', 'ring', status.words('pollingSoFar', { count: sofar.emitted }));
          },
        },
      );
      const polled = status.words('polled', { count: counts.emitted });
      if (counts.invalid > 0) status.show('yellow', 'dot', `${polled}, ${status.words('invalid', { count: counts.invalid })}`);
      else status.show('green', 'dot', polled);
      operatorBoard.polled(store.storeHash, after, counts.emitted);
    };

    onInput(this, async (msg, send) => {
      const store = requireConfigNode<BigCommerceConfigNode>(RED, definition.bigcommerce, 'bigcommerce-config', this);
      operatorBoard.addStore({ id: store.id, storeHash: store.storeHash, stats: () => store.stats() });
      if (settings.mode !== 'poll') return getOne(msg, send, store);
      // An inject that fires again while a long poll runs would read the same orders twice; skip it instead.
      if (polling) return;
      polling = true;
      try {
        await poll(msg, send, store);
      } finally {
        polling = false;
      }
    }, status);
  }
  RED.nodes.registerType('bigcommerce-order', BigCommerceOrder);
}
