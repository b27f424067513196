import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { PACKAGED_CONTRACT } from '../src/cli/runtime';
import { AGENT_BUNDLE } from '../src/cli/service';
import { ALLOW_PLAINTEXT_ENV } from '../src/config/secret';
import { AGENT_ROOT, bundleAgent } from '../scripts/package';

/**
 * The bundle as the package ships it, end to end on this machine: init, then run with the COM bridge pointed at the
 * stand-in host, one request through the HTTPS server into the bridge, and a clean stop on SIGINT (what the service
 * wrapper sends). Needs the agent's HTTPS server (agent/src/server), which arrives from the agent-core branch.
 */
describe('agent package: the bundle runs the agent end to end (stand-in bridge)', function () {
  this.timeout(60_000);
  let dir: string;
  before(function () {
    if (process.platform === 'win32' || !existsSync(join(AGENT_ROOT, 'src', 'server', 'start.ts'))) this.skip();
  });
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'agent-smoke-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port, path, headers, rejectUnauthorized: false }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => { body += chunk.toString(); });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      }).on('error', reject).end();
    });
  }

  it('init, run, a request through the bridge, and a clean stop', async () => {
    writeFileSync(join(dir, AGENT_BUNDLE), await bundleAgent(() => undefined));
    copyFileSync(join(AGENT_ROOT, '..', 'docs', 'sage100-agent-api.yaml'), join(dir, PACKAGED_CONTRACT));
    const env = { ...process.env, [ALLOW_PLAINTEXT_ENV]: '1' };
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const initOutput = execFileSync(process.execPath, [AGENT_BUNDLE, 'init', '--home', dir, '--user', 'web', '--password', 'secret', '--companies', 'ABC', '--port', String(port), '--host', '127.0.0.1'], { cwd: dir, env }).toString();
    const apiKey = /sk_[\w-]+/.exec(initOutput)?.[0];
    assert.ok(apiKey);
    const bridge = join(dir, 'stand-in-powershell.sh');
    writeFileSync(bridge, `#!/bin/sh\nexec "${process.execPath}" "${join(__dirname, 'bridge-stand-in-host.mjs')}"\n`, { mode: 0o755 });
    const configPath = join(dir, 'agent.config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    config.bridge.command = bridge;
    writeFileSync(configPath, JSON.stringify(config));

    const agent = spawn(process.execPath, [AGENT_BUNDLE, 'run', '--service'], { cwd: dir, env, stdio: 'ignore' });
    try {
      const log = () => (existsSync(join(dir, 'logs', 'agent.log')) ? readFileSync(join(dir, 'logs', 'agent.log'), 'utf8') : '');
      for (let waited = 0; !log().includes('Sage 100 agent listening'); waited += 100) {
        assert.ok(waited < 20_000, `the agent did not start: ${log()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal((await get(port, '/v1/health', { 'X-Sage-Company': 'ABC' })).status, 401);
      const health = await get(port, '/v1/health', { 'X-API-Key': apiKey, 'X-Sage-Company': 'ABC' });
      // The stand-in grants only Customer Maintenance: the server got through logon and company to the rights check.
      assert.match(health.body, /SO_SalesOrder_ui/);
      agent.kill('SIGINT');
      const [code] = await once(agent, 'exit');
      assert.equal(code, 0);
      assert.match(log(), /"message":"Sage 100 agent stopped"/);
      assert.ok(!log().includes('secret') && !log().includes(apiKey), 'no secret in the log');
    } finally {
      agent.kill();
    }
  });
});
