/**
 * Which Sage warehouse an order line ships from, the order side of the push node's warehouse → location table.
 * BigCommerce names a location only on pickup consignments (`consignments.pickups[].location.id`, orders.v2
 * `orderConsignment_Get`); shipping consignments carry none, so those lines take the mapping's default warehouse.
 * A location fed by several warehouses ships from the first one its table line names.
 */

export interface WarehouseLocation {
  locationId: number;
  warehouses: readonly string[];
}

/** Order product id → the location of the pickup consignment holding it, from `include=consignments.line_items`. */
export function pickupLocationsOfLines(consignments: unknown): Map<number, number> {
  const byLine = new Map<number, number>();
  const pickups = (consignments as { pickups?: unknown } | null | undefined)?.pickups;
  if (!Array.isArray(pickups)) return byLine;
  for (const pickup of pickups as Array<{ location?: { id?: unknown }; line_items?: unknown }>) {
    const locationId = pickup?.location?.id;
    if (typeof locationId !== 'number' || !Array.isArray(pickup.line_items)) continue;
    for (const line of pickup.line_items as Array<{ id?: unknown }>) if (typeof line?.id === 'number') byLine.set(line.id, locationId);
  }
  return byLine;
}

/**
 * The warehouse for one line: its consignment's location mapped back through the table, else `defaultWarehouse`
 * (the mapper's warehouse setting; empty lets Sage use the item's default warehouse).
 */
export function warehouseForLine(locationId: number | undefined, table: readonly WarehouseLocation[], defaultWarehouse: string): string {
  if (locationId === undefined) return defaultWarehouse;
  const mapped = table.find((row) => row.locationId === locationId)?.warehouses[0];
  return mapped?.trim().toUpperCase() || defaultWarehouse;
}
