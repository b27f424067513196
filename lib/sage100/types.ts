import { z } from 'zod';

/**
 * Sage 100 records as the nodes pass them between each other and as both clients (agent and SOAP) send
 * them. Member names are Sage's own column names (SalesOrderNo, ARDivisionNo, ItemCode, …) so a user who
 * knows Sage recognizes every field. Lengths are the conservative ones that every supported Sage version
 * accepts (names and address lines grew from 30 to 50/40 in later versions); see SAGE_FIELD_LIMITS.
 */

export const SAGE_FIELD_LIMITS = {
  SalesOrderNo: 7,
  ARDivisionNo: 2,
  CustomerNo: 20,
  CustomerPONo: 15,
  ItemCode: 30,
  ItemCodeDesc: 30,
  WarehouseCode: 3,
  Name: 30,
  AddressLine: 30,
  City: 20,
  State: 2,
  ZipCode: 10,
  CountryCode: 3,
  TelephoneNo: 17,
  EmailAddress: 250,
  ShipVia: 15,
  Comment: 30,
  CommentText: 2048,
  TermsCode: 2,
  TaxSchedule: 9,
  UnitOfMeasure: 4,
} as const;

export type SageFieldLimits = { -readonly [K in keyof typeof SAGE_FIELD_LIMITS]: number };

const L = SAGE_FIELD_LIMITS;
const upto = (n: number) => z.string().max(n, `at most ${n} characters`);

export const salesOrderNoSchema = z.string().regex(/^[A-Z0-9]{1,7}$/, 'must be 1–7 upper-case letters or digits');
export const arDivisionNoSchema = z.string().regex(/^\d{2}$/, 'must be two digits, e.g. 00');
export const customerNoSchema = z.string().regex(/^[A-Z0-9\-_.&/ ]{1,20}$/, 'must be 1–20 upper-case characters');
export const itemCodeSchema = z.string().min(1).max(L.ItemCode, `at most ${L.ItemCode} characters`);
export const sageDateSchema = z.string().regex(/^\d{8}$/, 'must be YYYYMMDD');

/** ItemType 1 regular, 2 special, 3 charge, 4 comment, 5 miscellaneous (freight, discounts …). */
export const itemTypeSchema = z.enum(['1', '2', '3', '4', '5']);

const salesOrderLineColumns = z.object({
  ItemCode: itemCodeSchema,
  ItemType: itemTypeSchema.optional(),
  ItemCodeDesc: upto(L.ItemCodeDesc).optional(),
  QuantityOrdered: z.number().finite().optional(),
  UnitPrice: z.number().finite().optional(),
  WarehouseCode: upto(L.WarehouseCode).optional(),
  LineDiscountPercent: z.number().min(0).max(100).optional(),
  UnitOfMeasure: upto(L.UnitOfMeasure).optional(),
  CommentText: upto(L.CommentText).optional(),
});

/** A user-defined field (`UDF_…`) of the sales order header or its lines, as the UDF mapping and the line link fill it. */
export const UDF_COLUMN = /^UDF_[A-Z0-9_]{1,26}$/;

/**
 * The columns of a schema plus UDF_ columns: those pass through parsing (a plain object schema would strip them),
 * anything else unknown is refused. Typed as the plain columns so `.shape` lists the named columns.
 */
function withUdfColumns<T extends z.ZodObject>(columns: T, what: string): T {
  return columns
    .catchall(z.union([z.string(), z.number()]))
    .superRefine((record, context) => {
      for (const key of Object.keys(record)) {
        if (!(key in columns.shape) && !UDF_COLUMN.test(key)) context.addIssue({ code: 'custom', path: [key], message: `is not a ${what} column or a UDF_ column` });
      }
    }) as unknown as T;
}

export const salesOrderLineSchema = withUdfColumns(salesOrderLineColumns, 'sales order line');

const salesOrderColumns = z.object({
  SalesOrderNo: salesOrderNoSchema,
  OrderDate: sageDateSchema,
  OrderType: z.enum(['S', 'B', 'M', 'R', 'Q', 'P']).optional(),
  ARDivisionNo: arDivisionNoSchema,
  CustomerNo: customerNoSchema,
  CustomerPONo: upto(L.CustomerPONo),
  BillToName: upto(L.Name).optional(),
  BillToAddress1: upto(L.AddressLine).optional(),
  BillToAddress2: upto(L.AddressLine).optional(),
  BillToAddress3: upto(L.AddressLine).optional(),
  BillToCity: upto(L.City).optional(),
  BillToState: upto(L.State).optional(),
  BillToZipCode: upto(L.ZipCode).optional(),
  BillToCountryCode: upto(L.CountryCode).optional(),
  ShipToName: upto(L.Name).optional(),
  ShipToAddress1: upto(L.AddressLine).optional(),
  ShipToAddress2: upto(L.AddressLine).optional(),
  ShipToAddress3: upto(L.AddressLine).optional(),
  ShipToCity: upto(L.City).optional(),
  ShipToState: upto(L.State).optional(),
  ShipToZipCode: upto(L.ZipCode).optional(),
  ShipToCountryCode: upto(L.CountryCode).optional(),
  ShipVia: upto(L.ShipVia).optional(),
  EmailAddress: upto(L.EmailAddress).optional(),
  Comment: upto(L.Comment).optional(),
  WarehouseCode: upto(L.WarehouseCode).optional(),
  TaxSchedule: upto(L.TaxSchedule).optional(),
  TermsCode: upto(L.TermsCode).optional(),
  FreightAmt: z.number().finite().min(0).optional(),
  SalesTaxAmt: z.number().finite().min(0).optional(),
  /** Order-level discount; Sage applies it to the lines whose item allows discounts. */
  DiscountAmt: z.number().finite().min(0).optional(),
  /** A deposit-type payment type from AR (carries the GL account), the captured amount, the gateway's reference. */
  PaymentType: z.string().regex(/^[A-Z0-9]{1,5}$/, 'must be 1–5 upper-case letters or digits').optional(),
  DepositAmt: z.number().finite().min(0).optional(),
  OtherPaymentTypeRefNo: upto(24).optional(),
  Lines: z.array(salesOrderLineSchema).min(1, 'a sales order needs at least one line'),
});

export const salesOrderSchema = withUdfColumns(salesOrderColumns, 'sales order');

export const customerSchema = z.object({
  ARDivisionNo: arDivisionNoSchema,
  CustomerNo: customerNoSchema,
  CustomerName: upto(L.Name).min(1),
  AddressLine1: upto(L.AddressLine).optional(),
  AddressLine2: upto(L.AddressLine).optional(),
  AddressLine3: upto(L.AddressLine).optional(),
  City: upto(L.City).optional(),
  State: upto(L.State).optional(),
  ZipCode: upto(L.ZipCode).optional(),
  CountryCode: upto(L.CountryCode).optional(),
  TelephoneNo: upto(L.TelephoneNo).optional(),
  EmailAddress: upto(L.EmailAddress).optional(),
  TermsCode: upto(L.TermsCode).optional(),
  TaxSchedule: upto(L.TaxSchedule).optional(),
  /** Master data a new customer takes from the configured defaults or a template customer. */
  SalespersonDivisionNo: z.string().regex(/^(\d{2})?$/, 'must be two digits, e.g. 00').optional(),
  SalespersonNo: upto(4).optional(),
  PriceLevel: upto(1).optional(),
  CustomerType: upto(4).optional(),
});

export const itemWarehouseSchema = z.object({
  WarehouseCode: upto(L.WarehouseCode),
  QuantityOnHand: z.number().finite(),
  QuantityOnSalesOrder: z.number().finite(),
  QuantityOnBackOrder: z.number().finite(),
});

/** One item as `sage100-items` emits it: prices from CI_Item and quantities per warehouse from IM_ItemWarehouse. */
export const sageItemSchema = z.object({
  ItemCode: itemCodeSchema,
  ItemCodeDesc: z.string().optional(),
  StandardUnitPrice: z.number().finite().optional(),
  SuggestedRetailPrice: z.number().finite().optional(),
  SalesPromotionPrice: z.number().finite().optional(),
  /** The promotion's dates (YYYYMMDD, empty = open-ended) and method (P: SalesPromotionPrice is the price). */
  SaleStartingDate: z.string().optional(),
  SaleEndingDate: z.string().optional(),
  SaleMethod: z.string().optional(),
  /** Y in Sage: not to be sold. */
  InactiveItem: z.boolean().optional(),
  /** Product type D (discontinued) in Sage: not to be sold either. */
  Discontinued: z.boolean().optional(),
  /** IM_PriceCode rows of the item: a pricing method and up to five quantity breaks per customer price level. */
  priceCodes: z
    .array(
      z.object({
        PriceCode: z.string(),
        CustomerPriceLevel: z.string(),
        PricingMethod: z.string(),
        breaks: z.array(z.object({ BreakQuantity: z.number().finite(), DiscountMarkup: z.number().finite() })),
      }),
    )
    .optional(),
  DateUpdated: sageDateSchema.optional(),
  TimeUpdated: z.string().optional(),
  warehouses: z.array(itemWarehouseSchema),
});

export type SalesOrderLine = z.infer<typeof salesOrderLineSchema>;
export type SalesOrder = z.infer<typeof salesOrderColumns> & { [udf: `UDF_${string}`]: string | number };
export type Customer = z.infer<typeof customerSchema>;
export type ItemWarehouse = z.infer<typeof itemWarehouseSchema>;
export type SageItem = z.infer<typeof sageItemSchema>;

/** Amounts in the company's currency, 2 decimals. */
export interface OrderTieOut {
  /** What the placed amounts include: tax excluded (Sage adds it) or included. */
  basis: 'ex-tax' | 'inc-tax';
  currency: string;
  orderCurrency: string;
  /** Company → order currency, when the order was converted. */
  exchangeRate?: number;
  /** The order's own totals, in the order's currency. */
  bigcommerce: {
    subtotal: number;
    shipping: number;
    handling: number;
    wrapping: number;
    fees: number;
    discount: number;
    coupon: number;
    refunded: number;
    tax: number;
    totalExTax: number;
    totalIncTax: number;
  };
  /** The total the placed amounts must reach: the order's total for the basis, less refunded lines, converted. */
  expected: number;
  placed: { lines: number; freight: number; discount: number; salesTax: number; total: number };
  /** placed.total − expected: 0, or the order is held. */
  difference: number;
  /** BigCommerce's tax on what was placed, for comparison with the tax Sage computes from its schedule. */
  tax: { bigcommerce: number; computedBy: 'sage' | 'sales-tax-amount' | 'included'; schedule?: string };
}

/** What `sync-order-mapper` emits in msg.payload, ready for `sage100-customer` and `sage100-sales-order`. */
export interface MappedOrder {
  salesOrder: SalesOrder;
  customer: Customer;
  warnings: string[];
  /** The BigCommerce totals against what was placed (absent only on records made by hand). */
  tieOut?: OrderTieOut;
  /** What the customer node may change on an existing customer, and defaults for a new one (lib/sync/customer-policy.ts). */
  customerPolicy?: {
    cashCustomerNo: string;
    isCashCustomer: boolean;
    updatableFields: readonly string[];
    truncatedFields?: readonly string[];
    newCustomer: { defaults: Partial<Record<string, string>>; templateCustomerNo?: string };
  };
  /** With split consignments: this sales order's place among the order's parts. */
  part?: { index: number; count: number };
  /** The registered buyer's BigCommerce customer id (absent for guests), for its price level group. */
  storeCustomerId?: number;
}
