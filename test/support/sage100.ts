import type { SalesOrder } from '../../lib/sage100/types';

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
