import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXAMPLE_FLOW_FILE, findNode, loadExampleFlow, type FlowNode } from '../../sandbox/flows';

/**
 * The Orders tab as a person first sees it: on one 1600×960 screen, read left to right in the order the wires
 * run, no wire going back across the canvas. Node sizes are estimated the way the editor draws them (30 high,
 * the label's width plus icon and port, in steps of 20; inject and debug buttons outside), with 6.5 px a
 * character of the 14 px label font, which is roughly what Arial and Helvetica measure.
 */
const SCREEN = { width: 1600, height: 960 };
const NODE_HEIGHT = 30;
/** How far a wire may start right of where it ends, between nodes on different rows: a small hook, not a crossing. */
const HOOK = 40;
const NO_INPUT = new Set(['inject', 'http in', 'catch', 'status', 'complete', 'link in', 'comment']);

const root = resolve(__dirname, '..', '..');

const wiresOf = (node: FlowNode | undefined): string[] => ((node?.wires ?? []) as string[][]).flat();

/** The label a node shows when it has no name: the literal its editor file's label function falls back to. */
function defaultLabels(): Map<string, string> {
  const labels = new Map<string, string>();
  for (const group of readdirSync(join(root, 'nodes'))) {
    for (const file of readdirSync(join(root, 'nodes', group)).filter((name) => name.endsWith('.html'))) {
      const source = readFileSync(join(root, 'nodes', group, file), 'utf8');
      const type = /registerType\(\s*'([^']+)'/.exec(source)?.[1];
      const fallback = /label:\s*function\s*\(\)\s*\{\s*return this\.name \|\| '([^']+)'/.exec(source)?.[1];
      if (type && fallback) labels.set(type, fallback);
    }
  }
  return labels;
}

interface Box {
  node: FlowNode;
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** Where wires leave (right port) and arrive (left port). */
  out: number;
  in: number;
}

function boxOf(node: FlowNode, labels: Map<string, string>): Box {
  const label = String(node.name || labels.get(node.type) || '');
  assert.ok(label, `${node.type} ${node.id} shows a label the test can measure`);
  const width = Math.max(100, 20 * Math.ceil((6.5 * label.length + 50 + (NO_INPUT.has(node.type) ? 0 : 7)) / 20));
  const x = Number(node.x);
  const y = Number(node.y);
  return {
    node,
    left: x - width / 2 - (node.type === 'inject' ? 25 : 0),
    right: x + width / 2 + (node.type === 'debug' ? 25 : 0),
    top: y - NODE_HEIGHT / 2,
    bottom: y + NODE_HEIGHT / 2,
    out: x + width / 2,
    in: x - width / 2,
  };
}

describe('the example flow', () => {
  const flow = loadExampleFlow();
  const queue = findNode(flow, 'sync-queue');
  const tab = flow.find((node) => node.type === 'tab' && node.id === queue.z)!;
  const labels = defaultLabels();
  const boxes = new Map(flow.filter((node) => node.z === tab.id).map((node) => [node.id, boxOf(node, labels)]));
  const name = (box: Box) => `${box.node.type} "${String(box.node.name || labels.get(box.node.type))}"`;

  it('is where the package documents it, and every tab is named for what it does', () => {
    assert.equal(EXAMPLE_FLOW_FILE, 'flows.json');
    const tabs = flow.filter((node) => node.type === 'tab').map((node) => String(node.label));
    assert.equal(tab.label, 'Orders: web orders \u2192 Sage 100 sales orders');
    for (const label of tabs) assert.match(label, /^(Orders|Catalog|Reconciliation|Fulfillment): .{10,}/, `tab "${label}" says what it does`);
  });

  it('draws the Orders tab within one 1600×960 screen, no node over another', () => {
    assert.ok(boxes.size > 20, `${boxes.size} nodes`);
    for (const box of boxes.values()) {
      assert.ok(box.left >= 0 && box.right <= SCREEN.width && box.top >= 0 && box.bottom <= SCREEN.height, `${name(box)} at ${box.left}..${box.right} × ${box.top}..${box.bottom}`);
    }
    const all = [...boxes.values()];
    for (const [index, a] of all.entries()) {
      for (const b of all.slice(index + 1)) {
        const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
        assert.ok(apart, `${name(a)} and ${name(b)} overlap`);
      }
    }
  });

  it('runs its wires left to right; only a job handed back to its queue goes back, between the rows', () => {
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
      if (from === to) return true;
      if (seen.has(from)) return false;
      seen.add(from);
      return wiresOf(flow.find((node) => node.id === from)).some((next) => reaches(next, to, seen));
    };
    const handedBack: string[] = [];
    for (const source of boxes.values()) {
      for (const target of wiresOf(source.node).map((id) => boxes.get(id)!)) {
        const back = source.out - target.in;
        const wire = `${name(source)} → ${name(target)}`;
        if (back <= 0) continue;
        if (back <= HOOK) {
          assert.ok(Math.abs(Number(target.node.y) - Number(source.node.y)) >= 2 * NODE_HEIGHT, `${wire} hooks back ${back} px on its own row`);
          continue;
        }
        // A loop has to come back somewhere: the acknowledgement of a job into the queue that started it.
        assert.equal(target.node.type, 'sync-queue', `${wire} goes back ${back} px across the canvas`);
        assert.ok(reaches(target.node.id, source.node.id), `${wire} goes back ${back} px but closes no loop`);
        // It runs in the free band between the queue's row and the source's, over no node.
        const [high, low] = [Math.min(target.bottom, source.top), Math.max(target.bottom, source.top)];
        for (const other of boxes.values()) {
          const between = other.top < low && other.bottom > high && other.right > target.in && other.left < source.out;
          assert.ok(!between || other === source || other === target, `${wire} runs across ${name(other)}`);
        }
        handedBack.push(wire);
      }
    }
    assert.deepEqual(handedBack.sort(), ['bigcommerce-customer-group "price level group" → sync-queue "order jobs"', 'sync-order-mapper "order mapper" → sync-queue "order jobs"']);
  });
});
