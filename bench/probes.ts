import type { FlowNode } from '../sandbox/flows';

/**
 * Probes added to the example flow so the bench knows when a run is over: a function node beside the flow's own
 * wiring that counts msgs in flow context (read through the admin API). They make no calls of their own.
 */

export const EXAMPLE = {
  ordersTab: 'e1a0000000000001',
  catalogTab: 'e1a0000000000002',
  pollInject: 'a1000000000000b1',
  poll: 'a1000000000000b2',
  pollErrors: 'a1000000000000c2',
  changesInject: 'b2000000000000b1',
  changedItems: 'b2000000000000b2',
  nightlyInject: 'b2000000000000b5',
  allItems: 'b2000000000000b3',
  push: 'b2000000000000b4',
  catalogCatch: 'b2000000000000c1',
} as const;

function byId(flows: FlowNode[], id: string): FlowNode {
  const node = flows.find((candidate) => candidate.id === id);
  if (!node) throw new Error(`bench: the example flow has no node ${id}; update bench/probes.ts`);
  return node;
}

/**
 * A function node on the tab of `from` that counts every msg `from` sends into flow context `key`, and keeps the
 * first error a Catch hands it under `${key}Error`. `only`: the probe replaces the node's wiring instead of joining it.
 */
export function addCounter(flows: FlowNode[], from: string, key: string, options: { only?: boolean; alsoFrom?: string[] } = {}): void {
  const source = byId(flows, from);
  const probeId = `${from}p`;
  flows.push({
    id: probeId,
    type: 'function',
    z: source.z,
    name: `bench: ${key}`,
    func: `if (msg.error) {
  if (!flow.get('${key}Error')) flow.set('${key}Error', String(msg.error.message || msg.error));
  return null;
}
flow.set('${key}', (flow.get('${key}') || 0) + 1);
return null;`,
    outputs: 0,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    wires: [],
  } as FlowNode);
  const wires = source.wires as string[][];
  source.wires = options.only ? [[probeId]] : [[...(wires[0] ?? []), probeId], ...wires.slice(1)];
  for (const other of options.alsoFrom ?? []) {
    const node = byId(flows, other);
    const otherWires = node.wires as string[][];
    node.wires = [[...(otherWires[0] ?? []), probeId], ...otherWires.slice(1)];
  }
}
