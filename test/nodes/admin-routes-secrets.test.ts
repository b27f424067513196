import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import bigcommerceConfig from '../../nodes/bigcommerce/bigcommerce-config';
import sage100Config from '../../nodes/sage100/sage100-config';
import { helper } from '../support/node-red';

const STORED = { accessToken: 'stored-token-8e1f2a', webhookSecret: 'stored-hook-secret-77c', apiKey: 'stored-agent-key-41d9', password: 'stored-sage-password-5b2' };
const TRAP_PAGE = 'INTERNAL-ONLY-PAGE-3f9c';
const certs = 'sandbox/sage100/certs';

/** An HTTPS server that records everything sent to it and answers with a page no caller may read. */
async function startTrap(): Promise<{ url: string; seen: string[]; answer: { status: number; type: string }; close(): Promise<void>; server: Server }> {
  const seen: string[] = [];
  const answer = { status: 500, type: 'text/html' };
  const server = createTlsServer({ cert: readFileSync(`${certs}/cert.pem`), key: readFileSync(`${certs}/key.pem`) }, (req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n${Buffer.concat(parts).toString('utf8')}`);
      res.writeHead(answer.status, { 'content-type': answer.type }).end(`<html>${TRAP_PAGE}</html>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    answer,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('admin routes (Test connection, Register webhooks): stored secrets go only to the deployed target', () => {
  let trap: Awaited<ReturnType<typeof startTrap>>;
  beforeEach(async () => {
    trap = await startTrap();
    await helper.startServer();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await trap.close();
  });

  const post = (path: string, body: Record<string, unknown>) => helper.request().post(path).send(body);
  const assertNoSecretReachedTrap = () => {
    const everything = trap.seen.join('\n');
    for (const secret of Object.values(STORED)) assert.ok(!everything.includes(secret), `the trap received ${secret}`);
  };

  describe('BigCommerce', () => {
    beforeEach(() =>
      helper.load(bigcommerceConfig, [{ id: 'bc', type: 'bigcommerce-config', storeHash: 'abc123', apiUrl: '', timeout: 5, webhookHeaderName: 'X-Bridge-Token' }], {
        bc: { accessToken: STORED.accessToken, webhookSecret: STORED.webhookSecret },
      }),
    );

    it('does not send the stored token (or hook secret) to a URL or store the request names', async () => {
      for (const target of [{ apiUrl: trap.url, storeHash: 'abc123' }, { apiUrl: `${trap.url}/`, storeHash: 'zzz999' }]) {
        const tested = await post('/ml-connector/bigcommerce-config/test', { id: 'bc', ...target, accessToken: '__PWRD__' }).expect(200);
        assert.equal(tested.body.ok, false);
        assert.match(tested.body.message, /enter the access token again/);
        const registered = await post('/ml-connector/bigcommerce-config/register-webhooks', {
          id: 'bc', ...target, accessToken: '__PWRD__', webhookUrl: 'https://hooks.example.com/bigcommerce/webhook', webhookHeaderName: 'X-Bridge-Token', webhookSecret: '__PWRD__',
        }).expect(200);
        assert.equal(registered.body.ok, false);
      }
      assertNoSecretReachedTrap();
      assert.deepEqual(trap.seen, [], 'nothing was sent at all');
    });

    it("answers a target's failure with its status and a fixed sentence, never its body", async () => {
      for (const [status, type] of [[500, 'text/html'], [200, 'text/html'], [200, 'application/json'], [404, 'application/json']] as const) {
        Object.assign(trap.answer, { status, type });
        const tested = await post('/ml-connector/bigcommerce-config/test', { storeHash: 'abc123', apiUrl: trap.url, accessToken: 'caller-token-1' }).expect(200);
        assert.equal(tested.body.ok, false);
        assert.ok(!JSON.stringify(tested.body).includes(TRAP_PAGE), `${status} ${type}: ${JSON.stringify(tested.body)}`);
        const registered = await post('/ml-connector/bigcommerce-config/register-webhooks', { storeHash: 'abc123', apiUrl: trap.url, accessToken: 'caller-token-1', webhookUrl: 'https://hooks.example.com/x' }).expect(200);
        assert.ok(!JSON.stringify(registered.body).includes(TRAP_PAGE), `${status} ${type}: ${JSON.stringify(registered.body)}`);
      }
    });

    it('takes JSON bodies only, and https for anything but this machine', async () => {
      const form = await helper.request().post('/ml-connector/bigcommerce-config/test').type('form').send({ id: 'bc', storeHash: 'abc123', accessToken: '__PWRD__' });
      assert.equal(form.status, 415);
      const plain = await helper.request().post('/ml-connector/bigcommerce-config/register-webhooks').set('content-type', 'text/plain').send('{"id":"bc"}');
      assert.equal(plain.status, 415);
      const http = await post('/ml-connector/bigcommerce-config/test', { storeHash: 'abc123', apiUrl: 'http://api.example.com', accessToken: 'caller-token-1' }).expect(200);
      assert.match(http.body.message, /must start with https/);
    });
  });

  describe('Sage 100', () => {
    it('does not send the stored API key or password to a server, TLS rule or mode the request names', async () => {
      await helper.load(sage100Config, [
        { id: 'sageA', type: 'sage100-config', mode: 'agent', agentUrl: 'https://sage.example.com:8443', companyCode: 'ABC', tlsMode: 'verify', timeoutMs: 5000 },
        { id: 'sageS', type: 'sage100-config', mode: 'soap', soapEndpoint: 'https://sage.example.com/eBusinessWebServices/MasBasicService.svc', companyCode: 'ABC', tlsMode: 'verify', timeoutMs: 5000 },
      ], { sageA: { apiKey: STORED.apiKey }, sageS: { username: 'webuser', password: STORED.password } });
      const attempts = [
        { id: 'sageA', mode: 'agent', agentUrl: trap.url, companyCode: 'ABC', tlsMode: 'insecure', timeoutMs: 5000, credentials: { apiKey: '__PWRD__' } },
        { id: 'sageA', mode: 'agent', agentUrl: 'https://sage.example.com:8443', companyCode: 'ABC', tlsMode: 'insecure', timeoutMs: 5000, credentials: { apiKey: '__PWRD__' } },
        { id: 'sageS', mode: 'soap', soapEndpoint: `${trap.url}/eBusinessWebServices/MasBasicService.svc`, companyCode: 'ABC', tlsMode: 'insecure', timeoutMs: 5000, credentials: { username: 'webuser', password: '__PWRD__' } },
      ];
      for (const attempt of attempts) {
        const answer = await post('/ml-connector/sage100-config/test', attempt).expect(200);
        assert.equal(answer.body.ok, false);
        assert.match(answer.body.message, /enter the API key or password again/);
      }
      assertNoSecretReachedTrap();
      const form = await helper.request().post('/ml-connector/sage100-config/test').type('form').send({ id: 'sageA', mode: 'agent' });
      assert.equal(form.status, 415);
    });

    it("answers a server's failure without its body", async () => {
      await helper.load(sage100Config, []);
      for (const [status, type] of [[500, 'text/html'], [200, 'text/xml'], [200, 'application/json'], [401, 'application/json']] as const) {
        Object.assign(trap.answer, { status, type });
        for (const dialog of [
        { mode: 'agent', agentUrl: trap.url, companyCode: 'ABC', tlsMode: 'insecure', timeoutMs: 5000, credentials: { apiKey: 'caller-key-123456' } },
        { mode: 'soap', soapEndpoint: `${trap.url}/svc`, companyCode: 'ABC', tlsMode: 'insecure', timeoutMs: 5000, credentials: { username: 'u', password: 'caller-password-1' } },
      ]) {
          const answer = await post('/ml-connector/sage100-config/test', dialog).expect(200);
          assert.equal(answer.body.ok, false);
          assert.ok(!JSON.stringify(answer.body).includes(TRAP_PAGE), `${status} ${type}: ${JSON.stringify(answer.body)}`);
        }
      }
    });

    it('reads a WSDL only from the bundled folder or the Node-RED user directory', async () => {
      await helper.load(sage100Config, []);
      const answer = await post('/ml-connector/sage100-config/test', {
        mode: 'soap', soapEndpoint: `${trap.url}/svc`, wsdlPath: '/etc/passwd', companyCode: 'ABC', tlsMode: 'insecure', timeoutMs: 5000, credentials: { username: 'u', password: 'p' },
      }).expect(200);
      assert.equal(answer.body.ok, false);
      assert.match(answer.body.message, /wsdlPath: must be a file in the Node-RED user directory/);
      assert.ok(!JSON.stringify(answer.body).includes('root:'));
    });

    it('refuses SOAP over plain http', async () => {
      await helper.load(sage100Config, []);
      const answer = await post('/ml-connector/sage100-config/test', {
        mode: 'soap', soapEndpoint: 'http://sage.example.com/svc', companyCode: 'ABC', tlsMode: 'verify', timeoutMs: 5000, credentials: { username: 'u', password: 'p' },
      }).expect(200);
      assert.equal(answer.body.ok, false);
      assert.match(answer.body.message, /soapEndpoint: must be a https URL/);
    });
  });
});
