import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_FLOW } from '../../sandbox/flows';
import semver from 'semver';
import { settingsDefinitions } from '../../lib/settings/nodes';

/**
 * The offline checks of the Flow Library scorecard (node-red-dev validate needs the internet), and the example
 * flow's wiring: what a user sees after installing from the palette and importing the example.
 */

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  license?: string;
  repository?: unknown;
  bugs?: unknown;
  keywords: string[];
  engines: { node: string };
  dependencies: Record<string, string>;
  'node-red': { version: string; nodes: Record<string, string> };
};

interface EditorDefinition {
  type: string;
  category: string;
  configRefs: Array<{ property: string; type: string; required: boolean }>;
}

function editorDefinition(type: string, builtFile: string): EditorDefinition {
  const html = readFileSync(join(root, builtFile.replace(/^dist\//, '').replace(/\.js$/, '.html')), 'utf8');
  const registration = new RegExp(`RED\\.nodes\\.registerType\\('${type}',\\s*\\{([\\s\\S]*?)\\n  \\}\\);`).exec(html);
  assert.ok(registration, `${type}.html has a literal RED.nodes.registerType('${type}', {...})`);
  const body = registration[1]!;
  const literal = (key: string) => new RegExp(`\\n {4}${key}: ([^\\n]+),`).exec(body)?.[1];
  const category = literal('category');
  assert.ok(category, `${type}: literal category`);
  if (category !== "'config'") {
    for (const key of ['color', 'inputs', 'outputs', 'icon']) assert.match(literal(key) ?? '', /^('[^']*'|\d+)$/, `${type}: literal ${key}`);
  }
  // The config references: from the type's settings definition, which the built .html takes its defaults from.
  const settings = settingsDefinitions.find((definition) => definition.type === type);
  assert.ok(settings, `${type} has a settings definition (lib/settings/nodes.ts)`);
  const configRefs = Object.entries(settings.fields).flatMap(([property, field]) =>
    field.kind === 'config' ? [{ property, type: field.type, required: field.required && !field.when }] : [],
  );
  return { type, category: category.replace(/'/g, ''), configRefs };
}

describe('package and example flow (Flow Library scorecard, offline checks)', () => {
  const definitions = Object.entries(pkg['node-red'].nodes).map(([type, file]) => editorDefinition(type, file));

  it('has a licence, a repository, a scoped name and the node-red keyword', () => {
    assert.ok(pkg.license);
    assert.ok(pkg.repository || pkg.bugs);
    assert.match(pkg.name, /^@[\w-]+\/node-red-/);
    assert.ok(pkg.keywords.includes('node-red'));
  });

  it('accepts the current Node-RED (5.0.7) and its minimum Node (22.9.0), has no upper bound, and at most six dependencies', () => {
    assert.ok(semver.satisfies('5.0.7', pkg['node-red'].version));
    assert.ok(semver.satisfies('4.1.1', pkg['node-red'].version));
    assert.ok(semver.satisfies('99.0.0', pkg['node-red'].version), 'no upper bound: Node-RED refuses modules whose range excludes it');
    assert.ok(semver.satisfies('22.9.0', pkg.engines.node) && semver.satisfies('20.19.0', pkg.engines.node));
    assert.ok(Object.keys(pkg.dependencies).length <= 6);
  });

  it('puts every non-config node in the palette category and gives the example flow one of each', () => {
    const flow = JSON.parse(readFileSync(EXAMPLE_FLOW, 'utf8')) as Array<Record<string, unknown> & { id: string; type: string }>;
    assert.ok(Array.isArray(flow));
    const used = new Set(flow.map((node) => node.type));
    for (const definition of definitions.filter((d) => d.category !== 'config')) {
      assert.equal(definition.category, 'Sage 100 + BigCommerce', `${definition.type}'s category`);
      assert.ok(used.has(definition.type), `the example flow uses ${definition.type}`);
    }
  });

  it('points every config property of the example flow at a config node of the right type', () => {
    const flow = JSON.parse(readFileSync(EXAMPLE_FLOW, 'utf8')) as Array<Record<string, unknown> & { id: string; type: string }>;
    const byId = new Map(flow.map((node) => [node.id, node]));
    const byType = new Map(definitions.map((d) => [d.type, d]));
    const configTypes = new Set(definitions.filter((d) => d.category === 'config').map((d) => d.type));
    for (const node of flow) {
      for (const ref of (byType.get(node.type)?.configRefs ?? []).filter((r) => configTypes.has(r.type))) {
        const target = node[ref.property];
        if (!ref.required && !target) continue;
        assert.equal(byId.get(String(target))?.type, ref.type, `${node.type} ${node.id}: ${ref.property} points at a ${ref.type}`);
      }
    }
  });
});
