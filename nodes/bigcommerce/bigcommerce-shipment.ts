import { z } from 'zod';
import { ConnectorError, parseWith } from '../../lib/errors';
import { onInput, requireConfigNode, statusLine } from '../../lib/node-red/node';
import { stateStoreFor } from '../../lib/node-red/state-store';
import type { NodeAPI, NodeDefinition, NodeMessage, RuntimeNode, SendFunction } from '../../lib/node-red/types';
import { invoiceSchema } from '../../lib/sage100/invoices';
import { parseCarrierTable, shipInvoices, shipmentSettingsSchema, type InvoiceOutcome, type SentLedger } from '../../lib/sync/shipments';
import { echoRecordsFor, isOwnStatusEcho, orderEventOf, recordOwnStatusChange } from '../../lib/sync/status-echo';
import type { SyncItemMapNode } from '../sync/sync-item-map';
import { sharedNumbering } from '../sync/sync-order-numbering';
import type { BigCommerceConfigNode } from './bigcommerce-config';
import { readSettings } from '../../lib/settings/definition';
import { shipmentSettings } from '../../lib/settings/bigcommerce';

/** Outcomes a person should look at: sent to output 2 one by one. */
const ATTENTION: ReadonlySet<InvoiceOutcome> = new Set(['shipped-by-hand', 'ambiguous', 'rejected']);

export default function register(RED: NodeAPI): void {
  function BigCommerceShipment(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const status = statusLine(RED, this);
    const files = stateStoreFor(RED.settings);
    const key = `bigcommerce-shipment-${this.id}`;
    const storeKey = (store: BigCommerceConfigNode) => store.storeHash || store.id;

    if (readSettings(shipmentSettings, definition).role === 'echo-filter') {
      let echoes = 0;
      onInput(this, async (msg, send) => {
        const store = requireConfigNode<BigCommerceConfigNode>(RED, definition.bigcommerce, 'bigcommerce-config', this);
        if (isOwnStatusEcho(echoRecordsFor(storeKey(store)), orderEventOf(msg.topic, msg.event), Date.now())) {
          echoes++;
          status.show('grey', 'ring', status.words('echoes', { count: echoes }));
          send([null, msg]);
        } else {
          send([msg, null]);
        }
      }, status);
      return;
    }

    const ship = async (msg: NodeMessage, send: SendFunction): Promise<void> => {
      // Read on each run, so a wrong table fails the msg (to a Catch node) rather than the deploy.
      const own = readSettings(shipmentSettings, definition);
      const settings = parseWith(
        shipmentSettingsSchema,
        {
          lineColumn: own.lineColumn.trim(),
          packages: own.packages,
          packageColumn: own.packageColumn.trim(),
          // The shared numbering's prefix, so shipments recognize the orders by the mapper's rule; a node naming
          // none (saved before it could) keeps its own.
          customerPoPrefix: own.numbering ? sharedNumbering(RED, own.numbering, this).customerPoPrefix : own.customerPoPrefix.trim(),
          carrierTable: own.carrierTable,
          checkAfterWrite: own.checkAfterWrite,
        },
        { what: 'Shipment settings', record: `node ${String(definition.name || definition.id)}`, code: 'shipments.settings' },
      );
      const carriers = parseCarrierTable(settings.carrierTable);
      const store = requireConfigNode<BigCommerceConfigNode>(RED, definition.bigcommerce, 'bigcommerce-config', this);
      const itemMap = definition.itemMap ? requireConfigNode<SyncItemMapNode>(RED, definition.itemMap, 'sync-item-map', this).skuMap() : undefined;
      const invoices = parseWith(z.array(invoiceSchema), Array.isArray(msg.payload) ? msg.payload : [msg.payload], { what: 'Sage 100 invoices', code: 'shipments.invoice_invalid' });
      const saved = await files.read<SentLedger>(key);
      const ledger: SentLedger = saved?.store === storeKey(store) ? saved : { store: storeKey(store), sent: {} };
      status.show('blue', 'dot', status.words('invoices', { count: invoices.length }));
      const echoes = echoRecordsFor(storeKey(store));
      const run = await shipInvoices(invoices, {
        request: store.request,
        settings,
        carriers,
        skuMap: itemMap,
        ledger,
        onShipped: (orderId) => recordOwnStatusChange(echoes, orderId, Date.now()),
      });
      await files.write(key, run.ledger);

      const count = (outcome: InvoiceOutcome) => run.results.filter((result) => result.outcome === outcome).length;
      const attention = run.results.filter((result) => ATTENTION.has(result.outcome));
      const text = [
        status.words('shipped', { count: count('shipped') }),
        attention.length > 0 && status.words('toCheck', { count: attention.length }),
        run.errors.length > 0 && status.words('failed', { count: run.errors.length }),
      ].filter(Boolean).join(', ');
      status.show(run.errors.length > 0 ? 'red' : attention.length > 0 ? 'yellow' : 'green', 'dot', text);
      send([
        [{ ...msg, payload: run.results, acceptedInvoices: run.results.filter((result) => result.accepted).map((result) => result.invoiceNo) }],
        attention.map((result) => ({ ...msg, topic: result.outcome, payload: result })),
      ]);
      if (run.errors.length > 0) {
        const [first] = run.errors;
        throw new ConnectorError(`${run.errors.length} of ${invoices.length} invoices not shipped yet (sent again with the next poll): ${first!.message}`, {
          code: first!.code,
          record: first!.record,
          hint: first!.hint,
          retryable: true,
        });
      }
    };

    // One run at a time: each reads the ledger the previous one saved.
    let previous: Promise<void> = Promise.resolve();
    onInput(this, (msg, send) => {
      const run = previous.then(() => ship(msg, send));
      previous = run.catch(() => undefined);
      return run;
    }, status);
  }
  RED.nodes.registerType('bigcommerce-shipment', BigCommerceShipment);
}
