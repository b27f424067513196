import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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

export default defineConfig({
  entry: ['nodes/**/*.ts', 'lib/**/*.ts'],
  outDir: 'dist',
  format: ['cjs'],
  target: 'node20',
  platform: 'node',
  bundle: false,
  clean: true,
  onSuccess: async () => copyRuntimeAssets(),
});
