import { registerHooksFromDialog, testConnectionFromDialog, type DeployedStore, type StoredCredentials } from '../../lib/bigcommerce/admin';
import { createBigCommerceClient, type BigCommerceClient } from '../../lib/bigcommerce/client';
import { ConnectorError } from '../../lib/errors';
import type { GovernorStats } from '../../lib/bigcommerce/governor';
import type { WebhookSecrets } from '../../lib/bigcommerce/webhook';
import type { HttpRequest, RequestFunction } from '../../lib/http/transport';
import { acceptJsonOnly, codeWords } from '../../lib/node-red/node';
import type { NodeAPI, NodeDefinition, RuntimeNode } from '../../lib/node-red/types';
import type { Response } from 'express';
import { readSettings } from '../../lib/settings/definition';
import { bigcommerceConfigSettings } from '../../lib/settings/bigcommerce';

export interface BigCommerceConfigNode extends RuntimeNode<StoredCredentials> {
  storeHash: string;
  /** As deployed (blank: BigCommerce's); the editor buttons send stored secrets only here. */
  apiUrl: string;
  /** The store's one client (paths below `/stores/{store_hash}`), shared by every node using this configuration. */
  request: RequestFunction;
  /** Counters of the client: requests, waits for the rate limit, 429s, retries. */
  stats(): GovernorStats | undefined;
  /** For bigcommerce-webhook-verify only: the secrets stay in the runtime, never on a msg. */
  webhookSecrets(): WebhookSecrets;
}

function closedConfiguration(): ConnectorError {
  return new ConnectorError('This BigCommerce configuration was closed by a redeploy or shutdown', {
    code: 'bigcommerce.closed',
    hint: 'Send the message again once the flow is deployed.',
    retryable: true,
  });
}

export default function register(RED: NodeAPI): void {
  function BigCommerceConfig(this: BigCommerceConfigNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    let client: BigCommerceClient | undefined;
    let closed = false;
    // Built on first use, so a wrong setting fails the msg that needed it (naming the field) instead of the deploy.
    const connected = (): BigCommerceClient => {
      if (closed) throw closedConfiguration();
      if (client) return client;
      const settings = readSettings(bigcommerceConfigSettings, definition);
      return (client = createBigCommerceClient({
        storeHash: settings.storeHash,
        accessToken: this.credentials.accessToken ?? '',
        apiUrl: settings.apiUrl,
        timeoutMs: Math.round(settings.timeout * 1000),
      }));
    };

    this.storeHash = String(definition.storeHash ?? '').trim();
    this.apiUrl = String(definition.apiUrl ?? '').trim();
    this.request = async <T>(request: HttpRequest) => connected().request<T>(request);
    this.stats = () => client?.stats();
    this.webhookSecrets = () => {
      const headerName = String(definition.webhookHeaderName ?? '').trim();
      const headerValue = this.credentials.webhookSecret;
      return {
        clientSecret: this.credentials.clientSecret || undefined,
        sharedHeader: headerName && headerValue ? { name: headerName, value: headerValue } : undefined,
      };
    };

    this.on('close', (_removed, done) => {
      closed = true;
      const closing = client;
      client = undefined;
      (closing ? closing.close() : Promise.resolve()).then(done, (err: unknown) => {
        this.warn(err);
        done();
      });
    });
  }

  RED.nodes.registerType('bigcommerce-config', BigCommerceConfig, {
    credentials: { accessToken: { type: 'password' }, clientSecret: { type: 'password' }, webhookSecret: { type: 'password' } },
  });

  const deployedStore = (id: string): DeployedStore | undefined => {
    const node = RED.nodes.getNode(id) as BigCommerceConfigNode | undefined;
    if (!node || node.type !== 'bigcommerce-config') return undefined;
    return { storeHash: node.storeHash, apiUrl: node.apiUrl, credentials: RED.nodes.getCredentials(id) as StoredCredentials | undefined };
  };
  const permission = RED.auth.needsPermission('bigcommerce-config.write');

  // Both buttons answer alike, and like the Sage 100 dialog: a failure carries the error in words.
  const answer = (res: Response, check: Promise<{ ok: boolean; code?: string }>) =>
    check.then(
      (result) => res.json(result.ok ? result : { ...result, words: codeWords(RED._, result.code) }),
      () => res.status(500).json({ ok: false, message: 'The check failed unexpectedly; the Node-RED log may say more.' }),
    );

  RED.httpAdmin.post('/ml-connector/bigcommerce-config/test', permission, (req, res) => {
    if (acceptJsonOnly(req, res)) void answer(res, testConnectionFromDialog(req.body, deployedStore));
  });

  RED.httpAdmin.post('/ml-connector/bigcommerce-config/register-webhooks', permission, (req, res) => {
    if (acceptJsonOnly(req, res)) void answer(res, registerHooksFromDialog(req.body, deployedStore));
  });
}
