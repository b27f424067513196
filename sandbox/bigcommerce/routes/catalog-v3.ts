import { z } from 'zod';
import { DEFAULT_LOCATION_ID, MAX_INVENTORY_LEVEL, type Catalog, type ProductRecord, type VariantRecord } from '../catalog';
import { rfc3339 } from '../dates';
import { boolParam, idListParam, intParam, listParam, pagingParams, RequestError } from '../query';
import { batchTooLarge, json, pageOf, paginationMeta, STATUS_CODES_URL, v3Collection, v3Error, type SimResponse } from '../responses';
import type { Route, RouteContext } from '../router';
import { rejectUnsupported, slug } from './common';

export function renderVariant(catalog: Catalog, variant: VariantRecord, product: ProductRecord): Record<string, unknown> {
  return {
    id: variant.id,
    product_id: product.id,
    sku: variant.sku,
    sku_id: variant.skuId,
    price: variant.price,
    calculated_price: catalog.calculatedPrice(variant, product),
    sale_price: variant.salePrice,
    retail_price: variant.retailPrice,
    cost_price: variant.costPrice,
    weight: variant.weight,
    calculated_weight: variant.weight ?? product.weight,
    width: null,
    height: null,
    depth: null,
    is_free_shipping: false,
    fixed_cost_shipping_price: null,
    purchasing_disabled: variant.purchasingDisabled,
    purchasing_disabled_message: '',
    image_url: '',
    upc: variant.upc,
    mpn: '',
    gtin: '',
    inventory_level: catalog.variantLevel(DEFAULT_LOCATION_ID, variant),
    inventory_warning_level: variant.inventoryWarningLevel,
    bin_picking_number: '',
    option_values: variant.optionValues,
  };
}

export function renderProduct(catalog: Catalog, product: ProductRecord, withVariants: boolean): Record<string, unknown> {
  const base = catalog.variants.get(product.baseVariantId);
  return {
    id: product.id,
    name: product.name,
    type: product.type,
    sku: product.sku,
    description: '',
    weight: product.weight,
    width: 0,
    depth: 0,
    height: 0,
    price: product.price,
    cost_price: product.costPrice,
    retail_price: product.retailPrice,
    sale_price: product.salePrice,
    map_price: product.mapPrice,
    tax_class_id: 0,
    product_tax_code: '',
    calculated_price: base ? catalog.calculatedPrice(base, product) : product.salePrice > 0 ? product.salePrice : product.price,
    categories: [],
    brand_id: 0,
    inventory_level: catalog.productLevel(product),
    inventory_warning_level: product.inventoryWarningLevel,
    inventory_tracking: product.inventoryTracking,
    reviews_rating_sum: 0,
    reviews_count: 0,
    total_sold: 0,
    fixed_cost_shipping_price: 0,
    is_free_shipping: false,
    is_visible: product.isVisible,
    is_featured: false,
    related_products: [],
    warranty: '',
    bin_picking_number: '',
    layout_file: 'product.html',
    upc: '',
    mpn: '',
    gtin: '',
    search_keywords: '',
    availability: 'available',
    availability_description: '',
    gift_wrapping_options_type: 'any',
    gift_wrapping_options_list: [],
    sort_order: 0,
    condition: 'New',
    is_condition_shown: false,
    order_quantity_minimum: 0,
    order_quantity_maximum: 0,
    page_title: '',
    meta_keywords: [],
    meta_description: '',
    date_created: rfc3339(product.dateCreated),
    date_modified: rfc3339(product.dateModified),
    view_count: 0,
    preorder_release_date: null,
    preorder_message: '',
    is_preorder_only: false,
    is_price_hidden: false,
    price_hidden_label: '',
    custom_url: { url: `/${slug(product.name)}-${product.id}/`, is_customized: false },
    // BigCommerce sends null for a product with options, although the schema types the field as integer.
    base_variant_id: product.baseVariantId || null,
    open_graph_type: 'product',
    open_graph_title: '',
    open_graph_description: '',
    open_graph_use_meta_description: true,
    open_graph_use_product_name: true,
    open_graph_use_image: true,
    ...(withVariants && { variants: product.variantIds.map((id) => renderVariant(catalog, catalog.variants.get(id)!, product)) }),
  };
}

/** `include_fields` keeps `id` plus the fields named; `exclude_fields` drops the fields named (never `id`). */
function fieldSelector(query: URLSearchParams): (record: Record<string, unknown>) => Record<string, unknown> {
  const include = listParam(query, 'include_fields');
  const exclude = listParam(query, 'exclude_fields');
  if (!include && !exclude) return (record) => record;
  return (record) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record)) {
      if (key === 'id' || key === 'variants' || ((!include || include.includes(key)) && !exclude?.includes(key))) out[key] = value;
    }
    return out;
  };
}

const PRODUCT_FILTERS = ['id', 'id:in', 'sku', 'sku:in', 'name', 'is_visible', 'include', 'include_fields', 'exclude_fields', 'page', 'limit', 'date_modified:min', 'date_modified:max', 'sort', 'direction'];
const PRODUCT_SORTS = ['id', 'name', 'sku', 'price', 'date_modified', 'inventory_level'];

function listProducts({ store, query }: RouteContext): SimResponse {
  rejectUnsupported(query, PRODUCT_FILTERS);
  const { catalog } = store;
  const { page, limit } = pagingParams(query, 50, 250);
  const id = intParam(query, 'id');
  const ids = idListParam(query, 'id:in');
  const sku = query.get('sku');
  const skus = listParam(query, 'sku:in');
  const name = query.get('name');
  const visible = boolParam(query, 'is_visible');
  const modifiedMin = dateParam(query, 'date_modified:min');
  const modifiedMax = dateParam(query, 'date_modified:max');
  const include = listParam(query, 'include') ?? [];
  const unknownInclude = include.find((i) => !['variants', 'images', 'custom_fields', 'bulk_pricing_rules', 'primary_image', 'modifiers', 'options', 'videos', 'parent_relations', 'channels'].includes(i));
  if (unknownInclude) throw new RequestError(400, `The field 'include' is invalid: '${unknownInclude}'.`, { include: `${unknownInclude} is not a valid include` });

  let candidates: Iterable<ProductRecord>;
  if (ids || id !== undefined) {
    candidates = [...new Set([...(ids ?? []), ...(id !== undefined ? [id] : [])])].map((i) => catalog.products.get(i)).filter((p): p is ProductRecord => !!p);
  } else if (skus || sku !== null) {
    // Products filter on the base SKU only, as the real `sku`/`sku:in` do.
    candidates = [...(skus ?? []), ...(sku !== null ? [sku] : [])].map((s) => catalog.products.get(catalog.productBySku.get(s) ?? -1)).filter((p): p is ProductRecord => !!p);
  } else {
    candidates = catalog.products.values();
  }
  const matching: ProductRecord[] = [];
  for (const p of candidates) {
    if (id !== undefined && p.id !== id) continue;
    if (ids && !ids.includes(p.id)) continue;
    if (sku !== null && p.sku !== sku) continue;
    if (skus && !skus.includes(p.sku)) continue;
    if (name !== null && p.name !== name) continue;
    if (visible !== undefined && p.isVisible !== visible) continue;
    if (modifiedMin !== undefined && p.dateModified < modifiedMin) continue;
    if (modifiedMax !== undefined && p.dateModified > modifiedMax) continue;
    matching.push(p);
  }
  const sort = query.get('sort') ?? 'id';
  if (!PRODUCT_SORTS.includes(sort)) throw new RequestError(400, `The field 'sort' is invalid: '${sort}'.`, { sort: `must be one of ${PRODUCT_SORTS.join(', ')}` });
  const direction = query.get('direction') === 'desc' ? -1 : 1;
  const key = (p: ProductRecord): number | string =>
    sort === 'name' ? p.name : sort === 'sku' ? p.sku : sort === 'price' ? p.price : sort === 'date_modified' ? p.dateModified : sort === 'inventory_level' ? catalog.productLevel(p) : p.id;
  matching.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return (ka < kb ? -1 : ka > kb ? 1 : a.id - b.id) * direction;
  });
  const select = fieldSelector(query);
  return v3Collection(pageOf(matching, page, limit), (p) => select(renderProduct(catalog, p, include.includes('variants'))));
}

function dateParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new RequestError(400, `The field '${name}' is invalid: '${raw}' is not a date.`, { [name]: 'must be a date' });
  return ms;
}

const price = z.number().min(0);
const productPutSchema = z.looseObject({
  id: z.number().int().positive(),
  name: z.string().min(1).max(250).optional(),
  sku: z.string().max(255).optional(),
  price: price.optional(),
  sale_price: price.optional(),
  retail_price: price.optional(),
  cost_price: price.optional(),
  map_price: price.optional(),
  weight: price.optional(),
  is_visible: z.boolean().optional(),
  inventory_tracking: z.enum(['none', 'product', 'variant']).optional(),
  inventory_level: z.number().int().min(0).optional(),
  inventory_warning_level: z.number().int().min(0).optional(),
});

function updateProducts(context: RouteContext): SimResponse {
  const { store, body } = context;
  if (!Array.isArray(body)) return v3Error(422, 'The request body must be an array of products.', { body: 'expected an array' }, { code: 422 });
  if (body.length > 10) return batchTooLarge(10, '.');
  const { catalog } = store;
  const updates: Array<z.infer<typeof productPutSchema>> = [];
  for (const [index, item] of body.entries()) {
    const parsed = productPutSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return v3Error(422, 'JSON data is missing or invalid', { [`${index}.${issue.path.join('.')}`]: issue.message }, { code: 422 });
    }
    const product = catalog.products.get(parsed.data.id);
    if (!product) return v3Error(404, `Product ${parsed.data.id} not found`, {}, { instance: `/v3/catalog/products` });
    const newSku = parsed.data.sku;
    if (newSku !== undefined && newSku !== product.sku && (catalog.productBySku.has(newSku) || catalog.variantBySku.has(newSku))) {
      return v3Error(409, `The product SKU '${newSku}' is a duplicate`, { sku: 'SKU must be unique' }, { code: 409 });
    }
    updates.push(parsed.data);
  }
  const failedInventory: string[] = [];
  const partial = context.partialFailure();
  const touched: ProductRecord[] = [];
  for (const update of updates) {
    const product = catalog.products.get(update.id)!;
    if (update.name !== undefined) product.name = update.name;
    if (update.sku !== undefined && update.sku !== product.sku) renameProductSku(catalog, product, update.sku);
    if (update.price !== undefined) product.price = update.price;
    if (update.sale_price !== undefined) product.salePrice = update.sale_price;
    if (update.retail_price !== undefined) product.retailPrice = update.retail_price;
    if (update.cost_price !== undefined) product.costPrice = update.cost_price;
    if (update.map_price !== undefined) product.mapPrice = update.map_price;
    if (update.weight !== undefined) product.weight = update.weight;
    if (update.is_visible !== undefined) product.isVisible = update.is_visible;
    if (update.inventory_warning_level !== undefined) product.inventoryWarningLevel = update.inventory_warning_level;
    if (update.inventory_tracking !== undefined) product.inventoryTracking = update.inventory_tracking;
    if (update.inventory_level !== undefined) {
      // Catalog writes of stock go through the Inventory API: they fail (207) when the product is tracked by variant.
      if (partial || product.inventoryTracking === 'variant') failedInventory.push(`product ${product.id}`);
      else store.setStock(DEFAULT_LOCATION_ID, -product.id, Math.min(update.inventory_level, MAX_INVENTORY_LEVEL), 'absolute');
    }
    product.dateModified = store.now();
    store.emit('store/product/updated', { type: 'product', id: product.id });
    touched.push(product);
  }
  const data = touched.map((p) => renderProduct(catalog, p, false));
  if (failedInventory.length > 0) {
    return json(
      {
        data,
        errors: { status: 422, title: 'Inventory data failed to update', type: STATUS_CODES_URL, errors: { inventory_level: `not saved for ${failedInventory.join(', ')}` } },
        meta: { pagination: paginationMeta({ items: data, page: 1, limit: Math.max(1, data.length), total: data.length }) },
      },
      207,
    );
  }
  return json({ data, meta: {} });
}

function renameProductSku(catalog: Catalog, product: ProductRecord, sku: string): void {
  catalog.productBySku.delete(product.sku);
  catalog.productBySku.set(sku, product.id);
  const base = catalog.variants.get(product.baseVariantId);
  if (base) {
    catalog.variantBySku.delete(base.sku);
    base.sku = sku;
    catalog.variantBySku.set(sku, base.id);
  }
  product.sku = sku;
}

const nullablePrice = price.nullable();
const variantPutSchema = z.looseObject({
  id: z.number().int().positive(),
  product_id: z.number().int().positive().optional(),
  sku: z.string().min(1).max(255).optional(),
  price: nullablePrice.optional(),
  sale_price: nullablePrice.optional(),
  retail_price: nullablePrice.optional(),
  cost_price: nullablePrice.optional(),
  weight: nullablePrice.optional(),
  upc: z.string().max(14).optional(),
  purchasing_disabled: z.boolean().optional(),
  inventory_level: z.number().int().min(0).optional(),
  inventory_warning_level: z.number().int().min(0).optional(),
});

type VariantUpdate = z.infer<typeof variantPutSchema>;

/** Applies one variant update; returns whether its inventory part failed. */
function applyVariantUpdate(context: RouteContext, variant: VariantRecord, update: VariantUpdate, partial: boolean): boolean {
  const { store } = context;
  const { catalog } = store;
  if (update.sku !== undefined && update.sku !== variant.sku) {
    catalog.variantBySku.delete(variant.sku);
    variant.sku = update.sku;
    catalog.variantBySku.set(update.sku, variant.id);
  }
  if (update.price !== undefined) variant.price = update.price;
  if (update.sale_price !== undefined) variant.salePrice = update.sale_price;
  if (update.retail_price !== undefined) variant.retailPrice = update.retail_price;
  if (update.cost_price !== undefined) variant.costPrice = update.cost_price;
  if (update.weight !== undefined) variant.weight = update.weight;
  if (update.upc !== undefined) variant.upc = update.upc;
  if (update.purchasing_disabled !== undefined) variant.purchasingDisabled = update.purchasing_disabled;
  if (update.inventory_warning_level !== undefined) variant.inventoryWarningLevel = update.inventory_warning_level;
  let inventoryFailed = false;
  if (update.inventory_level !== undefined) {
    if (partial) inventoryFailed = true;
    else store.setStock(DEFAULT_LOCATION_ID, catalog.stockKey(variant), Math.min(update.inventory_level, MAX_INVENTORY_LEVEL), 'absolute');
  }
  catalog.touchProduct(variant.productId);
  store.emit('store/sku/updated', { type: 'sku', id: variant.skuId, sku: { product_id: variant.productId, variant_id: variant.id } });
  return inventoryFailed;
}

function batchError(status: number, title: string, errors: Record<string, string>) {
  return { status, title, type: STATUS_CODES_URL, instance: '/v3/catalog/variants', errors };
}

function updateVariantsBatch(context: RouteContext): SimResponse {
  const { store, body } = context;
  if (!Array.isArray(body)) return json({ batch_errors: [batchError(422, 'The request body must be an array of variants.', { body: 'expected an array' })] }, 422);
  if (body.length > 50) return batchTooLarge(50, '');
  const { catalog } = store;
  const errors: ReturnType<typeof batchError>[] = [];
  const updates: Array<{ variant: VariantRecord; update: VariantUpdate }> = [];
  for (const [index, item] of body.entries()) {
    const parsed = variantPutSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      errors.push(batchError(422, `Variant ${index} is invalid`, { [`${index}.${issue.path.join('.')}`]: issue.message }));
      continue;
    }
    const variant = catalog.variants.get(parsed.data.id);
    if (!variant || (parsed.data.product_id !== undefined && parsed.data.product_id !== variant.productId)) {
      errors.push(batchError(422, `Variant ${parsed.data.id} was not found`, { [`${index}.id`]: 'variant does not exist' }));
      continue;
    }
    const sku = parsed.data.sku;
    if (sku !== undefined && sku !== variant.sku && (catalog.variantBySku.has(sku) || catalog.productBySku.has(sku))) {
      errors.push(batchError(409, `The variant SKU '${sku}' is a duplicate`, { [`${index}.sku`]: 'SKU must be unique' }));
      continue;
    }
    updates.push({ variant, update: parsed.data });
  }
  // The batch is all or nothing: one bad variant and none is saved.
  if (errors.length > 0) return json({ batch_errors: errors }, 422);
  for (const { variant, update } of updates) applyVariantUpdate(context, variant, update, false);
  return json({ data: updates.map(({ variant }) => renderVariant(catalog, variant, catalog.products.get(variant.productId)!)), meta: {} });
}

function updateOneVariant(context: RouteContext): SimResponse {
  const { store, params } = context;
  const { catalog } = store;
  const variant = catalog.variants.get(params.variant_id!);
  if (!variant || variant.productId !== params.product_id) return v3Error(404, 'The requested variant was not found.');
  const parsed = variantPutSchema.omit({ id: true }).safeParse(context.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return v3Error(422, 'JSON data is missing or invalid', { [issue.path.join('.') || 'body']: issue.message });
  }
  const failed = applyVariantUpdate(context, variant, { ...parsed.data, id: variant.id }, context.partialFailure());
  const data = renderVariant(catalog, variant, catalog.products.get(variant.productId)!);
  if (failed) {
    return json({ data, errors: { status: 422, title: 'Inventory data failed to update', type: STATUS_CODES_URL, errors: { inventory_level: 'not saved' } }, meta: {} }, 207);
  }
  return json({ data, meta: {} });
}

const VARIANT_FILTERS = ['id', 'sku', 'upc', 'product_id:in', 'include_fields', 'exclude_fields', 'page', 'limit'];

function listVariants({ store, query }: RouteContext): SimResponse {
  rejectUnsupported(query, VARIANT_FILTERS);
  const { catalog } = store;
  const { page, limit } = pagingParams(query, 50, 250);
  const id = intParam(query, 'id');
  const sku = query.get('sku');
  const upc = query.get('upc');
  const productIds = idListParam(query, 'product_id:in');
  let candidates: Iterable<VariantRecord>;
  if (id !== undefined) candidates = [catalog.variants.get(id)].filter((v): v is VariantRecord => !!v);
  else if (sku !== null) candidates = [catalog.variants.get(catalog.variantBySku.get(sku) ?? -1)].filter((v): v is VariantRecord => !!v);
  else if (productIds) candidates = productIds.flatMap((pid) => catalog.products.get(pid)?.variantIds ?? []).map((vid) => catalog.variants.get(vid)!);
  else candidates = catalog.variants.values();
  const matching: VariantRecord[] = [];
  for (const v of candidates) {
    if (sku !== null && v.sku !== sku) continue;
    if (upc !== null && v.upc !== upc) continue;
    if (productIds && !productIds.includes(v.productId)) continue;
    matching.push(v);
  }
  matching.sort((a, b) => a.id - b.id);
  const select = fieldSelector(query);
  return v3Collection(pageOf(matching, page, limit), (v) => select(renderVariant(catalog, v, catalog.products.get(v.productId)!)));
}

export const catalogV3Routes: Route[] = [
  { method: 'GET', api: 'v3', path: '/catalog/products', scopes: ['products'], handle: listProducts },
  { method: 'PUT', api: 'v3', path: '/catalog/products', scopes: ['products'], handle: updateProducts },
  {
    method: 'GET', api: 'v3', path: '/catalog/products/{product_id}', scopes: ['products'],
    handle({ store, params, query }) {
      rejectUnsupported(query, ['include', 'include_fields', 'exclude_fields']);
      const product = store.catalog.products.get(params.product_id!);
      if (!product) return v3Error(404, 'The requested product was not found.');
      const include = listParam(query, 'include') ?? [];
      return json({ data: fieldSelector(query)(renderProduct(store.catalog, product, include.includes('variants'))), meta: {} });
    },
  },
  {
    method: 'GET', api: 'v3', path: '/catalog/products/{product_id}/variants', scopes: ['products'],
    handle({ store, params, query }) {
      rejectUnsupported(query, ['include_fields', 'exclude_fields', 'page', 'limit']);
      const product = store.catalog.products.get(params.product_id!);
      if (!product) return v3Error(404, 'The requested product was not found.');
      const { page, limit } = pagingParams(query, 50, 250);
      const select = fieldSelector(query);
      const variants = product.variantIds.map((id) => store.catalog.variants.get(id)!);
      return v3Collection(pageOf(variants, page, limit), (v) => select(renderVariant(store.catalog, v, product)));
    },
  },
  {
    method: 'GET', api: 'v3', path: '/catalog/products/{product_id}/variants/{variant_id}', scopes: ['products'],
    handle({ store, params, query }) {
      rejectUnsupported(query, ['include_fields', 'exclude_fields']);
      const variant = store.catalog.variants.get(params.variant_id!);
      if (!variant || variant.productId !== params.product_id) return v3Error(404, 'The requested variant was not found.');
      return json({ data: fieldSelector(query)(renderVariant(store.catalog, variant, store.catalog.products.get(variant.productId)!)), meta: {} });
    },
  },
  { method: 'PUT', api: 'v3', path: '/catalog/products/{product_id}/variants/{variant_id}', scopes: ['products'], handle: updateOneVariant },
  { method: 'GET', api: 'v3', path: '/catalog/variants', scopes: ['products'], handle: listVariants },
  { method: 'PUT', api: 'v3', path: '/catalog/variants', scopes: ['products'], handle: updateVariantsBatch },
];
