import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BridgeClientOptions } from '../src/bridge/client';
import { makeSelfSignedCertificate } from '../src/cli/certificate';
import { runCli } from '../src/cli/run-cli';
import type { AgentRuntimeOptions } from '../src/runtime-options';
import { sampleConfig, testContext } from './cli-support';

describe('sage100-agent run', () => {
  let dir: string;
  const certificate = makeSelfSignedCertificate({ commonName: 'x', altNames: ['localhost'], validDays: 10 });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-run-'));
    writeFileSync(join(dir, 'cert.pem'), certificate.certPem);
    writeFileSync(join(dir, 'key.pem'), certificate.keyPem);
    writeFileSync(join(dir, 'agent.config.json'), JSON.stringify(sampleConfig({
      listen: { host: '127.0.0.1', port: 9443 },
      tls: { certFile: 'cert.pem', keyFile: 'key.pem' },
      sage: { homePath: 'C:\\Sage', user: 'web', password: { scheme: 'plain', value: 'Run-Pa55word' }, companies: ['ABC'], poolSize: 2 },
    })));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts the agent with the config, the revealed password, the TLS files and a COM root per session, and stops it', async () => {
    let options: AgentRuntimeOptions | undefined;
    let closed = false;
    const bridges: BridgeClientOptions[] = [];
    const { ctx, console } = testContext({
      agentDir: 'C:\\Sage100Agent',
      startAgent: async (given) => {
        options = given;
        given.log('info', 'logon', { user: given.sage.user, password: given.sage.password });
        return { url: 'https://127.0.0.1:9443', close: async () => { closed = true; } };
      },
      openRoot: async (bridge) => {
        bridges.push(bridge);
        return {} as never;
      },
    });
    assert.equal(await runCli(['run', '--config', join(dir, 'agent.config.json')], ctx), 0, console.err.join('\n'));
    assert.ok(options && closed);
    assert.equal(options.port, 9443);
    assert.equal(options.host, '127.0.0.1');
    assert.deepEqual(options.tls, { cert: certificate.certPem, key: certificate.keyPem });
    assert.deepEqual(options.sage, { homePath: 'C:\\Sage', user: 'web', password: 'Run-Pa55word', companies: ['ABC'], poolSize: 2, logic: {} });
    assert.equal(options.dataDir, join(dir, 'data'), 'stock snapshots live beside the config, in its data folder');
    await options.openRoot();
    await options.openRoot();
    assert.equal(bridges.length, 2, 'one bridge host per pooled session');
    assert.deepEqual(bridges[0], {
      command: 'powershell.exe',
      args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', join('C:\\Sage100Agent', 'bridge', 'host.ps1')],
      callTimeoutMs: 60_000,
    });

    const log = readFileSync(join(dir, 'logs', 'agent.log'), 'utf8');
    assert.ok(!log.includes('Run-Pa55word'), 'the log never holds the password');
    assert.match(log, /"message":"Sage 100 agent listening".*"url":"https:\/\/127\.0\.0\.1:9443"/);
    assert.match(log, /"message":"Sage 100 agent stopped"/);
    assert.ok(console.out.some((line) => line.includes('"password":"[redacted]"')), 'the console copy is redacted too');
  });

  it('under the service wrapper the log goes to the file only', async () => {
    const { ctx, console } = testContext({ agentDir: dir, startAgent: async () => ({ url: 'https://x', close: async () => undefined }) });
    assert.equal(await runCli(['run', '--service'], ctx), 0);
    assert.equal(console.out.length, 0);
    assert.match(readFileSync(join(dir, 'logs', 'agent.log'), 'utf8'), /listening/);
  });

  it('a server that cannot start is logged and answered with one sentence', async () => {
    const { ctx, console } = testContext({ agentDir: dir, startAgent: async () => { throw Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:9443'), { code: 'EADDRINUSE' }); } });
    assert.equal(await runCli(['run', '--service'], ctx), 1);
    assert.match(console.err.join('\n'), /EADDRINUSE/);
    assert.match(readFileSync(join(dir, 'logs', 'agent.log'), 'utf8'), /"level":"error","message":"Sage 100 agent failed".*EADDRINUSE/);
  });
});
