import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restrictAccessCommands } from '../src/cli/init';
import { runCli } from '../src/cli/run-cli';
import { loadAgentConfig } from '../src/config/schema';
import { plaintextProtector } from '../src/config/secret';
import { verifyApiKey } from '../src/security/api-key';
import { testContext } from './cli-support';

describe('sage100-agent init, rotate-key, renew-cert', () => {
  let dir: string;
  let configPath: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-init-'));
    configPath = join(dir, 'agent.config.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const apiKeyIn = (lines: string[]) => lines.map((line) => line.trim()).find((line) => line.startsWith('sk_'));
  const fingerprintIn = (lines: string[]) => lines.map((line) => line.trim()).find((line) => /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(line));

  it('asks what is missing (the password without echo), writes the config, the certificate, and only the key hash', async () => {
    const { ctx, console } = testContext({ agentDir: dir, answers: ['C:\\Sage\\MAS90\\Home', 'web', 'S3cret-pw', 'abc, xyz'] });
    assert.equal(await runCli(['init', '--port', '9443', '--names', 'sage.corp.example'], ctx), 0, console.err.join('\n'));
    assert.deepEqual(console.asked.map((q) => q.secret), [false, false, true, false]);

    const { config } = loadAgentConfig(configPath);
    assert.equal(config.listen.port, 9443);
    assert.deepEqual(config.sage.companies, ['ABC', 'XYZ']);
    assert.deepEqual(config.sage.password, { scheme: 'plain', value: 'S3cret-pw' });

    const apiKey = apiKeyIn(console.out);
    assert.ok(apiKey, 'the API key is shown');
    assert.ok(verifyApiKey(apiKey, config.apiKeyHash));
    assert.ok(!readFileSync(configPath, 'utf8').includes(apiKey), 'the key itself is not kept');
    assert.equal(console.out.filter((line) => line.includes(apiKey)).length, 1, 'shown once');

    const certificate = new X509Certificate(readFileSync(join(dir, config.tls.certFile)));
    assert.equal(fingerprintIn(console.out), certificate.fingerprint256);
    assert.equal(certificate.subjectAltName, 'DNS:sage-srv, DNS:sage.corp.example, DNS:localhost, IP Address:127.0.0.1, IP Address:192.168.1.10');
    assert.ok(certificate.checkPrivateKey(createPrivateKey(readFileSync(join(dir, config.tls.keyFile)))));
  });

  it('takes everything from flags without asking, and keeps the password out of the console', async () => {
    const { ctx, console } = testContext({ agentDir: dir });
    assert.equal(await runCli(['init', '--home', 'C:\\Sage', '--user', 'web', '--password', 'Flag-Pa55', '--companies', 'ABC'], ctx), 0);
    assert.equal(console.asked.length, 0);
    assert.ok(![...console.out, ...console.err].some((line) => line.includes('Flag-Pa55')));
  });

  it('refuses to replace an existing config unless forced', async () => {
    writeFileSync(configPath, '{}');
    const { ctx, console } = testContext({ agentDir: dir });
    assert.equal(await runCli(['init', '--home', 'C:\\Sage', '--user', 'web', '--password', 'x', '--companies', 'ABC'], ctx), 1);
    assert.match(console.err.join('\n'), /already exists .*rotate-key or renew-cert/);
    assert.equal(readFileSync(configPath, 'utf8'), '{}');
    assert.equal(await runCli(['init', '--force', '--home', 'C:\\Sage', '--user', 'web', '--password', 'x', '--companies', 'ABC'], ctx), 0);
  });

  it('names the bad value and writes nothing', async () => {
    const { ctx, console } = testContext({ agentDir: dir });
    assert.equal(await runCli(['init', '--home', 'C:\\Sage', '--user', 'web', '--password', 'x', '--companies', 'ABCD'], ctx), 1);
    assert.match(console.err.join('\n'), /sage\.companies\.0: must be a 3-character company code/);
    assert.throws(() => readFileSync(configPath));
  });

  it('refuses a plain-text password where the protector refuses it, naming the way out', async () => {
    const { ctx, console } = testContext({ agentDir: dir });
    ctx.protector = plaintextProtector({});
    assert.equal(await runCli(['init', '--home', 'C:\\Sage', '--user', 'web', '--password', 'pw-on-linux', '--companies', 'ABC'], ctx), 1);
    assert.match(console.err.join('\n'), /refuses.*SAGE100_AGENT_ALLOW_PLAINTEXT_PASSWORD=1/);
    assert.ok(!console.err.join('\n').includes('pw-on-linux'));
  });

  it('rotate-key: a new key is shown once and the old one stops verifying', async () => {
    const { ctx, console } = testContext({ agentDir: dir });
    await runCli(['init', '--home', 'C:\\Sage', '--user', 'web', '--password', 'x', '--companies', 'ABC'], ctx);
    const oldKey = apiKeyIn(console.out)!;
    console.out.length = 0;
    assert.equal(await runCli(['rotate-key'], ctx), 0);
    const newKey = apiKeyIn(console.out)!;
    const { config } = loadAgentConfig(configPath);
    assert.ok(verifyApiKey(newKey, config.apiKeyHash));
    assert.ok(!verifyApiKey(oldKey, config.apiKeyHash));
    assert.deepEqual(config.sage.companies, ['ABC']);
  });

  it('renew-cert: a new certificate for the same names plus the new ones', async () => {
    const { ctx, console } = testContext({ agentDir: dir });
    await runCli(['init', '--home', 'C:\\Sage', '--user', 'web', '--password', 'x', '--companies', 'ABC'], ctx);
    const before = fingerprintIn(console.out);
    console.out.length = 0;
    assert.equal(await runCli(['renew-cert', '--names', '10.0.0.5'], ctx), 0);
    const after = fingerprintIn(console.out);
    assert.ok(after && after !== before);
    const certificate = new X509Certificate(readFileSync(join(dir, 'tls', 'agent-cert.pem')));
    assert.equal(certificate.fingerprint256, after);
    assert.equal(certificate.subjectAltName, 'DNS:sage-srv, DNS:localhost, IP Address:127.0.0.1, IP Address:192.168.1.10, IP Address:10.0.0.5');
  });

  it('on Windows limits the TLS folder and the config to Administrators and SYSTEM, and says when it cannot', async () => {
    assert.deepEqual(restrictAccessCommands(['C:\\A\\tls', 'C:\\A\\agent.config.json']).map((c) => [c.command, ...c.args]), [
      ['icacls.exe', 'C:\\A\\tls', '/inheritance:r', '/grant:r', '*S-1-5-32-544:(OI)(CI)F', '/grant:r', '*S-1-5-18:(OI)(CI)F'],
      ['icacls.exe', 'C:\\A\\agent.config.json', '/inheritance:r', '/grant:r', '*S-1-5-32-544:F', '/grant:r', '*S-1-5-18:F'],
    ]);
    const { ctx, console } = testContext({ agentDir: dir, platform: 'win32' });
    assert.equal(await runCli(['init', '--home', 'C:\\Sage', '--user', 'web', '--password', 'x', '--companies', 'ABC'], ctx), 0);
    assert.deepEqual(console.executed.map((c) => c.args[0]), [join(dir, 'tls'), configPath]);
    console.executed.length = 0;
    ctx.execute = async (command, args) => { console.executed.push({ command, args }); return { code: 5, output: 'Access is denied.' }; };
    assert.equal(await runCli(['rotate-key'], ctx), 0);
    assert.deepEqual(console.executed.map((c) => c.args[0]), [configPath]);
    assert.match(console.err.at(-1)!, /Could not limit who may read .*agent\.config\.json \(icacls 5\)/);
  });

  it('elsewhere leaves permissions to the file modes', async () => {
    const { ctx, console } = testContext({ agentDir: dir });
    await runCli(['init', '--home', 'C:\\Sage', '--user', 'web', '--password', 'x', '--companies', 'ABC'], ctx);
    assert.equal(console.executed.length, 0);
  });

  it('answers usage errors with the usage', async () => {
    const { ctx, console } = testContext({ agentDir: dir });
    assert.equal(await runCli(['frobnicate'], ctx), 2);
    assert.match(console.err.join('\n'), /Unknown command "frobnicate"[\s\S]*Usage: sage100-agent/);
    assert.equal(await runCli(['init', '--bogus'], ctx), 2);
    assert.equal(await runCli(['--version'], ctx), 0);
    assert.equal(console.out.at(-1), '0.1.0-test');
  });
});
