import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { defineConfig } from 'tsup';

/**
 * Node-RED reads a node's editor .html, locales/ and icons/ from beside the node's .js file,
 * and the SOAP client reads its bundled WSDL from disk, so these travel into dist/ as they are.
 */
function copyRuntimeAssets(): void {
  for (const group of readdirSync('nodes')) {
    const target = join('dist', 'nodes', group);
    cpSync(join('nodes', group), target, { recursive: true, filter: (path) => !path.endsWith('.ts') });
    cpSync('icons', join(target, 'icons'), { recursive: true });
  }
  const wsdl = join('lib', 'sage100', 'wsdl');
  if (existsSync(wsdl)) cpSync(wsdl, join('dist', wsdl), { recursive: true });
}

/**
 * Puts each node type's settings definition (lib/settings) at the top of its built .html, where the type's
 * registration reads its defaults and migrations from (lib/settings/editor.ts). Taken from the built lib, the
 * code the editor gets is what the runtime runs.
 */
function writeEditorSettings(): void {
  const load = createRequire(__filename);
  const built = (path: string) => {
    const file = resolve('dist', path);
    delete load.cache[file];
    return load(file) as unknown;
  };
  const { editorScript } = built('lib/settings/editor.js') as typeof import('./lib/settings/editor');
  const { settingsDefinitions } = built('lib/settings/nodes.js') as typeof import('./lib/settings/nodes');
  const nodes = (JSON.parse(readFileSync('package.json', 'utf8')) as { 'node-red': { nodes: Record<string, string> } })['node-red'].nodes;
  const defined = new Set(settingsDefinitions.map((definition) => definition.type));
  for (const [type, file] of Object.entries(nodes)) {
    const html = file.replace(/\.js$/, '.html');
    const text = readFileSync(html, 'utf8');
    if (text.includes('mlConnectorSettings') && !defined.has(type)) throw new Error(`${html} reads settings that lib/settings/nodes.ts does not define`);
  }
  for (const definition of settingsDefinitions) {
    const file = nodes[definition.type];
    if (!file) throw new Error(`package.json's node-red.nodes has no ${definition.type}`);
    const html = file.replace(/\.js$/, '.html');
    writeFileSync(html, editorScript(definition) + readFileSync(html, 'utf8'));
  }
}

export default defineConfig({
  entry: ['nodes/**/*.ts', 'lib/**/*.ts'],
  outDir: 'dist',
  format: ['cjs'],
  target: 'node20',
  platform: 'node',
  bundle: false,
  clean: true,
  onSuccess: async () => {
    copyRuntimeAssets();
    writeEditorSettings();
  },
});
