/**
 * The emulated company's columns: their kind, Sage's label (used in Sage's messages), their length by version
 * profile, validated values, and which ones Sage computes (read-only). Lengths come from ../shared/docs
 * (sage100-api.md §5, sage100-company-life.md §5): the 4.40-era layouts (names and address lines 30, city 20,
 * CustomerPONo 15) that installs upgraded through 2018 still have, and the current ones (50/40/30/30).
 */

export const BASE_LENGTHS = {
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
  PaymentType: 5,
  OtherPaymentTypeRefNo: 24,
  CheckNoForDeposit: 10,
  SalespersonNo: 4,
  PriceLevel: 1,
  CustomerType: 4,
  UDF: 30,
} as const;

export type LengthKey = keyof typeof BASE_LENGTHS;
export type ColumnLengths = Record<LengthKey, number>;

export type VersionProfileName = 'older' | 'current';

export interface VersionProfile {
  sageVersion: string;
  lengths: ColumnLengths;
}

export const VERSION_PROFILES: Record<VersionProfileName, VersionProfile> = {
  older: { sageVersion: 'Sage 100 Standard 2018 (6.10)', lengths: { ...BASE_LENGTHS } },
  current: { sageVersion: 'Sage 100 Advanced 2024 (7.30)', lengths: { ...BASE_LENGTHS, Name: 50, AddressLine: 40, City: 30, CustomerPONo: 30 } },
};

export type Column =
  | { kind: 'text'; label: string; length?: LengthKey; oneOf?: readonly string[] }
  | { kind: 'number'; label: string }
  | { kind: 'date'; label: string };

const text = (label: string, length?: LengthKey, oneOf?: readonly string[]): Column => ({ kind: 'text', label, length, oneOf });
const number = (label: string): Column => ({ kind: 'number', label });
const date = (label: string): Column => ({ kind: 'date', label });

const ADDRESS = (prefix: string, who: string): Record<string, Column> => ({
  [`${prefix}Name`]: text(`${who} Name`, 'Name'),
  [`${prefix}Address1`]: text(`${who} Address 1`, 'AddressLine'),
  [`${prefix}Address2`]: text(`${who} Address 2`, 'AddressLine'),
  [`${prefix}Address3`]: text(`${who} Address 3`, 'AddressLine'),
  [`${prefix}City`]: text(`${who} City`, 'City'),
  [`${prefix}State`]: text(`${who} State`, 'State'),
  [`${prefix}ZipCode`]: text(`${who} ZIP Code`, 'ZipCode'),
  [`${prefix}CountryCode`]: text(`${who} Country Code`, 'CountryCode'),
});

/** Writable SO_SalesOrderHeader columns (keys and ARDivisionNo/CustomerNo are set on their own). */
export const SALES_ORDER_COLUMNS: Record<string, Column> = {
  OrderDate: date('Order Date'),
  OrderType: text('Order Type', undefined, ['S', 'B', 'M', 'R', 'Q', 'P']),
  CustomerPONo: text('Customer PO Number', 'CustomerPONo'),
  ...ADDRESS('BillTo', 'Bill To'),
  ...ADDRESS('ShipTo', 'Ship To'),
  ShipVia: text('Ship Via', 'ShipVia'),
  ShipExpireDate: date('Ship Date'),
  EmailAddress: text('E-mail Address', 'EmailAddress'),
  Comment: text('Comment', 'Comment'),
  WarehouseCode: text('Warehouse Code', 'WarehouseCode'),
  TaxSchedule: text('Tax Schedule', 'TaxSchedule'),
  TermsCode: text('Terms Code', 'TermsCode'),
  FreightAmt: number('Freight Amount'),
  PaymentType: text('Payment Type', 'PaymentType'),
  OtherPaymentTypeRefNo: text('Other Payment Type Reference Number', 'OtherPaymentTypeRefNo'),
  CheckNoForDeposit: text('Check Number for Deposit', 'CheckNoForDeposit'),
  DepositAmt: number('Deposit Amount'),
};

export const LINE_COLUMNS: Record<string, Column> = {
  ItemType: text('Item Type', undefined, ['1', '2', '3', '4', '5']),
  ItemCodeDesc: text('Item Code Description', 'ItemCodeDesc'),
  QuantityOrdered: number('Quantity Ordered'),
  UnitPrice: number('Unit Price'),
  WarehouseCode: text('Warehouse Code', 'WarehouseCode'),
  LineDiscountPercent: number('Line Discount Percent'),
  UnitOfMeasure: text('Unit of Measure', 'UnitOfMeasure'),
  CommentText: text('Comment Text', 'CommentText'),
};

export const CUSTOMER_COLUMNS: Record<string, Column> = {
  CustomerName: text('Customer Name', 'Name'),
  AddressLine1: text('Address Line 1', 'AddressLine'),
  AddressLine2: text('Address Line 2', 'AddressLine'),
  AddressLine3: text('Address Line 3', 'AddressLine'),
  City: text('City', 'City'),
  State: text('State', 'State'),
  ZipCode: text('ZIP Code', 'ZipCode'),
  CountryCode: text('Country Code', 'CountryCode'),
  TelephoneNo: text('Telephone Number', 'TelephoneNo'),
  EmailAddress: text('E-mail Address', 'EmailAddress'),
  TermsCode: text('Terms Code', 'TermsCode'),
  TaxSchedule: text('Tax Schedule', 'TaxSchedule'),
  SalespersonDivisionNo: text('Salesperson Division Number', 'ARDivisionNo'),
  SalespersonNo: text('Salesperson Number', 'SalespersonNo'),
  PriceLevel: text('Price Level', 'PriceLevel'),
  CustomerType: text('Customer Type', 'CustomerType'),
};

/** Columns Sage computes or stamps itself; setting one fails (0) with "<label> is read only". */
export const READ_ONLY: Record<string, string> = {
  DateCreated: 'Creation Date',
  TimeCreated: 'Creation Time',
  DateUpdated: 'Date Updated',
  TimeUpdated: 'Time Updated',
  DateTimeCreated: 'Creation Date',
  DateTimeUpdated: 'Date Updated',
  UserCreatedKey: 'User Created Key',
  UserUpdatedKey: 'User Updated Key',
  OrderStatus: 'Order Status',
  SalesTaxAmt: 'Sales Tax Amount',
  TaxableAmt: 'Taxable Amount',
  NonTaxableAmt: 'Non-Taxable Amount',
  Weight: 'Weight',
  LineKey: 'Line Key',
  ExtensionAmt: 'Extension Amount',
  LineWeight: 'Line Weight',
  QuantityShipped: 'Quantity Shipped',
  CurrentBalance: 'Current Balance',
  OpenOrderAmt: 'Open Order Amount',
};

/** The columns `health` reports lengths for: the ones the order mapper cuts text to. */
export const MAPPED_COLUMNS: Record<string, Record<string, LengthKey>> = {
  SO_SalesOrderHeader: {
    CustomerPONo: 'CustomerPONo',
    BillToName: 'Name',
    BillToAddress1: 'AddressLine',
    BillToAddress2: 'AddressLine',
    BillToAddress3: 'AddressLine',
    BillToCity: 'City',
    BillToState: 'State',
    BillToZipCode: 'ZipCode',
    ShipToName: 'Name',
    ShipToAddress1: 'AddressLine',
    ShipToAddress2: 'AddressLine',
    ShipToAddress3: 'AddressLine',
    ShipToCity: 'City',
    ShipToState: 'State',
    ShipToZipCode: 'ZipCode',
    ShipVia: 'ShipVia',
    Comment: 'Comment',
    EmailAddress: 'EmailAddress',
  },
  SO_SalesOrderDetail: { ItemCode: 'ItemCode', ItemCodeDesc: 'ItemCodeDesc', CommentText: 'CommentText' },
  AR_Customer: {
    CustomerNo: 'CustomerNo',
    CustomerName: 'Name',
    AddressLine1: 'AddressLine',
    AddressLine2: 'AddressLine',
    AddressLine3: 'AddressLine',
    City: 'City',
    State: 'State',
    ZipCode: 'ZipCode',
    TelephoneNo: 'TelephoneNo',
    EmailAddress: 'EmailAddress',
  },
};
