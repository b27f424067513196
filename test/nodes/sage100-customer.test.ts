import assert from 'node:assert/strict';
import type { Customer } from '../../lib/sage100/types';
import sage100Config from '../../nodes/sage100/sage100-config';
import sage100Customer from '../../nodes/sage100/sage100-customer';
import { SageCompany, seedDemo } from '../../sandbox/sage100/company';
import { startSage100Simulator, type Sage100Simulator } from '../../sandbox/sage100/index';
import { caughtWithoutConfiguration, helper, type TestNode } from '../support/node-red';
import { loadSageNode, sampleSalesOrder, sendAndReceive } from '../support/sage100';


const webCustomer = (overrides: Partial<Customer> = {}): Customer => ({
  ARDivisionNo: '00',
  CustomerNo: 'BC1042',
  CustomerName: 'Grace Hopper',
  AddressLine1: '1 Navy Yard',
  City: 'Chicago',
  State: 'IL',
  ZipCode: '60601',
  CountryCode: 'USA',
  EmailAddress: 'grace@example.com',
  ...overrides,
});

interface OutMsg {
  payload: { customer: Customer; salesOrder?: Record<string, unknown>; warnings?: string[] };
  sage100: { customer?: Record<string, unknown>; [key: string]: unknown };
  errorDetails?: Record<string, unknown>;
}

for (const mode of ['agent', 'soap'] as const) {
  describe(`sage100-customer node (${mode} mode)`, () => {
    let sim: Sage100Simulator;
    beforeEach(async () => {
      sim = await startSage100Simulator({ company: seedDemo(new SageCompany()) });
      await helper.startServer();
    });
    afterEach(async () => {
      await helper.unload();
      await helper.stopServer();
      await sim.close();
    });

    async function load(settings: { operation?: 'upsert' | 'get'; matchByEmail?: boolean; secret?: string; zipFallback?: string; zipFallbackCode?: string } = {}) {
      const node = { type: 'sage100-customer', operation: settings.operation ?? 'upsert', matchByEmail: settings.matchByEmail ?? false, zipFallback: settings.zipFallback, zipFallbackCode: settings.zipFallbackCode };
      const { subject, out, caught } = await loadSageNode([sage100Config, sage100Customer], sim, { mode, node, secret: settings.secret });
      return { node: subject, out, caught };
    }

    const send = (node: TestNode, listener: TestNode, msg: Record<string, unknown>) => sendAndReceive<OutMsg>(node, listener, msg);

    const policy = (overrides: Record<string, unknown> = {}) => ({
      cashCustomerNo: 'WEBCASH',
      isCashCustomer: false,
      updatableFields: ['EmailAddress', 'TelephoneNo'],
      newCustomer: { defaults: { TermsCode: '30', CustomerType: 'WEB' } },
      ...overrides,
    });

    it('under the policy, an existing customer takes only updatable fields, never a shortened or emptier value', async () => {
      const { node, out } = await load();
      const before = sim.company.getCustomer('01', 'WEB0001');
      const incoming = { ARDivisionNo: '01', CustomerNo: 'WEB0001', CustomerName: 'Ada Lovelac', AddressLine1: '', City: 'Seattle', EmailAddress: 'ada@newmail.example', TelephoneNo: '' };
      const result = await send(node, out, { payload: { customer: incoming, customerPolicy: policy({ updatableFields: ['EmailAddress', 'TelephoneNo', 'CustomerName', 'AddressLine1'] }) } });
      assert.deepEqual(result.sage100.customer, { outcome: 'updated', ARDivisionNo: '01', CustomerNo: 'WEB0001', changedFields: ['EmailAddress'] });
      const after = sim.company.getCustomer('01', 'WEB0001');
      assert.deepEqual([after.CustomerName, after.AddressLine1, after.EmailAddress], [before.CustomerName, before.AddressLine1, 'ada@newmail.example']);
      assert.ok(result.payload.warnings?.some((warning) => /CustomerName .*shortened/.test(warning)), String(result.payload.warnings));
      assert.ok(result.payload.warnings?.some((warning) => /AddressLine1 .*emptier/.test(warning)), String(result.payload.warnings));
    });

    it("under the policy, a guest order never touches the cash customer's record", async () => {
      const { node, out } = await load();
      const before = sim.company.getCustomer('00', 'WEBCASH');
      const guest = { ARDivisionNo: '00', CustomerNo: 'WEBCASH', CustomerName: 'Alan Turing', EmailAddress: 'alan@example.com', ZipCode: '98101' };
      const result = await send(node, out, { payload: { customer: guest, customerPolicy: policy({ isCashCustomer: true }) } });
      assert.equal(result.sage100.customer?.outcome, 'unchanged');
      assert.deepEqual(sim.company.getCustomer('00', 'WEBCASH'), before);
    });

    it('under the policy, a new customer gets the configured master data, or the template customer\'s', async () => {
      const { node, out } = await load();
      await send(node, out, { payload: { customer: webCustomer(), customerPolicy: policy() } });
      const created = sim.company.getCustomer('00', 'BC1042');
      assert.deepEqual([created.TermsCode, created.CustomerType, created.CustomerName], ['30', 'WEB', 'Grace Hopper']);
      sim.company.createCustomer({ ARDivisionNo: '00', CustomerNo: 'TEMPLATE', CustomerName: 'Template', TermsCode: '10', PriceLevel: 'B', SalespersonDivisionNo: '00', SalespersonNo: '0100' });
      await send(node, out, { payload: { customer: webCustomer({ CustomerNo: 'BC1043' }), customerPolicy: policy({ newCustomer: { defaults: { TermsCode: '30' }, templateCustomerNo: 'TEMPLATE' } }) } });
      const copied = sim.company.getCustomer('00', 'BC1043');
      assert.deepEqual([copied.TermsCode, copied.PriceLevel, copied.SalespersonNo, copied.CustomerName], ['10', 'B', '0100', 'Grace Hopper']);
    });

    it('checks the whole order before the first write: an order Sage will refuse leaves no customer behind', async () => {
      const { node, caught } = await load();
      const salesOrder = sampleSalesOrder({ ARDivisionNo: '00', CustomerNo: 'BC1042', Lines: [{ ItemCode: 'NO-SUCH-ITEM', QuantityOrdered: 1, UnitPrice: 5 }] });
      // SOAP previews an order of a customer still to be created on the cash customer (the policy names it).
      const failed = await send(node, caught, { payload: { customer: webCustomer(), salesOrder, customerPolicy: policy() } });
      assert.equal(failed.errorDetails?.code, 'sage100.order_check');
      assert.match(String(failed.errorDetails?.record), /sales order W001042/);
      assert.equal(sim.company.findCustomer('00', 'BC1042'), undefined, 'the customer was not created');
      assert.equal(sim.company.state().salesOrders.length, 0);
    });

    it('gives a ZIP missing from Sage\'s ZIP Code table the fallback, with a warning; or holds the order when so set', async () => {
      const foreign = { ZipCode: 'SW1A1AA', City: 'London', State: '', CountryCode: 'GBR' };
      const salesOrder = sampleSalesOrder({ ARDivisionNo: '00', CustomerNo: 'BC1042', ShipToZipCode: 'SW1A1AA' });
      const held = await load({ zipFallback: 'hold' });
      const failed = await send(held.node, held.caught, { payload: { customer: webCustomer(foreign), salesOrder, customerPolicy: policy() } });
      assert.equal(failed.errorDetails?.code, 'sage100.order_check');
      assert.equal(sim.company.findCustomer('00', 'BC1042'), undefined, 'held: nothing written');
      await helper.unload();

      const { node, out } = await load({ zipFallback: 'code', zipFallbackCode: '98101' });
      const result = await send(node, out, { payload: { customer: webCustomer(foreign), salesOrder, customerPolicy: policy() } });
      assert.equal(result.payload.salesOrder?.ShipToZipCode, '98101');
      assert.equal(sim.company.getCustomer('00', 'BC1042').ZipCode, '98101');
      assert.ok(result.payload.warnings?.some((warning) => /SW1A1AA is not in Sage's ZIP Code table; set to 98101/.test(warning)), String(result.payload.warnings));
    });

    it("creates a new customer, replaces payload.customer with Sage's record and keeps the rest of the msg", async () => {
      const { node, out } = await load();
      const salesOrder = sampleSalesOrder({ ARDivisionNo: '00', CustomerNo: 'BC1042' });
      const result = await send(node, out, { payload: { customer: webCustomer(), salesOrder, warnings: ['w'] }, sage100: { run: 7 } });
      assert.deepEqual(result.sage100, { run: 7, customer: { outcome: 'created', ARDivisionNo: '00', CustomerNo: 'BC1042' } });
      assert.equal(result.payload.customer.CustomerName, 'Grace Hopper');
      assert.deepEqual([result.payload.salesOrder, result.payload.warnings], [salesOrder, ['w']]);
      assert.equal(sim.company.getCustomer('00', 'BC1042').City, 'Chicago');
    });

    it('updates only changed contact members of an existing customer, then reports unchanged with no write', async () => {
      sim.company.updateCustomer({ ARDivisionNo: '01', CustomerNo: 'WEB0001', TermsCode: '30' });
      const { node, out } = await load();
      const moved = { ARDivisionNo: '01', CustomerNo: 'WEB0001', CustomerName: 'Ada Lovelace', AddressLine1: '2 Engine Street', City: 'Seattle', EmailAddress: 'ada@example.com', TermsCode: '01' };
      const updated = await send(node, out, { payload: { customer: moved } });
      assert.deepEqual(updated.sage100.customer, { outcome: 'updated', ARDivisionNo: '01', CustomerNo: 'WEB0001', changedFields: ['AddressLine1'] });
      assert.equal(updated.payload.customer.AddressLine1, '2 Engine Street');
      assert.equal(updated.payload.customer.TermsCode, '30', "terms stay Sage's");

      const before = JSON.stringify(sim.company.state());
      const again = await send(node, out, { payload: { customer: moved } });
      assert.equal(again.sage100.customer?.outcome, 'unchanged');
      assert.equal(JSON.stringify(sim.company.state()), before);
    });

    it('gets a customer by number, and sends an unknown one to Catch naming it', async () => {
      const { node, out, caught } = await load({ operation: 'get' });
      const found = await send(node, out, { payload: { customer: { ARDivisionNo: '01', CustomerNo: 'WEB0001' } } });
      assert.deepEqual(found.sage100.customer, { outcome: 'found', ARDivisionNo: '01', CustomerNo: 'WEB0001' });
      assert.equal(found.payload.customer.EmailAddress, 'ada@example.com');

      const failed = await send(node, caught, { payload: { customer: { ARDivisionNo: '01', CustomerNo: 'NOBODY' } } });
      assert.equal(failed.errorDetails?.code, 'sage100.CI_NoKey');
      assert.equal(failed.errorDetails?.record, 'customer 01-NOBODY');
      assert.deepEqual(failed.payload.customer, { ARDivisionNo: '01', CustomerNo: 'NOBODY' }, 'the msg reaches Catch unchanged');
    });

    it("sends Sage's refusal to Catch with its code and a hint, and creates nothing", async () => {
      const { node, caught } = await load();
      const failed = await send(node, caught, { payload: { customer: webCustomer({ ZipCode: '99999' }) } });
      assert.equal(failed.errorDetails?.code, 'sage100.CI_NOF');
      assert.match(String(failed.errorDetails?.hint), /ZIP Code table/);
      assert.equal(sim.company.state().customers.length, 2);
    });

    it('names the field when the msg has no customer, or a bad one', async () => {
      const { node, caught } = await load();
      const missing = await send(node, caught, { payload: { salesOrder: {} } });
      assert.deepEqual([missing.errorDetails?.code, missing.errorDetails?.field], ['validation.invalid', 'payload.customer']);
      const bad = await send(node, caught, { payload: { customer: webCustomer({ ARDivisionNo: '1' }) } });
      assert.deepEqual([bad.errorDetails?.field, bad.errorDetails?.record], ['ARDivisionNo', 'customer 1-BC1042']);
    });

    it('keeps the credential out of the msg and the error when Sage refuses it', async () => {
      const secret = 'Not-The-Right-Secret-42';
      const { node, caught } = await load({ secret });
      const failed = await send(node, caught, { payload: { customer: webCustomer() } });
      assert.match(String(failed.errorDetails?.code), mode === 'agent' ? /^sage100\.Unauthorized$/ : /^sage100\.LogonFailure$/);
      assert.ok(!JSON.stringify(failed).includes(secret));
    });

    if (mode === 'agent') {
      it('reuses the one customer with the same email, and moves the sales order to it', async () => {
        const { node, out } = await load({ matchByEmail: true });
        const salesOrder = sampleSalesOrder({ SalesOrderNo: 'W001043', ARDivisionNo: '00', CustomerNo: 'BC2001' });
        const customer = webCustomer({ CustomerNo: 'BC2001', CustomerName: 'Ada Lovelace', AddressLine1: '1 Analytical Way', City: 'Seattle', State: 'WA', ZipCode: '98101', EmailAddress: 'ADA@example.com' });
        const result = await send(node, out, { payload: { customer, salesOrder } });
        assert.deepEqual(result.sage100.customer, { outcome: 'unchanged', ARDivisionNo: '01', CustomerNo: 'WEB0001', matchedBy: 'email' });
        assert.deepEqual(result.payload.salesOrder, { ...salesOrder, ARDivisionNo: '01', CustomerNo: 'WEB0001' });
        assert.equal(sim.company.state().customers.length, 2, 'no new customer');
      });
    } else {
      it('says clearly that matching by email needs the agent', async () => {
        const { node, caught } = await load({ matchByEmail: true });
        const failed = await send(node, caught, { payload: { customer: webCustomer() } });
        assert.equal(failed.errorDetails?.code, 'sage100.soap_unsupported');
        assert.match(String(failed.errorDetails?.message), /needs the Sage 100 agent/);
      });
    }
  });
}

describe('sage100-customer node without a configuration', () => {
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('fails each msg with a clear error that reaches Catch', async () => {
    const failed = await caughtWithoutConfiguration(sage100Customer, { type: 'sage100-customer', configProperty: 'sage100' }, { payload: { customer: webCustomer() } });
    assert.equal(failed.errorDetails?.code, 'config.missing');
    assert.match(String(failed.errorDetails?.hint), /sage100-config/);
  });
});
