import assert from 'node:assert/strict';
import { ValidationError } from '../../lib/errors';
import type { Sage100Client } from '../../lib/sage100/client';
import { changedContactFields, getCustomer, upsertCustomer } from '../../lib/sage100/customers';
import { SAGE_CODES, Sage100Error } from '../../lib/sage100/errors';
import type { Customer } from '../../lib/sage100/types';

/** A Sage100Client over a Map, recording every write, with hooks to play a race or a missing search. */
class FakeSage implements Sage100Client {
  readonly mode = 'agent' as const;
  readonly customers = new Map<string, Customer>();
  readonly writes: Array<{ op: 'create' | 'update'; customer: Customer }> = [];
  /** Runs before a create is applied: lets a test put "another worker's" customer in first. */
  beforeCreate?: (customer: Customer) => void;

  private key(div: string, no: string) {
    return `${div}-${no}`;
  }
  seed(customer: Customer) {
    this.customers.set(this.key(customer.ARDivisionNo, customer.CustomerNo), { ...customer });
  }
  async checkConnection(): Promise<never> {
    throw new Error('not used');
  }
  async getSalesOrder(): Promise<never> {
    throw new Error('not used');
  }
  async createSalesOrder(): Promise<never> {
    throw new Error('not used');
  }
  async getCustomer(div: string, no: string) {
    const found = this.customers.get(this.key(div, no));
    return found && { ...found };
  }
  async createCustomer(customer: Customer) {
    this.beforeCreate?.(customer);
    const key = this.key(customer.ARDivisionNo, customer.CustomerNo);
    if (this.customers.has(key)) throw new Sage100Error(SAGE_CODES.alreadyExists, 'The record already exists.');
    this.writes.push({ op: 'create', customer });
    // Sage fills defaults the web store never sends.
    this.customers.set(key, { TermsCode: '01', ...customer });
  }
  async updateCustomer(customer: Customer) {
    const key = this.key(customer.ARDivisionNo, customer.CustomerNo);
    if (!this.customers.has(key)) throw new Sage100Error(SAGE_CODES.noKey, 'The customer does not exist.');
    this.writes.push({ op: 'update', customer });
    this.customers.set(key, { ...customer });
  }
  async findCustomersByEmail(email: string) {
    return [...this.customers.values()].filter((customer) => customer.EmailAddress?.toLowerCase().includes(email.toLowerCase()));
  }
  async listItems(): Promise<never> {
    throw new Error('not used');
  }
  async close() {}
}

const webCustomer: Customer = {
  ARDivisionNo: '00',
  CustomerNo: 'BC1042',
  CustomerName: 'Ada Lovelace',
  AddressLine1: '12 Analytical Way',
  City: 'Portland',
  State: 'OR',
  ZipCode: '97201',
  CountryCode: 'USA',
  TelephoneNo: '503-555-0100',
  EmailAddress: 'ada@example.com',
  TermsCode: '05',
};

describe('Sage 100 customer upsert', () => {
  let sage: FakeSage;
  beforeEach(() => {
    sage = new FakeSage();
  });

  it('creates an absent customer and returns what Sage stored', async () => {
    const result = await upsertCustomer(sage, webCustomer);
    assert.equal(result.outcome, 'created');
    assert.equal(result.matchedBy, 'number');
    assert.deepEqual(sage.writes.map((write) => write.op), ['create']);
    assert.deepEqual(result.customer, { TermsCode: '05', ...webCustomer });
  });

  it('updates only the contact and address members that changed, keeping what Sage owns', async () => {
    sage.seed({ ...webCustomer, AddressLine1: '1 Old Road', TelephoneNo: '503-555-0199', TermsCode: '30', TaxSchedule: 'OR' });
    const result = await upsertCustomer(sage, { ...webCustomer, TermsCode: '05', TaxSchedule: 'WA' });
    assert.equal(result.outcome, 'updated');
    assert.deepEqual(result.changedFields, ['AddressLine1', 'TelephoneNo']);
    assert.equal(sage.writes.length, 1);
    const sent = sage.writes[0]?.customer;
    assert.equal(sent?.AddressLine1, '12 Analytical Way');
    assert.equal(sent?.TermsCode, '30', 'terms are Sage-owned on an existing customer');
    assert.equal(sent?.TaxSchedule, 'OR');
    assert.equal(result.customer.AddressLine1, '12 Analytical Way');
  });

  it('reports unchanged and writes nothing when the contact members already match (ignoring padding)', async () => {
    sage.seed({ ...webCustomer, City: 'Portland   ', AddressLine2: 'Suite 5' });
    const { AddressLine2: _unset, ...withoutLine2 } = { ...webCustomer, AddressLine2: undefined };
    const result = await upsertCustomer(sage, withoutLine2);
    assert.equal(result.outcome, 'unchanged');
    assert.deepEqual(result.changedFields, []);
    assert.equal(sage.writes.length, 0);
    assert.equal(result.customer.AddressLine2, 'Suite 5', 'an unset member leaves Sage\'s value alone');
  });

  it('clears a member the web store sends as empty', async () => {
    sage.seed({ ...webCustomer, AddressLine2: 'Suite 5' });
    const result = await upsertCustomer(sage, { ...webCustomer, AddressLine2: '' });
    assert.equal(result.outcome, 'updated');
    assert.deepEqual(result.changedFields, ['AddressLine2']);
  });

  it('treats a create that lost a race (WS_AlreadyExists) as an existing customer, with no second create', async () => {
    sage.beforeCreate = (customer) => {
      sage.beforeCreate = undefined;
      sage.seed({ ...customer, TelephoneNo: '000' });
    };
    const result = await upsertCustomer(sage, webCustomer);
    assert.equal(result.outcome, 'updated');
    assert.deepEqual(result.changedFields, ['TelephoneNo']);
    assert.deepEqual(sage.writes.map((write) => write.op), ['update']);
  });

  it('treats a create that already committed (repeated after a timeout) as unchanged', async () => {
    sage.beforeCreate = (customer) => {
      sage.beforeCreate = undefined;
      sage.seed(customer);
    };
    const result = await upsertCustomer(sage, webCustomer);
    assert.equal(result.outcome, 'unchanged');
    assert.equal(sage.writes.length, 0);
  });

  it('rejects a bad customer with the field and the record named, and writes nothing', async () => {
    // At the company's lengths when the client knows them (agent health), else at the longest any version has.
    const longName = 'A name far longer than thirty characters';
    const thirty = Object.assign(Object.create(sage) as typeof sage, { fieldLimits: async () => ({ Name: 30 }) });
    const err = await upsertCustomer(thirty, { ...webCustomer, CustomerName: longName }).catch((e: unknown) => e);
    assert.ok(err instanceof ValidationError);
    assert.equal(err.field, 'CustomerName');
    assert.equal(err.record, 'customer 00-BC1042');
    assert.match(err.message, /customer 00-BC1042: CustomerName: at most 30 characters/);
    const tooLong = await upsertCustomer(sage, { ...webCustomer, CustomerName: longName.repeat(2) }).catch((e: unknown) => e);
    assert.match(String((tooLong as Error).message), /CustomerName: at most 50 characters/);
    assert.equal(sage.writes.length, 0);
  });

  it('passes Sage errors through unchanged', async () => {
    sage.createCustomer = async () => {
      throw new Sage100Error(SAGE_CODES.notOnFile, 'Could not set AR_Customer_bus column ZipCode', { record: 'customer 00-BC1042' });
    };
    const err = await upsertCustomer(sage, webCustomer).catch((e: unknown) => e);
    assert.ok(err instanceof Sage100Error);
    assert.equal(err.sageCode, 'CI_NOF');
    assert.match(err.hint ?? '', /ZIP Code table/);
  });

  describe('matching by email', () => {
    it('uses the one existing customer with that email instead of creating a new one', async () => {
      sage.seed({ ARDivisionNo: '01', CustomerNo: 'LOVELACE', CustomerName: 'Ada Lovelace', EmailAddress: 'ADA@example.com', City: 'Portland' });
      const result = await upsertCustomer(sage, webCustomer, { matchByEmail: true });
      assert.equal(result.matchedBy, 'email');
      assert.equal(result.outcome, 'updated');
      assert.equal(result.customer.CustomerNo, 'LOVELACE');
      assert.equal(result.customer.ARDivisionNo, '01');
      assert.ok(sage.writes.every((write) => write.op === 'update' && write.customer.CustomerNo === 'LOVELACE'));
      assert.ok(!result.changedFields.includes('EmailAddress'), 'the email matched ignoring case, so it is not rewritten');
    });

    it('does not guess between several customers with the same email: creates by number and warns', async () => {
      sage.seed({ ARDivisionNo: '01', CustomerNo: 'A1', CustomerName: 'Ada', EmailAddress: 'ada@example.com' });
      sage.seed({ ARDivisionNo: '02', CustomerNo: 'A2', CustomerName: 'Ada', EmailAddress: 'ada@example.com' });
      const result = await upsertCustomer(sage, webCustomer, { matchByEmail: true });
      assert.equal(result.outcome, 'created');
      assert.equal(result.customer.CustomerNo, 'BC1042');
      assert.match(result.warnings[0] ?? '', /matches 2 Sage customers \(01-A1, 02-A2\)/);
    });

    it('ignores looser search hits that are not the same address', async () => {
      sage.seed({ ARDivisionNo: '01', CustomerNo: 'OTHER', CustomerName: 'Other', EmailAddress: 'mada@example.com' });
      const result = await upsertCustomer(sage, webCustomer, { matchByEmail: true });
      assert.equal(result.outcome, 'created');
      assert.equal(result.matchedBy, 'number');
    });
  });

  describe('get', () => {
    it('returns the customer by ARDivisionNo + CustomerNo', async () => {
      sage.seed(webCustomer);
      assert.deepEqual(await getCustomer(sage, { ARDivisionNo: '00', CustomerNo: 'BC1042' }), webCustomer);
    });

    it('names the customer when it is not on file', async () => {
      const err = await getCustomer(sage, { ARDivisionNo: '00', CustomerNo: 'NOPE' }).catch((e: unknown) => e);
      assert.ok(err instanceof Sage100Error);
      assert.equal(err.code, 'sage100.CI_NoKey');
      assert.equal(err.record, 'customer 00-NOPE');
    });

    it('rejects a malformed key before asking Sage', async () => {
      const err = await getCustomer(sage, { ARDivisionNo: '0', CustomerNo: 'abc' }).catch((e: unknown) => e);
      assert.ok(err instanceof ValidationError);
      assert.equal(err.field, 'ARDivisionNo');
    });
  });

  it('changedContactFields compares only the contact and address members that are set', () => {
    assert.deepEqual(changedContactFields(webCustomer, { ...webCustomer, TermsCode: '99', City: 'Salem', State: undefined }), { City: 'Salem' });
  });
});
