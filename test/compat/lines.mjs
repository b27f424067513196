// The Node-RED lines the package is tested on: each with the Node binary it runs on and its node-red folder.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const compat5 = join(root, 'test', 'compat', 'node-red-5');

export const lines = [
  { name: 'Node-RED 4.1 on Node 20', node: process.execPath, nodeRed: join(root, 'node_modules', 'node-red') },
  { name: 'Node-RED 5.0 on Node 22', node: join(compat5, 'node_modules', 'node', 'bin', 'node'), nodeRed: join(compat5, 'node_modules', 'node-red'), installDir: compat5 },
];

export function isInstalled(line) {
  return existsSync(line.node) && existsSync(join(line.nodeRed, 'package.json'));
}
