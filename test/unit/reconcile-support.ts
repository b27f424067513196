import type { OrderPayments } from '../../lib/bigcommerce/payments';
import type { Sage100Client } from '../../lib/sage100/client';
import type { SalesOrder } from '../../lib/sage100/types';

/** Shared by the reconciliation tests: a read-only fake Sage, and records in the shapes the node receives. */

/** A Sage that only answers reads; every write is recorded, so a test can prove none happened. */
export class FakeSage implements Sage100Client {
  readonly mode = 'agent' as const;
  readonly writes: string[] = [];
  readonly reads: string[] = [];

  constructor(
    private readonly orders: Record<string, SalesOrder>,
    private readonly failing: Record<string, Error> = {},
  ) {}

  async getSalesOrder(salesOrderNo: string): Promise<SalesOrder | undefined> {
    this.reads.push(salesOrderNo);
    const failure = this.failing[salesOrderNo];
    if (failure) throw failure;
    return this.orders[salesOrderNo];
  }

  async checkConnection(): Promise<never> {
    throw new Error('not used');
  }
  async createSalesOrder(): Promise<void> {
    this.writes.push('createSalesOrder');
  }
  async getCustomer(): Promise<undefined> {
    return undefined;
  }
  async createCustomer(): Promise<void> {
    this.writes.push('createCustomer');
  }
  async updateCustomer(): Promise<void> {
    this.writes.push('updateCustomer');
  }
  async findCustomersByEmail(): Promise<[]> {
    return [];
  }
  async listItems(): Promise<never> {
    throw new Error('not used');
  }
  async close(): Promise<void> {}
}

export function salesOrder(no: string, orderId: number, overrides: Partial<SalesOrder> = {}): SalesOrder {
  return {
    SalesOrderNo: no,
    OrderDate: '20240105',
    ARDivisionNo: '00',
    CustomerNo: 'BC42',
    CustomerPONo: `BC${orderId}`,
    Lines: [
      { ItemCode: 'TEE', QuantityOrdered: 2, UnitPrice: 25 },
      { ItemCode: '/C', ItemType: '4', CommentText: 'Size: M' },
      { ItemCode: '/FREIGHT', ItemType: '5', QuantityOrdered: 1, UnitPrice: 10 },
    ],
    SalesTaxAmt: 4.8,
    ...overrides,
  };
}

export const capture = (amount: number, overrides: Record<string, unknown> = {}) => ({
  id: 1,
  order_id: '100',
  event: 'capture',
  method: 'credit_card',
  amount,
  currency: 'USD',
  gateway: 'stripe',
  status: 'ok',
  ...overrides,
});

export function payments(orderId: number, overrides: Partial<Record<keyof OrderPayments, unknown>> = {}) {
  return { orderId, orderTotal: 64.8, currency: 'USD', statusId: 11, transactions: [capture(64.8)], refunds: [], ...overrides };
}

