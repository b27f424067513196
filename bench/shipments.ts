import { demoBilling, DEMO_ADDRESSES, demoOrderInput, seedDemoWorld, type DemoWorld } from '../sandbox/demo';
import { findNode, sandboxFlows } from '../sandbox/flows';
import { deploy, flowCount, startWorld, storeQuiet, waitFor, type World } from './harness';
import { NAIVE_IDS, NAIVE_SHIPMENTS_TAB, naiveShipmentsFlow } from './naive-flows';

/**
 * Sage 100 invoices to BigCommerce shipments: the example flow's Fulfillment tab against a hand-wired flow, the
 * same number of invoiced web orders each (3 lines, 2 packages). Ours runs twice: orders whose Sage lines carry
 * the UDF link (`UDF_BC_LINE`, what the mapper is to write) and orders without it (matched by SKU, one more
 * read). Then every poll again: what a repeat costs, and whether it makes a second shipment.
 */

export interface ShipmentsRun {
  invoices: number;
  bcCalls: number;
  byRoute: Record<string, number>;
  /** Calls of a second poll over the same invoices, and shipments it added. */
  repeatCalls: number;
  repeatShipments: number;
}

export interface ShipmentsResult {
  oursUdf: ShipmentsRun;
  oursSku: ShipmentsRun;
  naive: ShipmentsRun;
}

const NAIVE_PREFIX = 'NV';

/** Web orders placed in the store and entered in Sage as the mapper does; returns their ids. */
function orders(world: World, demo: DemoWorld, count: number, poPrefix: string, withUdf: boolean): number[] {
  const company = world.sage.company;
  return Array.from({ length: count }, () => {
    const lines = [0, 1, 2].map((offset) => ({ sku: demo.items[(offset * 3) % demo.items.length]!.itemCode, quantity: offset + 1 }));
    const order = world.bc.store.placeOrder(demoOrderInput({ customerId: 0, billing: demoBilling('Bench', 'Shopper', DEMO_ADDRESSES[0]!, { guest: true, phone: '555-0100', email: 'bench@example.com' }), lines, shippingMethod: 'UPS Ground', shippingCost: 5 }));
    const addressId = order.shipping[0]!.id;
    company.createSalesOrder({
      SalesOrderNo: `W${String(order.id).padStart(6, '0')}`,
      OrderDate: '20261204',
      ARDivisionNo: '00',
      CustomerNo: 'WEBCASH',
      CustomerPONo: `${poPrefix}${order.id}`,
      ShipVia: 'UPS GROUND',
      Lines: order.lines.map((line, index) => ({ ItemCode: lines[index]!.sku, QuantityOrdered: line.quantity, UnitPrice: 10, ...(withUdf && { UDF_BC_LINE: `${line.id}@${addressId}` }) })),
    });
    return order.id;
  });
}

function invoiceAll(world: World, orderIds: number[]): void {
  for (const id of orderIds) world.sage.company.invoiceSalesOrder({ salesOrderNo: `W${String(id).padStart(6, '0')}`, trackingNumbers: [`1Z${id}A`, `1Z${id}B`] });
}

const shipmentsOf = (world: World, orderIds: number[]) => orderIds.reduce((sum, id) => sum + world.bc.store.shipmentsOf(id).length, 0);

/** Presses an inject, waits until every order has its shipment and the store went quiet; the calls it took. */
async function measure(world: World, injectId: string, orderIds: number[], expectShipments: number): Promise<{ total: number; byRoute: Record<string, number> }> {
  const mark = world.bcCalls.mark();
  await world.nodeRed.inject(injectId);
  await waitFor('the shipments', () => (shipmentsOf(world, orderIds) >= expectShipments ? true : undefined), { timeoutMs: 120_000, log: world.nodeRed.log });
  await storeQuiet(world, 1_000, 60_000);
  const calls = world.bcCalls.since(mark);
  return { total: calls.total, byRoute: calls.byRoute };
}

export async function benchShipments(options: { invoices: number }): Promise<ShipmentsResult> {
  let demo: DemoWorld | undefined;
  const world = await startWorld({
    storeHash: 'benchshipments',
    sageCompany: { udfColumns: { SO_SalesOrderDetail: ['UDF_BC_LINE'] } },
    seed: (bc, sage) => (demo = seedDemoWorld(bc, sage, { items: 12, seed: 14 })),
  });
  try {
    const flows = [...sandboxFlows(world.endpoints, { withoutSchedules: true }), ...naiveShipmentsFlow(world.endpoints, NAIVE_PREFIX)];
    await deploy(world, flows);
    const invoicesNode = findNode(flows, 'sage100-invoices');
    const oursInject = flows.find((node) => node.type === 'inject' && (node.wires as string[][]).flat().includes(invoicesNode.id))!.id;
    const n = options.invoices;

    const oursRun = async (withUdf: boolean): Promise<ShipmentsRun> => {
      const ids = orders(world, demo!, n, 'BC', withUdf);
      invoiceAll(world, ids);
      const first = await measure(world, oursInject, ids, n);
      const repeat = await measure(world, oursInject, ids, n);
      return { invoices: n, bcCalls: first.total, byRoute: first.byRoute, repeatCalls: repeat.total, repeatShipments: shipmentsOf(world, ids) - n };
    };
    const oursUdf = await oursRun(true);
    const oursSku = await oursRun(false);

    const naiveIds = orders(world, demo!, n, NAIVE_PREFIX, false);
    invoiceAll(world, naiveIds);
    const naiveFirst = await measure(world, NAIVE_IDS.shipmentsStart, naiveIds, n);
    const before = await flowCount(world.nodeRed, NAIVE_SHIPMENTS_TAB, 'shipmentCalls');
    const mark = world.bcCalls.mark();
    await world.nodeRed.inject(NAIVE_IDS.shipmentsStart);
    // The naive flow reads every invoice again (it keeps no cursor): every one of ours too, but only its own PO prefix goes on.
    await waitFor('the naive repeat poll', async () => ((await flowCount(world.nodeRed, NAIVE_SHIPMENTS_TAB, 'shipmentCalls')) >= before + n ? true : undefined), { timeoutMs: 120_000, log: world.nodeRed.log });
    await storeQuiet(world, 1_000, 60_000);
    const naive: ShipmentsRun = { invoices: n, bcCalls: naiveFirst.total, byRoute: naiveFirst.byRoute, repeatCalls: world.bcCalls.since(mark).total, repeatShipments: shipmentsOf(world, naiveIds) - n };
    return { oursUdf, oursSku, naive };
  } finally {
    await world.stop();
  }
}
