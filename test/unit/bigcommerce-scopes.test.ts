import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_FLOW } from '../../sandbox/flows';
import { NEEDED_SCOPES, neededScopesText } from '../../lib/bigcommerce/scopes';

const root = join(__dirname, '..', '..');

describe('the one list of BigCommerce API account scopes', () => {
  it('README lists exactly these scopes and levels', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### 1. BigCommerce'), readme.indexOf('### 2. Sage 100'));
    const rows = [...section.matchAll(/^ *\| ([^|]+?) \| (read-only|modify) \| ([^|]+?) \|$/gm)].map((row) => [row[1], row[2]]);
    assert.deepEqual(rows, NEEDED_SCOPES.map((need) => [need.area, need.level]));
  });

  it("the example flow's setup comment gives the same list", () => {
    const flow = JSON.parse(readFileSync(EXAMPLE_FLOW, 'utf8')) as Array<{ type: string; info?: string }>;
    const comment = flow.find((node) => node.type === 'comment' && /scopes:/.test(node.info ?? ''));
    assert.ok(comment, 'a comment names the scopes');
    const listed = /scopes: ([^]*?)\.\n/.exec(comment.info ?? '')?.[1]?.replace(/\s+/g, ' ');
    assert.equal(listed, neededScopesText());
  });
});
