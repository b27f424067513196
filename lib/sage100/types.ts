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

export const salesOrderLineSchema = z.object({
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

export const salesOrderSchema = z.object({
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
  Lines: z.array(salesOrderLineSchema).min(1, 'a sales order needs at least one line'),
});

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
export type SalesOrder = z.infer<typeof salesOrderSchema>;
export type Customer = z.infer<typeof customerSchema>;
export type ItemWarehouse = z.infer<typeof itemWarehouseSchema>;
export type SageItem = z.infer<typeof sageItemSchema>;

/** What `sync-order-mapper` emits in msg.payload, ready for `sage100-customer` and `sage100-sales-order`. */
export interface MappedOrder {
  salesOrder: SalesOrder;
  customer: Customer;
  warnings: string[];
}
