import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Deliveries that must never become work: forged (signed with another secret), tampered (signed by the store,
 * then the body changed), replayed (signed by the store an hour ago) and unsigned. Each names an order id
 * from `firstOrderId` up, which no store order has, so a delivery that got through would show as a fetch of
 * that order.
 */

export const FORGERY_KINDS = ['forged', 'tampered', 'replayed', 'unsigned'] as const;
export type ForgeryKind = (typeof FORGERY_KINDS)[number];

export interface Forgery {
  kind: ForgeryKind;
  orderId: number;
  body: string;
  headers: Record<string, string>;
}

const REPLAY_AGE_S = 3600;

function orderCreated(orderId: number, storeHash: string): string {
  const createdAt = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    scope: 'store/order/created',
    store_id: '1001',
    data: { type: 'order', id: orderId },
    hash: randomUUID().replace(/-/g, ''),
    created_at: createdAt,
    producer: `stores/${storeHash}`,
  });
}

function signed(secret: string, body: string, at: Date): Record<string, string> {
  const id = `msg_${randomUUID()}`;
  const signature = new Webhook(Buffer.from(secret, 'utf8').toString('base64')).sign(id, at, body);
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
}

export function forgeries(count: number, options: { clientSecret: string; storeHash: string; firstOrderId: number }): Forgery[] {
  return Array.from({ length: count }, (_, index) => {
    const kind = FORGERY_KINDS[index % FORGERY_KINDS.length]!;
    const orderId = options.firstOrderId + index;
    const body = orderCreated(orderId, options.storeHash);
    const now = new Date();
    switch (kind) {
      case 'forged':
        return { kind, orderId, body, headers: signed(`not-${options.clientSecret}`, body, now) };
      case 'tampered': {
        // The store signed a delivery about another order; only the id in the body was changed.
        const original = body.replace(`"id":${orderId}`, `"id":${orderId + count}`);
        return { kind, orderId, body, headers: signed(options.clientSecret, original, now) };
      }
      case 'replayed':
        return { kind, orderId, body, headers: signed(options.clientSecret, body, new Date(now.getTime() - REPLAY_AGE_S * 1000)) };
      case 'unsigned':
        return { kind, orderId, body, headers: { 'content-type': 'application/json' } };
    }
  });
}

export interface DeliveryAnswer {
  kind: ForgeryKind;
  status: number;
  body: string;
}

/** POSTs every delivery to `url`, `concurrency` at a time; a failed connection answers status 0. */
export async function deliverAll(url: string, deliveries: Forgery[], concurrency = 8): Promise<DeliveryAnswer[]> {
  const answers: DeliveryAnswer[] = [];
  let next = 0;
  const worker = async () => {
    while (next < deliveries.length) {
      const delivery = deliveries[next++]!;
      try {
        const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body, signal: AbortSignal.timeout(15_000) });
        answers.push({ kind: delivery.kind, status: response.status, body: await response.text() });
      } catch (err) {
        answers.push({ kind: delivery.kind, status: 0, body: String(err) });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers;
}
