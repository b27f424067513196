import { z } from 'zod';
import { onInput, requireConfigNode, statusLine } from '../../lib/node-red/node';
import { stateStoreFor } from '../../lib/node-red/state-store';
import type { NodeAPI, NodeDefinition, NodeMessage, RuntimeNode, SendFunction } from '../../lib/node-red/types';
import type { ItemCursor } from '../../lib/sage100/client';
import { InvoicesNeedAgentError, collectInvoices, mergePending, type SageInvoice } from '../../lib/sage100/invoices';
import type { Sage100ConfigNode } from './sage100-config';
import { readSettings } from '../../lib/settings/definition';
import { invoicesSettings } from '../../lib/settings/sage100';

/**
 * The cursor and the invoices read but not yet accepted by the store, for this configuration and company.
 * The cursor moves as soon as a run has read everything, but what it passed stays here until the shipment
 * node acknowledges it (`msg.acceptedInvoices`), and goes out again with every run until then.
 */
interface SavedState {
  configId: string;
  companyCode: string;
  cursor?: ItemCursor;
  pending: SageInvoice[];
}

const acknowledgementSchema = z.array(z.string());

/** More pending invoices than a store outage of a day would leave: most likely the acknowledgement is not wired. */
const PENDING_WARNING = 1_000;

export default function register(RED: NodeAPI): void {
  function Sage100Invoices(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const { pageSize } = readSettings(invoicesSettings, definition);
    const files = stateStoreFor(RED.settings);
    const key = `sage100-invoices-${this.id}`;

    const config = RED.nodes.getNode(String(definition.sage100 ?? '')) as Sage100ConfigNode | undefined;
    const status = statusLine(RED, this, { warning: config?.warningStatus });
    if (config?.mode === 'soap') status.error(new InvoicesNeedAgentError());

    const pendingText = (count: number) => (count === 0 ? status.words('allAccepted') : status.words('pending', { count }));

    const handle = async (msg: NodeMessage, send: SendFunction): Promise<void> => {
      const sage = requireConfigNode<Sage100ConfigNode>(RED, definition.sage100, 'sage100-config', this);
      const saved = await files.read<SavedState>(key);
      const state: SavedState = saved?.configId === sage.id && saved.companyCode === sage.companyCode ? saved : { configId: sage.id, companyCode: sage.companyCode, pending: [] };

      const acknowledged = acknowledgementSchema.safeParse(msg.acceptedInvoices);
      if (acknowledged.success) {
        const accepted = new Set(acknowledged.data);
        state.pending = state.pending.filter((invoice) => !accepted.has(invoice.InvoiceNo));
        await files.write(key, state);
        status.show('green', 'dot', pendingText(state.pending.length));
        return;
      }

      if (sage.mode !== 'agent') throw new InvoicesNeedAgentError();
      status.show('blue', 'dot', status.words('reading'));
      const run = await collectInvoices(sage.client, state.cursor, pageSize);
      const invoices = mergePending(state.pending, run.invoices);
      // Saved before sending: from here the invoices are pending until acknowledged, so none is lost if the store fails.
      await files.write(key, { ...state, cursor: run.nextCursor, pending: invoices } satisfies SavedState);
      status.show('green', 'dot', `${status.words('new', { count: run.invoices.length })}, ${pendingText(invoices.length)}`);
      if (invoices.length > PENDING_WARNING && state.pending.length <= PENDING_WARNING) {
        this.warn(`${invoices.length} invoices are waiting for an acknowledgement: wire output 1 of bigcommerce-shipment back into this node`);
      }
      if (invoices.length === 0) return;
      msg.payload = invoices;
      msg.sage100 = { ...(msg.sage100 as object | undefined), invoices: { count: invoices.length, fresh: run.invoices.length, since: state.cursor ?? null, next: run.nextCursor ?? null } };
      send(msg);
    };

    // One at a time: runs and acknowledgements read and write the same state.
    let previous: Promise<void> = Promise.resolve();
    onInput(this, (msg, send) => {
      const run = previous.then(() => handle(msg, send));
      previous = run.catch(() => undefined);
      return run;
    }, status);
  }
  RED.nodes.registerType('sage100-invoices', Sage100Invoices);
}
