import { SageCompany } from './company';

/**
 * A small company to work against: warehouses 000 and EST, a ZIP Code table, tax schedules, three stocked items
 * (one with a promotion and quantity breaks), freight as a miscellaneous item, a handling charge, two customers.
 */
export function seedDemo(company: SageCompany): SageCompany {
  company.addWarehouse('000');
  company.addWarehouse('EST');
  company.addZipCodes(['98101', '10001', '60601', '94105', '30301']);
  company.addTaxSchedule({ TaxSchedule: 'WA', Description: 'Washington', TaxRate: 10.1, TaxFreight: true });
  company.addTaxSchedule({ TaxSchedule: 'NONTAX', Description: 'Non-taxable', TaxRate: 0 });
  company.addItem({ ItemCode: 'WIDGET-1', ItemCodeDesc: 'Widget, blue', StandardUnitPrice: 12.5, SuggestedRetailPrice: 14.99, warehouses: [{ WarehouseCode: '000', QuantityOnHand: 40 }, { WarehouseCode: 'EST', QuantityOnHand: 10 }] });
  company.addItem({ ItemCode: 'GADGET-2', ItemCodeDesc: 'Gadget', StandardUnitPrice: 5, SalesPromotionPrice: 4.5, SaleStartingDate: '20260301', SaleEndingDate: '20260331', SaleMethod: 'P', warehouses: [{ WarehouseCode: '000', QuantityOnHand: 3, QuantityOnBackOrder: 1 }] });
  company.addItem({ ItemCode: 'CABLE-USB-C-2M', ItemCodeDesc: 'USB-C cable 2 m', StandardUnitPrice: 9.95, warehouses: [{ WarehouseCode: 'EST', QuantityOnHand: 120 }] });
  company.addItem({ ItemCode: '/FREIGHT', ItemCodeDesc: 'Freight', ItemType: '5' });
  company.addItem({ ItemCode: '/HANDLING', ItemCodeDesc: 'Handling', ItemType: '3', StandardUnitPrice: 2.5, TaxClass: 'NT' });
  company.addPriceCode({ ItemCode: 'WIDGET-1', PricingMethod: 'D', breaks: [{ quantity: 9, discountMarkup: 0 }, { quantity: 99_999_999, discountMarkup: 10 }] });
  company.createCustomer({ ARDivisionNo: '01', CustomerNo: 'WEB0001', CustomerName: 'Ada Lovelace', AddressLine1: '1 Analytical Way', City: 'Seattle', State: 'WA', ZipCode: '98101', CountryCode: 'USA', EmailAddress: 'ada@example.com' });
  company.createCustomer({ ARDivisionNo: '00', CustomerNo: 'WEBCASH', CustomerName: 'Web cash sales', ZipCode: '10001', CountryCode: 'USA' });
  return company;
}
