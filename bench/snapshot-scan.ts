import { Agent, request } from 'undici';
import { SageCompany } from '../agent/src/emulator';
import { startSage100Simulator } from '../sandbox/sage100';

/**
 * snapshot.unstamped_*: the cost of catching quantity changes Sage did not stamp. The agent (over the BOI emulator)
 * scans `rows` IM_ItemWarehouse rows and diffs them against the generation it last reported to the client; `changed`
 * rows moved by unstamped receipts in between. Measured: the scan's time on the agent, the calls and bytes that cross
 * the network.
 */

export interface ScanResult {
  rows: number;
  changed: number;
  baselineMs: number;
  deltaMs: number;
  /** Requests for the delta answer (500 rows a page). */
  deltaCalls: number;
  deltaRows: number;
  deltaBytes: number;
}

const PAGE_SIZE = 500;

export async function benchScan(rows: number, changed: number): Promise<ScanResult> {
  const company = new SageCompany({ warehouses: ['000', 'EST'] });
  const items = Math.ceil(rows / 2);
  for (let index = 0; index < items; index++) {
    company.addItem({
      ItemCode: `SKU-${String(index).padStart(6, '0')}`,
      StandardUnitPrice: 5,
      warehouses: [
        { WarehouseCode: '000', QuantityOnHand: index % 500 },
        { WarehouseCode: 'EST', QuantityOnHand: index % 50 },
      ],
    });
  }
  const sim = await startSage100Simulator({ company });
  const dispatcher = new Agent({ connect: { ca: sim.certificatePem } });
  const headers = { 'x-api-key': sim.apiKey, 'x-sage-company': sim.companyCode };
  let bytes = 0;
  const get = async (query: string) => {
    const response = await request(`${sim.agentUrl}/v1/stock/changes?clientId=bench&pageSize=${PAGE_SIZE}&${query}`, { headers, dispatcher });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`bench: listStockChanges answered ${response.statusCode}: ${text}`);
    bytes += Buffer.byteLength(text);
    return JSON.parse(text) as { rows: unknown[]; token: string; nextPageToken?: string };
  };
  try {
    let started = performance.now();
    const baseline = await get('');
    const baselineMs = performance.now() - started;
    for (let index = 0; index < changed; index++) company.receiveUnstamped(`SKU-${String((index * 97) % items).padStart(6, '0')}`, index % 2 ? 'EST' : '000', 1);
    bytes = 0;
    started = performance.now();
    let page = await get(`since=${baseline.token}`);
    let deltaCalls = 1;
    let deltaRows = page.rows.length;
    while (page.nextPageToken) {
      page = await get(`pageToken=${page.nextPageToken}`);
      deltaCalls++;
      deltaRows += page.rows.length;
    }
    const deltaMs = performance.now() - started;
    return { rows, changed, baselineMs, deltaMs, deltaCalls, deltaRows, deltaBytes: bytes };
  } finally {
    await dispatcher.close();
    await sim.close();
  }
}
