/**
 * The contract recorder: checks every exchange the BigCommerce simulator serves against the official OpenAPI
 * files (found by ./specs.ts: the team's copy, or the pinned download). A request must match a documented path,
 * method and query parameter set; a response must validate against the schema documented for its status and
 * content type. Where the official files are wrong or silent, SPEC_EXCEPTIONS says what is done instead and why.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OpenAPIBackend, ValidationContext, type Operation } from 'openapi-backend';
import { parse } from 'yaml';
import type { Exchange } from '../../sandbox/bigcommerce';
import { bigCommerceSpecs } from './specs';

export const SPEC_FILES: Record<'v2' | 'v3', string[]> = {
  v2: ['orders.v2.oas2.yml'],
  v3: ['orders.v3.yml', 'customers.v3.yml', 'products_catalog.v3.yml', 'product-variants_catalog.v3.yml', 'inventory.v3.yml', 'webhooks.v3.yml', 'locations.v3.yml'],
};

export interface ContractViolation {
  seq: number;
  request: string;
  kind: 'undocumented-operation' | 'undocumented-query' | 'invalid-request' | 'undocumented-content-type' | 'invalid-response';
  message: string;
}

type Json = Record<string, unknown>;
// The Ajv that openapi-backend brings (v8); the repo root's `ajv` is another major version.
type Ajv = ReturnType<OpenAPIBackend['validator']['getAjv']>;
type ValidateFunction = ReturnType<Ajv['compile']>;
type ErrorObject = NonNullable<ValidateFunction['errors']>[number];

interface SpecException {
  file: string;
  where: string;
  reason: string;
  /** Rewrites the parsed file; returns how many places changed (0 means the exception is out of date). */
  patch(doc: Json): number;
}

/** Calls `visit` on every object node under `node`, with the key it sits under. */
function walk(node: unknown, visit: (value: Json, key: string) => void, key = ''): void {
  if (Array.isArray(node)) node.forEach((item) => walk(item, visit, key));
  else if (node && typeof node === 'object') {
    visit(node as Json, key);
    for (const [childKey, child] of Object.entries(node)) walk(child, visit, childKey);
  }
}

function at(doc: Json, ...path: string[]): Json {
  let node: unknown = doc;
  for (const key of path) {
    node = (node as Json | undefined)?.[key];
    if (node === undefined) throw new Error(`contract: ${path.join('.')} is not in the spec any more; review SPEC_EXCEPTIONS`);
  }
  return node as Json;
}

/** Turns `oneOf` into `anyOf` on the nodes found under `keyName` inside `root`. */
function oneOfToAnyOf(root: unknown, keyName: string): number {
  let changed = 0;
  walk(root, (value, key) => {
    if (key === keyName && Array.isArray(value.oneOf)) {
      value.anyOf = value.oneOf;
      delete value.oneOf;
      changed++;
    }
  });
  return changed;
}

/**
 * OpenAPI 3.0 (every file here) writes an exclusive bound as a boolean beside `maximum`/`minimum`; the validator
 * (Ajv, JSON Schema draft 7) reads `exclusiveMaximum`/`exclusiveMinimum` as the bound itself, a number, and refuses
 * to compile the schema otherwise. Rewrites the 3.0 form into that one; returns how many places changed.
 */
export function numericExclusiveBounds(doc: Json): number {
  let changed = 0;
  walk(doc, (value) => {
    for (const [exclusive, bound] of [['exclusiveMaximum', 'maximum'], ['exclusiveMinimum', 'minimum']] as const) {
      if (typeof value[exclusive] !== 'boolean') continue;
      if (value[exclusive] === true && typeof value[bound] === 'number') {
        value[exclusive] = value[bound];
        delete value[bound];
      } else delete value[exclusive];
      changed++;
    }
  });
  return changed;
}

const V2_COLLECTIONS = ['/orders', '/orders/{order_id}/products', '/orders/{order_id}/shipping_addresses', '/orders/{order_id}/coupons'];
const SORT_FIELDS = '(id|customer_id|date_created|date_modified|status_id|channel_id|external_id)';

export const SPEC_EXCEPTIONS: SpecException[] = [
  {
    file: 'orders.v2.oas2.yml',
    where: 'order_RespOnly.consignments (oneOf → anyOf)',
    reason: 'Neither branch (the {url, resource} link, the consignments object) has a required property, so every object matches both and oneOf can never pass.',
    patch: (doc) => oneOfToAnyOf(at(doc, 'components', 'schemas', 'order_RespOnly', 'properties'), 'consignments'),
  },
  {
    file: 'orders.v2.oas2.yml',
    where: 'consignment line_items (oneOf → anyOf)',
    reason: 'products_Resource has no required property, so a full order product (and an empty list) matches both branches and oneOf can never pass.',
    patch: (doc) => oneOfToAnyOf(at(doc, 'components', 'schemas'), 'line_items'),
  },
  {
    file: 'orders.v2.oas2.yml',
    where: `GET ${V2_COLLECTIONS.join(', ')}: 204`,
    reason: 'v2 collections answer an empty page with 204 and no body (BigCommerce docs on v2 pagination; the official clients rely on it); the file documents only 200.',
    patch: (doc) => {
      for (const path of V2_COLLECTIONS) at(doc, 'paths', path, 'get', 'responses')['204'] = { description: 'No Content: the page is empty.' };
      return V2_COLLECTIONS.length;
    },
  },
  {
    file: 'orders.v2.oas2.yml',
    where: 'query parameter sort',
    reason: 'The description asks for `field:asc` / `field:desc` (e.g. sort=date_modified:asc) but the enum lists the bare field names only.',
    patch: (doc) => {
      const schema = at(doc, 'components', 'parameters', 'sort', 'schema');
      delete schema.enum;
      schema.pattern = `^${SORT_FIELDS}(:(asc|desc))?$`;
      return 1;
    },
  },
  {
    file: 'product-variants_catalog.v3.yml',
    where: 'x-nullable: true → nullable: true',
    reason: 'The variants file marks nullable fields (price, sale_price, … null = inherit from the product) with the Swagger 2 `x-nullable` extension, which OpenAPI 3 validators ignore.',
    patch: (doc) => {
      let changed = 0;
      walk(doc, (value) => {
        if (value['x-nullable'] === true) {
          value.nullable = true;
          changed++;
        }
      });
      return changed;
    },
  },
  {
    file: 'products_catalog.v3.yml',
    where: 'product_Full.base_variant_id',
    reason: 'The field description says it is null for products with options ("complex products"), but it is typed as a non-nullable integer.',
    patch: (doc) => {
      let changed = 0;
      walk(at(doc, 'components', 'schemas', 'product_Full'), (value, key) => {
        if (key === 'base_variant_id') {
          value.nullable = true;
          changed++;
        }
      });
      return changed;
    },
  },
  {
    file: 'webhooks.v3.yml',
    where: 'webhooks_Resp.data minItems: 1',
    reason: 'An API account without hooks gets `data: []` from GET /hooks (the first call of every new integration); the file demands at least one item.',
    patch: (doc) => {
      const data = at(doc, 'components', 'responses', 'webhooks_Resp', 'content', 'application/json', 'schema', 'properties', 'data');
      if (data.minItems === undefined) return 0;
      delete data.minItems;
      return 1;
    },
  },
  {
    file: 'inventory.v3.yml',
    where: 'query parameters variant_id:in, product_id:in, location_id:in',
    reason: 'The `:in` filters take comma-separated lists of ids, but the file types each as a single integer.',
    patch: (doc) => {
      for (const name of ['VariantIdFilterParam', 'ProductIdFilterParam', 'LocationIdsParam']) {
        const parameter = at(doc, 'components', 'parameters', name);
        parameter.schema = { type: 'array', items: { type: 'integer' } };
        parameter.style = 'form';
        parameter.explode = false;
      }
      return 3;
    },
  },
];

/**
 * Operations BigCommerce documents in files that are not among the shared copies. Each is pinned here with the
 * fields the connector relies on, and nothing else.
 */
export const LOCAL_DOCUMENTS: Array<{ name: string; family: 'v2' | 'v3'; reason: string; document: Json }> = [
  {
    name: 'store_information.v2 (GET /store, minimal)',
    family: 'v2',
    reason:
      'GET /v2/store is documented in BigCommerce\'s reference/store_information.v2.yml, which is not among the shared copies; ' +
      'Test connection reads only the store name from it, so only the identifying fields are pinned.',
    document: {
      openapi: '3.0.3',
      info: { title: 'Store Information (minimal)', version: '' },
      paths: {
        '/store': {
          get: {
            operationId: 'getStore',
            parameters: [{ name: 'Accept', in: 'header', required: true, schema: { type: 'string' } }],
            responses: {
              '200': {
                description: 'The store profile.',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      required: ['id', 'domain', 'name'],
                      properties: {
                        id: { type: 'string' },
                        domain: { type: 'string' },
                        secure_url: { type: 'string' },
                        name: { type: 'string' },
                        status: { type: 'string' },
                        currency: { type: 'string' },
                        plan_name: { type: 'string' },
                        store_id: { type: 'integer' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
];

/** Exceptions applied while checking, rather than by rewriting a file. */
export const CHECK_EXCEPTIONS: Array<{ where: string; reason: string }> = [
  {
    where: 'required Content-Type header on operations without a request body',
    reason: 'The files mark Content-Type as a required header on GET and DELETE operations too, which carry no body; it is only required when a body is sent.',
  },
  {
    where: 'error statuses an operation does not document (401, 403, 404, 405, 413, 429, 5xx …) or documents without a body schema',
    reason: 'BigCommerce documents these once, on its status-codes page, not per operation; such answers are checked against the API family\'s documented error shape (v2: [{status, message}], v3: {status, title, type, errors}) instead.',
  },
  {
    where: '204 responses that document a body (e.g. GET /orders/{order_id}/transactions)',
    reason: 'A 204 carries no body (RFC 9110), so the recorder checks that none was sent.',
  },
];

const STATUS_CODES_PAGE_V2_ERROR = {
  type: 'array',
  minItems: 1,
  items: { type: 'object', required: ['status', 'message'], properties: { status: { type: 'integer' }, message: { type: 'string' } } },
};
const STATUS_CODES_PAGE_V3_ERROR = {
  type: 'object',
  required: ['status', 'title'],
  properties: { status: { type: 'integer' }, title: { type: 'string' }, type: { type: 'string' }, instance: { type: 'string' }, errors: { type: 'object' } },
};

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

interface LoadedSpec {
  file: string;
  api: OpenAPIBackend;
}

/** Response validators compiled per operation, status and content type. */
class ResponseSchemas {
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly ajv: Ajv;

  constructor(api: OpenAPIBackend) {
    this.ajv = api.validator.getAjv(ValidationContext.Response, { allErrors: false });
    this.ajv.addFormat('date-time', RFC3339);
    this.ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
    this.ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
    this.ajv.addFormat('url', (value: string) => URL.canParse(value));
    for (const name of ['ISO-4217', 'iso-4217']) this.ajv.addFormat(name, /^[A-Z]{3}$/);
    for (const name of ['decimal', 'enum', 'string']) this.ajv.addFormat(name, () => true);
  }

  validator(operation: Operation, status: string, contentType: string, schema: unknown): ValidateFunction {
    const key = `${operation.operationId} ${status} ${contentType}`;
    let validate = this.cache.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema as object);
      this.cache.set(key, validate);
    }
    return validate;
  }

  generic(api: 'v2' | 'v3'): ValidateFunction {
    const key = `generic ${api}`;
    let validate = this.cache.get(key);
    if (!validate) {
      validate = this.ajv.compile(api === 'v2' ? STATUS_CODES_PAGE_V2_ERROR : STATUS_CODES_PAGE_V3_ERROR);
      this.cache.set(key, validate);
    }
    return validate;
  }
}

function explain(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 3)
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`)
    .join('; ');
}

export interface ContractCounts {
  /** Responses validated against the schema an official file documents for their status and content type. */
  validated: number;
  /** Error responses of statuses the operation does not document, checked against the family's error shape. */
  genericErrors: number;
  /** Requests checked (path, method, query parameter names and values, body). */
  requests: number;
}

export class ContractRecorder {
  readonly counts: ContractCounts = { validated: 0, genericErrors: 0, requests: 0 };

  private constructor(
    private readonly specs: Record<'v2' | 'v3', LoadedSpec[]>,
    private readonly schemas: Map<OpenAPIBackend, ResponseSchemas>,
  ) {}

  static async load(directory: string): Promise<ContractRecorder> {
    const specs: Record<'v2' | 'v3', LoadedSpec[]> = { v2: [], v3: [] };
    const schemas = new Map<OpenAPIBackend, ResponseSchemas>();
    for (const family of ['v2', 'v3'] as const) {
      for (const file of SPEC_FILES[family]) {
        const doc = parse(readFileSync(resolve(directory, file), 'utf8')) as Json;
        numericExclusiveBounds(doc);
        for (const exception of SPEC_EXCEPTIONS.filter((e) => e.file === file)) {
          if (exception.patch(doc) === 0) throw new Error(`contract: the exception "${exception.where}" no longer applies to ${file}; review SPEC_EXCEPTIONS`);
        }
        const api = new OpenAPIBackend({ definition: doc as never, quick: true, validate: true, ajvOpts: { logger: false } });
        await api.init();
        specs[family].push({ file, api });
        schemas.set(api, new ResponseSchemas(api));
      }
    }
    for (const local of LOCAL_DOCUMENTS) {
      const api = new OpenAPIBackend({ definition: structuredClone(local.document) as never, quick: true, validate: true, ajvOpts: { logger: false } });
      await api.init();
      specs[local.family].push({ file: local.name, api });
      schemas.set(api, new ResponseSchemas(api));
    }
    return new ContractRecorder(specs, schemas);
  }

  /** The violations of one exchange (empty when it conforms); updates the counts. */
  check(exchange: Exchange): ContractViolation[] {
    if (exchange.api !== 'v2' && exchange.api !== 'v3') return [];
    const request = `${exchange.method} /${exchange.api}${exchange.apiPath ?? ''}`;
    const violations: ContractViolation[] = [];
    const violation = (kind: ContractViolation['kind'], message: string) => violations.push({ seq: exchange.seq, request, kind, message });
    const query = new URL(exchange.url, 'http://simulator').search.replace(/^\?/, '');
    const headers: Record<string, string> = { ...exchange.requestHeaders };
    // See CHECK_EXCEPTIONS: Content-Type is only required when a body is sent.
    if (exchange.requestBody === undefined) headers['content-type'] ??= 'application/json';
    const req = { method: exchange.method.toLowerCase(), path: exchange.apiPath ?? '/', headers, query, body: exchange.requestBody };

    let found: { spec: LoadedSpec; operation: Operation } | undefined;
    for (const spec of this.specs[exchange.api]) {
      const operation = spec.api.router.matchOperation(req as never);
      if (operation) {
        found = { spec, operation };
        break;
      }
    }
    this.counts.requests++;
    if (!found) {
      violation('undocumented-operation', `no official file documents ${request}`);
      return violations;
    }
    const { spec, operation } = found;
    const operationName = `${operation.operationId} in ${spec.file}`;

    const documentedQuery = new Set(
      (operation.parameters ?? []).filter((p) => 'in' in p && p.in === 'query').map((p) => (p as { name: string }).name),
    );
    for (const name of Object.keys(exchange.query)) {
      if (!documentedQuery.has(name)) violation('undocumented-query', `query parameter '${name}' is not documented for ${operationName} (documented: ${[...documentedQuery].join(', ') || 'none'})`);
    }

    // Bad values are fine when the store refused them; a 2xx to an invalid request means someone is wrong.
    const requestResult = spec.api.validator.validateRequest(req as never, operation);
    if (!requestResult.valid && exchange.status >= 200 && exchange.status < 300) {
      violation('invalid-request', `${operationName} accepted a request that breaks the spec: ${explain(requestResult.errors)}`);
    }

    if (exchange.status === 0) return violations;
    this.checkResponse(exchange, spec, operation, operationName, violation);
    return violations;
  }

  private checkResponse(
    exchange: Exchange,
    spec: LoadedSpec,
    operation: Operation,
    operationName: string,
    violation: (kind: ContractViolation['kind'], message: string) => void,
  ): void {
    const status = String(exchange.status);
    const documented = operation.responses?.[status] as { content?: Record<string, { schema?: unknown }> } | undefined;
    const contentType = (exchange.responseHeaders['content-type'] ?? '').split(';')[0]!.trim();
    const schemas = this.schemas.get(spec.api)!;

    if (exchange.status === 204) {
      if (!documented) violation('invalid-response', `${operationName} does not document 204`);
      else if (exchange.responseText !== undefined) violation('invalid-response', `${operationName}: a 204 must not carry a body`);
      else this.counts.validated++;
      return;
    }
    const content = documented?.content;
    const hasBody = exchange.responseText !== undefined && exchange.responseText !== '';
    if (!content || Object.keys(content).length === 0) {
      if (exchange.status < 400) {
        if (!documented) violation('invalid-response', `${operationName} does not document status ${status}`);
        else if (hasBody) violation('invalid-response', `${operationName} ${status} documents no body but one was sent`);
        else this.counts.validated++;
        return;
      }
      // An error status the operation does not document, or documents without a body schema (see CHECK_EXCEPTIONS).
      const validate = schemas.generic(exchange.api as 'v2' | 'v3');
      if (!validate(exchange.responseBody)) violation('invalid-response', `${operationName} ${status}: not the documented ${exchange.api} error shape: ${explain(validate.errors)}`);
      else this.counts.genericErrors++;
      return;
    }
    const media = content[contentType];
    if (!media) {
      violation('undocumented-content-type', `${operationName} ${status} is documented as ${Object.keys(content).join(', ')}, sent as '${contentType}'`);
      return;
    }
    if (media.schema === undefined) {
      this.counts.validated++;
      return;
    }
    let validate: ValidateFunction;
    try {
      validate = schemas.validator(operation, status, contentType, media.schema);
    } catch (err) {
      // A schema the validator cannot read would otherwise leave this response unchecked without a word.
      violation('invalid-response', `${operationName} ${status}: the documented schema cannot be compiled: ${(err as Error).message}`);
      return;
    }
    if (!validate(exchange.responseBody)) violation('invalid-response', `${operationName} ${status}: ${explain(validate.errors)}`);
    else this.counts.validated++;
  }
}

let shared: Promise<ContractRecorder | undefined> | undefined;
let loaded: ContractRecorder | undefined;

/** One recorder per test process: the files are parsed once. Undefined when the files cannot be had (offline clone). */
export function contractRecorder(): Promise<ContractRecorder | undefined> {
  shared ??= bigCommerceSpecs().then(async (specs) => {
    if (specs.directory === undefined) return undefined;
    return (loaded = await ContractRecorder.load(specs.directory));
  });
  return shared;
}

/** The process's recorder if a test store has loaded it, for the closing count. */
export function loadedContractRecorder(): ContractRecorder | undefined {
  return loaded;
}
