import { RecentKeys, WebhookVerifier, type SignatureMode } from '../../lib/bigcommerce/webhook';
import { numberSetting, onInput, requireConfigNode } from '../../lib/node-red/node';
import type { NodeAPI, NodeDefinition, RuntimeNode } from '../../lib/node-red/types';
import type { BigCommerceConfigNode } from './bigcommerce-config';

/** Enough for hours of busy order traffic; the oldest keys go first beyond it. */
const MAX_REMEMBERED_DELIVERIES = 10_000;

export interface WebhookVerifyNode extends RuntimeNode {
  counts: { verified: number; rejected: number; duplicates: number };
}

function signatureMode(value: unknown): SignatureMode {
  return value === 'if-present' || value === 'off' ? value : 'required';
}

export default function register(RED: NodeAPI): void {
  function BigCommerceWebhookVerify(this: WebhookVerifyNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    this.counts = { verified: 0, rejected: 0, duplicates: 0 };
    const recent = new RecentKeys(numberSetting(definition.dedupeWindow, 3600) * 1000, MAX_REMEMBERED_DELIVERIES);
    const dedupeByHash = definition.dedupeByHash !== false;
    let verifier: WebhookVerifier | undefined;
    let headersLogged = false;

    const countsText = () => `${this.counts.verified} ok, ${this.counts.duplicates} dup, ${this.counts.rejected} rejected`;

    onInput(this, async (msg, send) => {
      verifier ??= new WebhookVerifier(
        requireConfigNode<BigCommerceConfigNode>(RED, definition.bigcommerce, 'bigcommerce-config', this).webhookSecrets(),
        { signature: signatureMode(definition.signature), toleranceSeconds: numberSetting(definition.tolerance, 300) },
      );
      const headers = (msg.req as { headers?: Record<string, unknown> } | undefined)?.headers ?? {};
      const result = verifier.verify(msg.payload, headers);
      if (!result.ok) {
        this.counts.rejected++;
        msg.statusCode = 401;
        msg.reason = result.reason;
        msg.reasonText = result.message;
        this.status({ fill: 'yellow', shape: 'ring', text: `${result.reason} (${this.counts.rejected})` });
        send([null, msg, null]);
        return;
      }
      if (!headersLogged) {
        // Which headers BigCommerce sends is not fully documented: the names (never the values) of a real delivery help.
        headersLogged = true;
        this.log(`first verified delivery carried headers: ${Object.keys(headers).join(', ')}`);
      }
      const keys = [result.webhook.id && `id:${result.webhook.id}`, dedupeByHash && result.payload.hash && `hash:${result.payload.hash}`].filter(
        (key): key is string => typeof key === 'string',
      );
      msg.payload = result.payload;
      msg.topic = result.payload.scope;
      msg.resourceId = result.payload.data.id;
      msg.webhook = result.webhook;
      msg.statusCode = 200;
      if (keys.length > 0 && recent.seen(keys)) {
        this.counts.duplicates++;
        msg.duplicate = true;
        this.status({ fill: 'green', shape: 'ring', text: countsText() });
        send([null, null, msg]);
        return;
      }
      this.counts.verified++;
      this.status({ fill: 'green', shape: 'dot', text: countsText() });
      send([msg, null, null]);
    });
  }
  RED.nodes.registerType('bigcommerce-webhook-verify', BigCommerceWebhookVerify);
}
