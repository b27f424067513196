import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectorError } from '../../lib/errors';
import { loadAgentConfig, parseAgentConfig, sageLogicOverrides } from '../src/config/schema';
import { sageLogicOptions } from '../src/sage/options';
import { sampleConfig } from './cli-support';
import { ALLOW_PLAINTEXT_ENV, dpapiProtector, plaintextProtector, runWindowsPowerShell, type PowerShellRunner } from '../src/config/secret';

describe('agent config file', () => {
  it('fills the defaults: log folder and rotation, bridge command, pool size', () => {
    const config = parseAgentConfig(sampleConfig(), 'test');
    assert.deepEqual(config.log, { folder: 'logs', maxBytes: 10_000_000, keep: 5 });
    assert.equal(config.dataFolder, 'data');
    assert.deepEqual(config.bridge, { command: 'powershell.exe', callTimeoutMs: 60_000 });
  });

  it('names the field at fault', () => {
    const wrongCompany = sampleConfig();
    wrongCompany.sage.companies = ['abc'];
    assert.throws(() => parseAgentConfig(wrongCompany, 'C:\\agent\\agent.config.json'), (error: unknown) =>
      error instanceof ConnectorError && error.field === 'sage.companies.0' && /agent\.config\.json: sage\.companies\.0: must be a 3-character company code/.test(error.message));
    assert.throws(() => parseAgentConfig(sampleConfig({ listen: { host: 'x', port: 70000 } }), 't'), (error: unknown) => error instanceof ConnectorError && error.field === 'listen.port');
    assert.throws(() => parseAgentConfig(sampleConfig({ apiKeyHash: 'sk_plainkey' }), 't'), /apiKeyHash: must be the hash init wrote/);
    const badPassword = sampleConfig();
    (badPassword.sage as { password: unknown }).password = { scheme: 'rot13', value: 'x' };
    assert.throws(() => parseAgentConfig(badPassword, 't'), (error: unknown) => error instanceof ConnectorError && error.field?.startsWith('sage.password') === true);
  });

  it('takes what the Sage logic assumes where the references say UNCONFIRMED: object names, message texts, recycling', () => {
    const config = parseAgentConfig(sampleConfig({ sage: { ...sampleConfig().sage, logic: {
      objects: { salesOrderHistory: { className: 'SO_SalesOrderHistory_svc', module: 'S/O', task: 'SO_SalesOrderHistory_ui' } },
      checkInvoiceHistoryByPO: false,
      messages: { locked: 'wird (gerade )?verwendet' },
      recycleAfterHours: 1,
    } } }), 't');
    const logic = sageLogicOptions(sageLogicOverrides(config.sage.logic));
    assert.equal(logic.objects.salesOrderHistory.className, 'SO_SalesOrderHistory_svc');
    assert.equal(logic.objects.salesOrder.className, 'SO_SalesOrder_bus', 'objects not named keep their defaults');
    assert.equal(logic.checkInvoiceHistoryByPO, false);
    assert.ok(logic.messages.locked.test('Datensatz wird VERWENDET'), 'patterns are case-insensitive');
    assert.ok(logic.messages.duplicatePO.test('This customer PO number already exists'), 'patterns not named keep their defaults');
    assert.equal(logic.recycleAfterMs, 3_600_000);
    assert.deepEqual(sageLogicOverrides(undefined), {});
  });

  it('names the Sage-logic setting at fault: a broken pattern, an unknown object or setting', () => {
    const withLogic = (logic: unknown) => sampleConfig({ sage: { ...sampleConfig().sage, logic } as never });
    assert.throws(() => parseAgentConfig(withLogic({ messages: { locked: '(' } }), 't'), (error: unknown) => error instanceof ConnectorError && error.field === 'sage.logic.messages.locked');
    assert.throws(() => parseAgentConfig(withLogic({ objects: { order: { className: 'X', module: 'S/O', task: 'Y' } } }), 't'), (error: unknown) => error instanceof ConnectorError && error.field?.startsWith('sage.logic.objects') === true);
    assert.throws(() => parseAgentConfig(withLogic({ recycle: 2 }), 't'), (error: unknown) => error instanceof ConnectorError && error.field?.startsWith('sage.logic') === true);
  });

  it('loads a file, tells a missing file from a broken one', () => {
    const folder = mkdtempSync(join(tmpdir(), 'agent-config-'));
    try {
      const path = join(folder, 'agent.config.json');
      assert.throws(() => loadAgentConfig(path), (error: unknown) => error instanceof ConnectorError && error.code === 'agent.config_missing' && /init/.test(error.hint ?? ''));
      writeFileSync(path, '{ "version": 1,');
      assert.throws(() => loadAgentConfig(path), /is not valid JSON/);
      writeFileSync(path, `\uFEFF${JSON.stringify(sampleConfig())}`);
      const loaded = loadAgentConfig(path);
      assert.equal(loaded.folder, folder);
      assert.deepEqual(loaded.config.sage.companies, ['ABC']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('Sage password protection', () => {
  it('DPAPI: the password goes to PowerShell on stdin, base64, never in the script; the blob comes back', async () => {
    const calls: Array<{ script: string; stdin: string }> = [];
    const fakeDpapi: PowerShellRunner = async (script, stdin) => {
      calls.push({ script, stdin });
      return script.includes('::Protect(') ? 'QkxPQg==\r\n' : Buffer.from('Pässwörd-1').toString('base64');
    };
    const protector = dpapiProtector(fakeDpapi, {});
    const ref = await protector.protect('Pässwörd-1');
    assert.deepEqual(ref, { scheme: 'dpapi', blob: 'QkxPQg==' });
    assert.equal(Buffer.from(calls[0]!.stdin, 'base64').toString('utf8'), 'Pässwörd-1');
    assert.ok(!calls[0]!.script.includes('Pässwörd-1'));
    assert.match(calls[0]!.script, /'LocalMachine'/);
    assert.equal(await protector.reveal(ref), 'Pässwörd-1');
    assert.equal(calls[1]!.stdin, 'QkxPQg==');
    assert.match(calls[1]!.script, /::Unprotect\(/);
  });

  it('DPAPI: refuses a plain-text password on Windows and reports PowerShell garbage as a DPAPI failure', async () => {
    const protector = dpapiProtector(async () => 'Exception calling "Unprotect": Key not valid', {});
    await assert.rejects(protector.reveal({ scheme: 'plain', value: 'x' }), (e: unknown) => e instanceof ConnectorError && e.code === 'agent.password_plaintext_refused');
    await assert.rejects(protector.reveal({ scheme: 'dpapi', blob: 'AAAA' }), (e: unknown) => e instanceof ConnectorError && e.code === 'agent.password_dpapi_failed' && /another machine/.test(e.hint ?? ''));
  });

  it('off Windows: plain text only with the explicit variable', async () => {
    await assert.rejects(plaintextProtector({}).protect('secret'), (e: unknown) => e instanceof ConnectorError && e.hint?.includes(ALLOW_PLAINTEXT_ENV) === true);
    await assert.rejects(plaintextProtector({}).reveal({ scheme: 'plain', value: 'secret' }), /refuses/);
    const allowed = plaintextProtector({ [ALLOW_PLAINTEXT_ENV]: '1' });
    const ref = await allowed.protect('secret');
    assert.equal(await allowed.reveal(ref), 'secret');
    await assert.rejects(allowed.reveal({ scheme: 'dpapi', blob: 'AAAA' }), /only Windows can open/);
  });

  it('an environment variable reference reads the variable, and names it when missing', async () => {
    assert.equal(await plaintextProtector({ SAGE_PW: 'from-env' }).reveal({ scheme: 'env', name: 'SAGE_PW' }), 'from-env');
    await assert.rejects(dpapiProtector(async () => '', {}).reveal({ scheme: 'env', name: 'SAGE_PW' }), /SAGE_PW is not set/);
  });

  it('Windows PowerShell gets the script UTF-16LE-encoded in -EncodedCommand and the data on stdin, never the secret in argv', async function () {
    if (process.platform === 'win32') this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'fake-powershell-'));
    try {
      const fake = join(dir, 'powershell.exe');
      // Answers what it was given, as JSON, so the test sees exactly how the agent calls PowerShell.
      writeFileSync(fake, `#!${process.execPath}
const args = process.argv.slice(2);
let stdin = '';
process.stdin.on('data', (c) => { stdin += c; }).on('end', () => {
  if (stdin === 'fail') { process.stderr.write('Exception calling "Protect"\\n'); process.exit(1); }
  const script = Buffer.from(args.at(-1), 'base64').toString('utf16le');
  process.stdout.write(JSON.stringify({ flags: args.slice(0, -1), script, stdin }));
});
`, { mode: 0o755 });
      const answer = JSON.parse(await runWindowsPowerShell('Write-Output "Pässwörd"', 'c2VjcmV0', fake)) as { flags: string[]; script: string; stdin: string };
      assert.deepEqual(answer, { flags: ['-NoProfile', '-NonInteractive', '-EncodedCommand'], script: 'Write-Output "Pässwörd"', stdin: 'c2VjcmV0' });
      await assert.rejects(runWindowsPowerShell('x', 'fail', fake), /Windows PowerShell failed \(exit 1\): Exception calling "Protect"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
