/**
 * More of the official files and exceptions for the contract recorder: `price_lists.v3.yml` and
 * `customers.v2.yml` (customer groups) join the checked files, and the exceptions their checks (and some of the
 * existing files') need, each with its reason. `test/support/bigcommerce.ts` imports it for its effect, so it
 * is in place before the first test store starts (the recorder reads SPEC_FILES and SPEC_EXCEPTIONS once per
 * process). Kept apart from bigcommerce-contract.ts, whose loader this only feeds.
 */
import { SPEC_EXCEPTIONS, SPEC_FILES } from './bigcommerce-contract';

type Json = Record<string, unknown>;

function at(doc: Json, ...path: string[]): Json {
  let node: unknown = doc;
  for (const key of path) {
    node = (node as Json | undefined)?.[key];
    if (node === undefined) throw new Error(`contract: ${path.join('.')} is not in the spec any more; review EXTRA_SPEC_EXCEPTIONS`);
  }
  return node as Json;
}

const EXTRA_FILES: Array<{ family: 'v2' | 'v3'; file: string }> = [
  { family: 'v3', file: 'price_lists.v3.yml' },
  { family: 'v2', file: 'customers.v2.yml' },
];

export const EXTRA_SPEC_EXCEPTIONS: typeof SPEC_EXCEPTIONS = [
  {
    file: 'customers.v2.yml',
    where: 'customerGroup_Full.discount_rules (oneOf → anyOf)',
    reason:
      'The four branches are arrays of objects with the same optional properties and nothing required, so every value (an empty list, a price_list rule) matches all of them and oneOf can never pass.',
    patch: (doc) => {
      const rules = at(doc, 'components', 'schemas', 'customerGroup_Full', 'properties', 'discount_rules');
      if (!Array.isArray(rules.oneOf)) return 0;
      rules.anyOf = rules.oneOf;
      delete rules.oneOf;
      return 1;
    },
  },
  {
    file: 'locations.v3.yml',
    where: 'query parameter location_id:in (LocationIdsParam)',
    reason: 'The filter takes a comma-separated list of location ids (its description says so), but the file types it as a single integer.',
    patch: (doc) => {
      const parameter = at(doc, 'components', 'parameters', 'LocationIdsParam');
      parameter.schema = { type: 'array', items: { type: 'integer' } };
      parameter.style = 'form';
      parameter.explode = false;
      return 1;
    },
  },
];

for (const { family, file } of EXTRA_FILES) {
  if (!SPEC_FILES[family].includes(file)) SPEC_FILES[family].push(file);
}
for (const exception of EXTRA_SPEC_EXCEPTIONS) {
  if (!SPEC_EXCEPTIONS.some((known) => known.file === exception.file && known.where === exception.where)) SPEC_EXCEPTIONS.push(exception);
}
