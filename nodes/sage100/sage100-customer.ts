import { ValidationError } from '../../lib/errors';
import { onInput, requireConfigNode, statusLine } from '../../lib/node-red/node';
import type { NodeAPI, NodeDefinition, NodeMessage, RuntimeNode } from '../../lib/node-red/types';
import { getCustomer, upsertCustomer, type CustomerOutcome } from '../../lib/sage100/customers';
import { upsertCustomerForOrder, type ZipFallback } from '../../lib/sage100/order-check';
import type { Customer } from '../../lib/sage100/types';
import type { CustomerPolicyOutput } from '../../lib/sync/customer-policy';
import type { Sage100ConfigNode } from './sage100-config';
import { readSettings } from '../../lib/settings/definition';
import { customerSettings } from '../../lib/settings/sage100';

interface CustomerPayload {
  customer?: unknown;
  salesOrder?: Record<string, unknown>;
  warnings?: unknown;
  [key: string]: unknown;
}

export interface CustomerReport {
  outcome: CustomerOutcome | 'found';
  ARDivisionNo: string;
  CustomerNo: string;
  changedFields?: string[];
  matchedBy?: 'email';
}

function payloadOf(msg: NodeMessage): CustomerPayload & { customer: unknown } {
  const payload = msg.payload as CustomerPayload | undefined;
  if (typeof payload !== 'object' || payload === null || payload.customer === undefined) {
    throw new ValidationError('sage100-customer needs msg.payload.customer: a Sage customer, as sync-order-mapper emits it', {
      code: 'validation.invalid',
      field: 'payload.customer',
      hint: 'Wire a sync-order-mapper before this node, or set msg.payload.customer to { ARDivisionNo, CustomerNo, CustomerName, … }.',
    });
  }
  return payload as CustomerPayload & { customer: unknown };
}

/** Puts Sage's customer on the msg; a customer found by email gets the sales order too (it has another number). */
function withCustomer(payload: CustomerPayload, customer: Customer, warnings: string[], moveOrder: boolean): CustomerPayload {
  const out: CustomerPayload = { ...payload, customer };
  if (moveOrder && payload.salesOrder) out.salesOrder = { ...payload.salesOrder, ARDivisionNo: customer.ARDivisionNo, CustomerNo: customer.CustomerNo };
  if (warnings.length > 0) out.warnings = [...(Array.isArray(payload.warnings) ? payload.warnings : []), ...warnings];
  return out;
}

export default function register(RED: NodeAPI): void {
  function Sage100Customer(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const { operation, matchByEmail, zipFallback: fallback, zipFallbackCode } = readSettings(customerSettings, definition);
    const zipFallback: ZipFallback = fallback === 'hold' ? { action: 'hold' } : { action: 'replace', zipCode: fallback === 'code' ? zipFallbackCode.trim() : '' };
    const config = RED.nodes.getNode(String(definition.sage100 ?? '')) as Sage100ConfigNode | undefined;
    const status = statusLine(RED, this, { warning: config?.warningStatus });

    onInput(this, async (msg, send) => {
      const { client } = requireConfigNode<Sage100ConfigNode>(RED, definition.sage100, 'sage100-config', this);
      const payload = payloadOf(msg);
      let report: CustomerReport;
      if (operation === 'get') {
        const customer = await getCustomer(client, payload.customer);
        msg.payload = withCustomer(payload, customer, [], false);
        report = { outcome: 'found', ARDivisionNo: customer.ARDivisionNo, CustomerNo: customer.CustomerNo };
      } else {
        const policy = payload.customerPolicy as CustomerPolicyOutput | undefined;
        const options = { matchByEmail, ...(policy && !matchByEmail && { policy }) };
        // All or nothing: an order Sage will refuse stops here, before its customer is written.
        const checked = payload.salesOrder === undefined
          ? undefined
          : await upsertCustomerForOrder(client, { salesOrder: payload.salesOrder, customer: payload.customer, standInCustomerNo: policy?.cashCustomerNo }, zipFallback, options);
        const current = checked ? { ...payload, salesOrder: checked.salesOrder as unknown as Record<string, unknown>, customer: checked.customer ?? payload.customer } : payload;
        const result = checked?.upserted ?? (await upsertCustomer(client, current.customer, options));
        msg.payload = withCustomer(current, result.customer, [...(checked?.warnings ?? []), ...result.warnings], result.matchedBy === 'email');
        report = {
          outcome: result.outcome,
          ARDivisionNo: result.customer.ARDivisionNo,
          CustomerNo: result.customer.CustomerNo,
          ...(result.outcome === 'updated' && { changedFields: result.changedFields }),
          ...(result.matchedBy === 'email' && { matchedBy: 'email' as const }),
        };
      }
      msg.sage100 = { ...(msg.sage100 as Record<string, unknown> | undefined), customer: report };
      status.show('green', 'dot', status.words(report.outcome, { customer: `${report.ARDivisionNo}-${report.CustomerNo}` }));
      send(msg);
    }, status);
  }
  RED.nodes.registerType('sage100-customer', Sage100Customer);
}
