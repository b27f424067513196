import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { createAgentClient } from '../../lib/sage100/agent-client';
import { createSoapClient } from '../../lib/sage100/soap-client';
import { Sage100Error } from '../../lib/sage100/errors';
import { sampleSalesOrder } from '../support/sage100';

const API_KEY = 'agent-key-9f3c1d77';

describe('Sage 100 agent errors are redacted like SOAP faults', () => {
  let server: Server;
  let dispatcher: Agent;
  let answer: { status: number; body: string };

  before(async () => {
    // An agent (or whatever answers at its URL) that quotes the request, API key included, in its error.
    server = createServer((req, res) => {
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body.replace('{key}', String(req.headers['x-api-key'])));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dispatcher = new Agent();
  });
  after(async () => {
    await dispatcher.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const client = () =>
    createAgentClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: API_KEY, companyCode: 'ABC', dispatcher, timeoutMs: 3000, retry: { retries: 0 } });

  it('keeps the API key out of the error a Sage error body becomes, and out of its details', async () => {
    answer = { status: 401, body: JSON.stringify({ code: 'Unauthorized', message: 'API key {key} is not known to this agent' }) };
    const error = await client().createSalesOrder(sampleSalesOrder()).then(
      () => assert.fail('the write should fail'),
      (err: unknown) => err,
    );
    assert.ok(error instanceof Sage100Error);
    assert.equal(error.sageCode, 'Unauthorized');
    assert.match(error.message, /API key \[redacted\] is not known/);
    assert.ok(!JSON.stringify({ message: error.message, details: error.toDetails() }).includes(API_KEY));
  });
});

describe('a WSDL that cannot be read', () => {
  it('is reported without quoting the file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'wsdl-'));
    const wsdlPath = join(folder, 'broken.wsdl');
    // The parser's own message for this file names the part it could not find, i.e. quotes the file.
    writeFileSync(wsdlPath, '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><import location="PRIVATE-LINE-7c1e.xsd"/></definitions>');
    const dispatcher = new Agent();
    const client = createSoapClient({ endpoint: 'https://127.0.0.1:9/svc', username: 'u', password: 'p', companyCode: 'ABC', wsdlPath, dispatcher, timeoutMs: 2000 });
    try {
      const error = await client.checkConnection().then(
        () => assert.fail('a broken WSDL should fail'),
        (err: unknown) => err as Error,
      );
      assert.match(error.message, /could not be read as a WSDL/);
      assert.ok(!error.message.includes('PRIVATE-LINE'), error.message);
    } finally {
      await client.close();
      await dispatcher.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
