import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { RecentKeys, WebhookVerifier, type RejectionReason, type VerifierOptions, type WebhookSecrets } from '../../lib/bigcommerce/webhook';

const CLIENT_SECRET = 'bc-client-secret-5f0a';
const NOW = 1_750_000_000_000;
/** A store/order/created delivery shaped as BigCommerce documents it. */
const body = JSON.stringify(
  {
    scope: 'store/order/created',
    store_id: '1025646',
    data: { type: 'order', id: 250 },
    hash: 'dd70c0976e06b67aaf671e73f49dcb79230ebf9d',
    created_at: 1561479335,
    producer: 'stores/abc123',
  },
  null,
  2,
);

/** Signature headers made by the Standard Webhooks reference implementation, keyed the way BigCommerce documents. */
function signed(payload: string, options: { secret?: string; id?: string; at?: number } = {}): Record<string, string> {
  const signer = new Webhook(Buffer.from(options.secret ?? CLIENT_SECRET, 'utf8').toString('base64'));
  const id = options.id ?? 'msg_2bXkQ';
  const at = options.at ?? NOW;
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at / 1000)), 'webhook-signature': signer.sign(id, new Date(at), payload) };
}

function verifier(secrets: WebhookSecrets = { clientSecret: CLIENT_SECRET }, options: Partial<VerifierOptions> = {}): WebhookVerifier {
  return new WebhookVerifier(secrets, { signature: 'required', toleranceSeconds: 300, now: () => NOW, ...options });
}

function reasonOf(result: ReturnType<WebhookVerifier['verify']>): RejectionReason | 'ok' {
  return result.ok ? 'ok' : result.reason;
}

describe('BigCommerce webhook verification', () => {
  it('accepts a delivery signed with the client secret, from the raw Buffer body', () => {
    const result = verifier().verify(Buffer.from(body), signed(body));
    assert.ok(result.ok);
    assert.equal(result.payload.scope, 'store/order/created');
    assert.equal(result.payload.data.id, 250);
    assert.deepEqual(result.webhook, { id: 'msg_2bXkQ', timestamp: NOW / 1000, hash: 'dd70c0976e06b67aaf671e73f49dcb79230ebf9d' });
  });

  it('accepts the delivery when any of several signatures matches (key rotation), whatever the header case', () => {
    const headers = signed(body);
    const other = signed(body, { secret: 'previous-secret' })['webhook-signature'];
    const result = verifier().verify(body, {
      'Webhook-Id': headers['webhook-id'],
      'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'],
      'webhook-signature': `${other} v2,bm90LWEtdjE= ${headers['webhook-signature']}`,
    });
    assert.ok(result.ok);
  });

  it('rejects each kind of bad delivery with its own reason', () => {
    const cases: Array<[string, RejectionReason | 'ok', ReturnType<WebhookVerifier['verify']>]> = [
      ['tampered body', 'bad-signature', verifier().verify(body.replace('250', '251'), signed(body))],
      ['wrong secret', 'bad-signature', verifier().verify(body, signed(body, { secret: 'not-the-secret' }))],
      ['stale timestamp', 'stale-timestamp', verifier().verify(body, signed(body, { at: NOW - 301_000 }))],
      ['future timestamp', 'future-timestamp', verifier().verify(body, signed(body, { at: NOW + 301_000 }))],
      ['missing headers', 'missing-headers', verifier().verify(body, {})],
      ['one header missing', 'missing-headers', verifier().verify(body, { ...signed(body), 'webhook-id': undefined } as never)],
      ['parsed body', 'body-parsed', verifier().verify(JSON.parse(body), signed(body))],
      ['timestamp not a number', 'bad-timestamp', verifier().verify(body, { ...signed(body), 'webhook-timestamp': 'yesterday' })],
      ['not JSON', 'not-json', verifier().verify('scope=store/order/created', signed('scope=store/order/created'))],
      ['JSON but not a webhook', 'not-a-webhook', verifier().verify('{"hello":1}', signed('{"hello":1}'))],
    ];
    for (const [name, expected, result] of cases) assert.equal(reasonOf(result), expected, name);
    const parsed = verifier().verify(JSON.parse(body), signed(body));
    assert.ok(!parsed.ok && /tick "Do not parse request body"/.test(parsed.message));
  });

  it('agrees with the verify() of the reference implementation', () => {
    const now = Date.now();
    const headers = signed(body, { at: now });
    const reference = new Webhook(Buffer.from(CLIENT_SECRET, 'utf8').toString('base64'));
    const ours = verifier(undefined, { now: () => now });
    assert.deepEqual(reference.verify(body, headers), JSON.parse(body));
    assert.equal(reasonOf(ours.verify(body, headers)), 'ok');
    const tampered = body.replace('dd70', 'ee70');
    assert.throws(() => reference.verify(tampered, headers), /No matching signature/);
    assert.equal(reasonOf(ours.verify(tampered, headers)), 'bad-signature');
  });

  it('takes the timestamp tolerance from the settings', () => {
    const old = signed(body, { at: NOW - 400_000 });
    assert.equal(reasonOf(verifier().verify(body, old)), 'stale-timestamp');
    assert.equal(reasonOf(verifier(undefined, { toleranceSeconds: 600 }).verify(body, old)), 'ok');
    assert.equal(reasonOf(verifier(undefined, { toleranceSeconds: 60 }).verify(body, signed(body, { at: NOW - 61_000 }))), 'stale-timestamp');
  });

  it('checks the shared-secret header in place of, or as well as, the signature', () => {
    const shared = { clientSecret: CLIENT_SECRET, sharedHeader: { name: 'X-Bridge-Token', value: 'tok-7f3e-long' } };
    const headerOnly = verifier(shared, { signature: 'off' });
    assert.equal(reasonOf(headerOnly.verify(body, { 'x-bridge-token': 'tok-7f3e-long' })), 'ok');
    assert.equal(reasonOf(headerOnly.verify(body, { 'x-bridge-token': 'tok-7f3e-lonG' })), 'bad-shared-secret');
    assert.equal(reasonOf(headerOnly.verify(body, {})), 'bad-shared-secret');

    const both = verifier(shared, { signature: 'if-present' });
    assert.equal(reasonOf(both.verify(body, { 'x-bridge-token': 'tok-7f3e-long' })), 'ok', 'unsigned delivery, signature optional');
    assert.equal(reasonOf(both.verify(body, { 'x-bridge-token': 'tok-7f3e-long', ...signed(body, { secret: 'wrong' }) })), 'bad-signature');
    assert.equal(reasonOf(both.verify(body, { ...signed(body) })), 'bad-shared-secret');
  });

  it('refuses a delivery another store produced, when the configuration names its store', () => {
    const ours = verifier(undefined, { storeHash: 'ABC123' });
    assert.equal(reasonOf(ours.verify(body, signed(body))), 'ok', 'the store hash is compared without regard to case');
    const elsewhere = body.replace('stores/abc123', 'stores/zzz999');
    const refused = ours.verify(elsewhere, signed(elsewhere));
    assert.equal(reasonOf(refused), 'other-store');
    assert.ok(!refused.ok && !refused.message.includes('zzz999'), 'the reason names the configured store only');
    const unnamed = body.replace('"producer": "stores/abc123"', '"producer_gone": true');
    assert.equal(reasonOf(ours.verify(unnamed, signed(unnamed))), 'ok', 'a delivery without producer is judged by its signature alone');
  });

  it('checks the signature of a large body over its bytes, quickly', () => {
    const large = Buffer.concat([Buffer.from(body.slice(0, -1)), Buffer.from(`,"pad":"${'x'.repeat(8 * 1024 * 1024)}"}`)]);
    const headers = signed(large.toString('utf8'));
    const started = performance.now();
    const result = verifier().verify(large, headers);
    const ms = performance.now() - started;
    assert.equal(reasonOf(result), 'ok');
    assert.ok(ms < 1000, `8 MB took ${ms.toFixed(0)} ms`);
  });

  it('refuses a configuration that would verify nothing, naming what to set', () => {
    assert.throws(() => new WebhookVerifier({}, { signature: 'required', toleranceSeconds: 300 }), /no client secret/);
    assert.throws(() => new WebhookVerifier({ clientSecret: 'x' }, { signature: 'off', toleranceSeconds: 300 }), /not be verified at all/);
  });

  describe('RecentKeys', () => {
    it('reports a key seen within the window, and forgets it after', () => {
      let now = 0;
      const keys = new RecentKeys(1000, 100, () => now);
      assert.equal(keys.seen(['id:a', 'hash:1']), false);
      now = 500;
      assert.equal(keys.seen(['id:b', 'hash:1']), true, 'same payload hash, new webhook id');
      now = 1400;
      assert.equal(keys.seen(['id:a']), false, 'id:a expired');
      assert.equal(keys.seen(['hash:1']), true, 'hash:1 was refreshed at 500');
    });

    it('never holds more than its limit', () => {
      const keys = new RecentKeys(60_000, 50, () => 0);
      for (let i = 0; i < 1000; i++) keys.seen([`id:${i}`]);
      assert.equal(keys.size, 50);
      assert.equal(keys.seen(['id:999']), true);
      assert.equal(keys.seen(['id:0']), false);
    });
  });
});
