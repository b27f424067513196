import { defineSettings } from './definition';

/** The settings of the Sage 100 group's nodes (see ./definition.ts). */

const sage100 = { kind: 'config', type: 'sage100-config', required: true } as const;
const pageSize = (fallback: number) => ({ kind: 'number', default: fallback, integer: true, min: 1, max: 500 }) as const;

export const sage100ConfigSettings = defineSettings({
  type: 'sage100-config',
  version: 2,
  migrations: [
    {
      // Version 2: the timeout in seconds only, like the BigCommerce configuration's; version 1 could carry it in
      // milliseconds (timeoutMs), which then counted.
      version: 2,
      up(settings) {
        const next = Object.assign({}, settings, { timeoutMs: '' });
        const ms = Number.parseFloat(String(settings.timeoutMs));
        if (Number.isFinite(ms) && ms > 0) next.timeout = ms / 1000;
        return next;
      },
    },
  ],
  fields: {
    mode: { kind: 'choice', values: ['agent', 'soap'], default: 'agent' },
    agentUrl: { kind: 'text', default: '', pattern: '^https://\\S+$', message: 'must be an https:// URL', when: { field: 'mode', is: ['agent'] } },
    soapEndpoint: { kind: 'text', default: '', pattern: '^https?://\\S+$', message: 'must be an http(s):// URL', when: { field: 'mode', is: ['soap'] } },
    wsdlPath: { kind: 'text', default: '' },
    companyCode: { kind: 'text', default: '', required: true, pattern: '^[A-Za-z0-9]{3}$', message: 'must be the 3-character company code' },
    tlsMode: { kind: 'choice', values: ['verify', 'ca', 'pin', 'insecure'], default: 'verify' },
    caPem: { kind: 'text', default: '', pattern: '-----BEGIN CERTIFICATE-----', message: 'must be a PEM certificate', when: { field: 'tlsMode', is: ['ca'] } },
    // 64 hex digits, with or without separators.
    pinSha256: { kind: 'text', default: '', pattern: '^[^0-9a-fA-F]*([0-9a-fA-F][^0-9a-fA-F]*){64}$', message: 'must be a SHA-256 fingerprint (64 hex digits)', when: { field: 'tlsMode', is: ['pin'] } },
    /** Seconds. */
    timeout: { kind: 'number', default: 30 },
    /**
     * Version 1's timeout in milliseconds, blank from version 2 on. Kept among the fields so that the editor, which
     * keeps only a type's fields, still deploys it for a node nobody has opened since (the runtime migrates it).
     */
    timeoutMs: { kind: 'text', default: '' },
  },
});

export const customerSettings = defineSettings({
  type: 'sage100-customer',
  version: 1,
  migrations: [],
  fields: {
    sage100,
    operation: { kind: 'choice', values: ['upsert', 'get'], default: 'upsert' },
    matchByEmail: { kind: 'flag', default: false },
    zipFallback: { kind: 'choice', values: ['blank', 'code', 'hold'], default: 'blank' },
    zipFallbackCode: { kind: 'text', default: '' },
  },
});

export const invoicesSettings = defineSettings({
  type: 'sage100-invoices',
  version: 1,
  migrations: [],
  fields: { sage100, pageSize: pageSize(100) },
});

export const itemsSettings = defineSettings({
  type: 'sage100-items',
  version: 1,
  migrations: [],
  fields: {
    sage100,
    mode: { kind: 'choice', values: ['changes', 'snapshot'], default: 'changes' },
    warehouses: { kind: 'text', default: '' },
    unstampedStock: { kind: 'flag', default: true },
    pageSize: pageSize(200),
  },
});

export const salesOrderSettings = defineSettings({
  type: 'sage100-sales-order',
  version: 1,
  migrations: [],
  fields: {
    sage100,
    operation: { kind: 'choice', values: ['create', 'get'], default: 'create' },
    bigcommerce: { kind: 'config', type: 'bigcommerce-config', required: false },
    soapPayment: { kind: 'choice', values: ['send', 'omit'], default: 'send' },
  },
});
