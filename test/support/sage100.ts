import type { SalesOrder } from '../../lib/sage100/types';
import type { Sage100Simulator } from '../../sandbox/sage100/index';
import { coreNode, helper, nextMessage, type TestNode } from './node-red';

/** Web order 1042 as the mapper would make it, for the demo company's customer WEB0001 and item WIDGET-1. */
export const sampleSalesOrder = (overrides: Partial<SalesOrder> = {}): SalesOrder => ({
  SalesOrderNo: 'W001042',
  OrderDate: '20260302',
  ARDivisionNo: '01',
  CustomerNo: 'WEB0001',
  CustomerPONo: 'BC1042',
  ShipToName: 'Ada Lovelace',
  ShipToZipCode: '98101',
  Lines: [{ ItemCode: 'WIDGET-1', QuantityOrdered: 2, UnitPrice: 11.25 }],
  ...overrides,
});

/** The error a promise rejects with; fails the test when it resolves. */
export async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/**
 * A flow with one Sage 100 node under test (`subject`) wired to a helper (`out`), a Catch of it wired to `caught`,
 * and its sage100-config pointed at the simulator in agent or SOAP mode.
 */
export async function loadSageNode(
  nodes: unknown[],
  sim: Sage100Simulator,
  options: { mode: 'agent' | 'soap'; node: Record<string, unknown> & { type: string }; tls?: Record<string, unknown>; secret?: string; timeoutMs?: number },
): Promise<{ subject: TestNode; out: TestNode; caught: TestNode }> {
  const { mode } = options;
  const where = mode === 'agent' ? { agentUrl: sim.agentUrl } : { soapEndpoint: sim.soapUrl };
  const credentials: Record<string, string> =
    mode === 'agent' ? { apiKey: options.secret ?? sim.apiKey } : { username: sim.username, password: options.secret ?? sim.password };
  const tls = options.tls ?? { tlsMode: 'ca', caPem: sim.certificatePem };
  await helper.load(
    [...nodes, coreNode('common/25-catch.js')],
    [
      { id: 'tab', type: 'tab' },
      { id: 'sage', type: 'sage100-config', mode, ...where, companyCode: 'ABC', ...tls, timeoutMs: options.timeoutMs ?? 5000 },
      { id: 'subject', z: 'tab', x: 100, y: 100, sage100: 'sage', wires: [['out']], ...options.node },
      { id: 'out', z: 'tab', x: 100, y: 100, type: 'helper' },
      { id: 'catch', z: 'tab', x: 100, y: 100, type: 'catch', scope: ['subject'], wires: [['caught']] },
      { id: 'caught', z: 'tab', x: 100, y: 100, type: 'helper' },
    ],
    { sage: credentials },
  );
  return { subject: helper.getNode('subject'), out: helper.getNode('out'), caught: helper.getNode('caught') };
}

/** Sends `msg` to `node` and resolves with the next msg `listener` receives. */
export function sendAndReceive<T>(node: TestNode, listener: TestNode, msg: Record<string, unknown>): Promise<T> {
  const next = nextMessage<T>(listener);
  node.receive(msg);
  return next;
}
