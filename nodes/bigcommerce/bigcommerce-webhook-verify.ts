import {
  RecentKeys,
  WEBHOOK_ANSWER_HEADERS,
  WEBHOOK_ANSWERS,
  WebhookVerifier,
  forgetSecretHeaders,
  type WebhookAnswer,
} from '../../lib/bigcommerce/webhook';
import { capRequestBodies } from '../../lib/node-red/body-cap';
import { onInput, requireConfigNode, statusLine } from '../../lib/node-red/node';
import type { NodeAPI, NodeDefinition, NodeMessage, RuntimeNode } from '../../lib/node-red/types';
import type { BigCommerceConfigNode } from './bigcommerce-config';
import { readSettings } from '../../lib/settings/definition';
import { webhookVerifySettings } from '../../lib/settings/bigcommerce';

/** Enough for hours of busy order traffic; the oldest keys go first beyond it. */
const MAX_REMEMBERED_DELIVERIES = 10_000;

/** BigCommerce's deliveries are a few hundred bytes (the event, not the order): anything near this is not one. */
export const DEFAULT_MAX_BODY_KB = 256;

export interface WebhookVerifyNode extends RuntimeNode {
  counts: { verified: number; rejected: number; duplicates: number };
}

/** Makes the msg the fixed answer an `http response` node sends: status, body and headers, never the request. */
function answerWith(msg: NodeMessage, outcome: WebhookAnswer): void {
  const { statusCode, body } = WEBHOOK_ANSWERS[outcome];
  msg.statusCode = statusCode;
  msg.payload = body;
  msg.headers = { ...WEBHOOK_ANSWER_HEADERS };
}

/** The `http in` routes wired straight into this node: the ones whose request bodies it caps. */
function routesInto(RED: NodeAPI, nodeId: string): Array<{ method: string; url: string }> {
  const routes: Array<{ method: string; url: string }> = [];
  RED.nodes.eachNode((node) => {
    const wires = Array.isArray(node.wires) ? (node.wires as unknown[]) : [];
    const wiredHere = wires.some((port) => Array.isArray(port) && port.includes(nodeId));
    if (node.type === 'http in' && wiredHere && typeof node.url === 'string' && node.url) {
      routes.push({ method: String(node.method || 'post'), url: node.url });
    }
  });
  return routes;
}

export default function register(RED: NodeAPI): void {
  function BigCommerceWebhookVerify(this: WebhookVerifyNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    const settings = readSettings(webhookVerifySettings, definition);
    const status = statusLine(RED, this);
    this.counts = { verified: 0, rejected: 0, duplicates: 0 };
    const recent = new RecentKeys(settings.dedupeWindow * 1000, MAX_REMEMBERED_DELIVERIES);
    const { dedupeByHash } = settings;
    let verifier: WebhookVerifier | undefined;
    let sharedHeaderName: string | undefined;
    let headersLogged = false;

    const maxBodyKb = Math.max(1, settings.maxBodyKb);
    const routes = routesInto(RED, this.id);
    const uncaps = routes.map((route) =>
      capRequestBodies(RED.httpNode, route, maxBodyKb * 1024, {
        tooLarge: { ...WEBHOOK_ANSWERS.tooLarge, headers: WEBHOOK_ANSWER_HEADERS },
        failureBody: WEBHOOK_ANSWERS.unreadable.body,
      }),
    );
    if (routes.length === 0) {
      this.warn('no http in node is wired straight into this node, so request bodies are not capped: wire the webhook http in node directly to it');
    } else if (uncaps.some((uncap) => uncap === undefined)) {
      this.warn("request bodies are not capped: this Node-RED's web server gives no way to check them before it reads them");
    }
    this.on('close', (_removed, done) => {
      for (const uncap of uncaps) uncap?.();
      done();
    });

    const countsText = () => status.words('counts', this.counts);

    const verifierFor = (): WebhookVerifier => {
      if (verifier) return verifier;
      const store = requireConfigNode<BigCommerceConfigNode>(RED, definition.bigcommerce, 'bigcommerce-config', this);
      const secrets = store.webhookSecrets();
      verifier = new WebhookVerifier(secrets, {
        signature: settings.signature,
        toleranceSeconds: settings.tolerance,
        storeHash: store.storeHash,
      });
      sharedHeaderName = secrets.sharedHeader?.name;
      return verifier;
    };

    onInput(this, async (msg, send) => {
      const req = msg.req as { headers?: Record<string, unknown>; rawHeaders?: string[] } | undefined;
      const headers = { ...(req?.headers ?? {}) };
      let result: ReturnType<WebhookVerifier['verify']>;
      try {
        result = verifierFor().verify(msg.payload, headers);
      } catch (err) {
        // BigCommerce still gets an answer (a hanging request counts against the hook); Catch gets the error.
        const reply = RED.util.cloneMessage(msg);
        delete reply.req;
        answerWith(reply, 'unavailable');
        reply.reason = 'error';
        send([null, reply, null]);
        forgetSecretHeaders(req, sharedHeaderName);
        delete msg.req;
        delete msg.res;
        throw err;
      }
      // Nothing after this node needs the request: its headers (the shared secret among them) stay behind.
      forgetSecretHeaders(req, sharedHeaderName);
      delete msg.req;
      if (!result.ok) {
        this.counts.rejected++;
        answerWith(msg, 'rejected');
        msg.reason = result.reason;
        msg.reasonText = result.message;
        status.show('yellow', 'ring', status.words('rejected', { reason: status.words(`reason.${result.reason}`), count: this.counts.rejected }));
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
      msg.event = result.payload;
      msg.topic = result.payload.scope;
      msg.resourceId = result.payload.data.id;
      msg.webhook = result.webhook;
      if (keys.length > 0 && recent.seen(keys)) {
        this.counts.duplicates++;
        answerWith(msg, 'duplicate');
        msg.duplicate = true;
        status.show('green', 'ring', countsText());
        send([null, null, msg]);
        return;
      }
      this.counts.verified++;
      answerWith(msg, 'accepted');
      status.show('green', 'dot', countsText());
      send([msg, null, null]);
    }, status);
  }
  RED.nodes.registerType('bigcommerce-webhook-verify', BigCommerceWebhookVerify);
}
