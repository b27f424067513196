import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BridgeError } from '../src/bridge/client';
import { openComRoot } from '../src/bridge/com-root';
import { makeSelfSignedCertificate } from '../src/cli/certificate';
import { REQUIRED_TASKS, checkBridgeScript, checkCertificate, checkCompany, checkHomePath, checkLogon, checkTaskRights, explainBoiUnreachable, runDoctor, type DoctorProbes } from '../src/cli/doctor';
import { runCli } from '../src/cli/run-cli';
import { parseAgentConfig } from '../src/config/schema';
import { sampleConfig, testContext } from './cli-support';
import { standInHost } from './bridge-support';

const now = new Date('2026-12-04T12:00:00Z');
const facts = { fingerprint256: 'AA:BB', notAfter: new Date('2028-01-01T00:00:00Z'), keyMatches: true, altNames: [] };

describe('sage100-agent doctor: one sentence per finding', () => {
  it('Sage folder', () => {
    assert.equal(checkHomePath('C:\\Sage', true).status, 'ok');
    assert.match(checkHomePath('\\\\srv\\Sage', false).sentence, /does not exist or this account cannot read it.*UNC path/);
  });

  it('bridge script', () => {
    assert.equal(checkBridgeScript('C:\\A\\bridge\\host.ps1', true).status, 'ok');
    assert.match(checkBridgeScript('C:\\A\\bridge\\host.ps1', false).sentence, /is missing: unzip the agent package again/);
  });

  it('certificate: expired, expiring, key mismatch, unreadable', () => {
    assert.deepEqual(checkCertificate(facts, now).map((f) => f.status), ['ok', 'ok']);
    assert.match(checkCertificate({ ...facts, notAfter: new Date('2026-12-01T00:00:00Z') }, now)[0]!.sentence, /expired on 2026-12-01.*renew-cert/);
    const soon = checkCertificate({ ...facts, notAfter: new Date('2026-12-20T00:00:00Z') }, now)[0]!;
    assert.equal(soon.status, 'warn');
    assert.match(soon.sentence, /in 15 days/);
    assert.match(checkCertificate({ ...facts, keyMatches: false }, now)[1]!.sentence, /key file does not belong/);
    assert.match(checkCertificate(new Error('ENOENT: tls/agent-cert.pem'), now)[0]!.sentence, /cannot be read \(ENOENT/);
  });

  it('BOI unreachable: says what to do for the usual COM failures', () => {
    const com = (hresult: number) => new BridgeError('x', { code: 'bridge.com_error', retryable: false, hresult });
    assert.match(explainBoiUnreachable(com(-2147221164)).sentence, /not registered on this machine/);
    assert.match(explainBoiUnreachable(com(-2146959355)).sentence, /32-bit Windows PowerShell/);
    assert.match(explainBoiUnreachable(com(-2147024891)).sentence, /denied this account/);
    assert.match(explainBoiUnreachable(new BridgeError('The COM bridge host could not be started (spawn powershell.exe ENOENT)', { code: 'bridge.host_exited', retryable: true })).sentence, /Windows PowerShell running host\.ps1.*ENOENT/);
  });

  it('logon, company and rights', () => {
    assert.match(checkLogon(0, 'Invalid user or password', 'web').sentence, /refused the logon of user web: Invalid user or password/);
    assert.match(checkCompany(0, 'External access is not allowed for company XYZ', 'XYZ').sentence, /turn on "Allow External Access" in Company Maintenance, Preferences tab/);
    assert.match(checkCompany(0, 'Company QQQ does not exist', 'QQQ').sentence, /cannot be opened: Company QQQ does not exist/);
    assert.equal(checkCompany(1, '', 'ABC').status, 'ok');
    assert.match(checkTaskRights(0, REQUIRED_TASKS[0], 'ABC', 'web').sentence, /no rights to Sales Order Entry \(SO_SalesOrder_ui, module S\/O\) in company ABC: grant them in Role Maintenance/);
  });

  it('walks the BOI session through the bridge (stand-in host): logon, Allow External Access, module rights', async () => {
    const config = parseAgentConfig(sampleConfig({ sage: { homePath: 'C:\\Sage', user: 'web', password: { scheme: 'plain', value: 'secret' }, companies: ['ABC', 'XYZ'] } }), 'test');
    const probes: DoctorProbes = { pathExists: () => true, bridgeHostScript: 'C:\\Sage100Agent\\bridge\\host.ps1', certificate: () => facts, revealPassword: async () => 'secret', openRoot: () => openComRoot(standInHost()), now };
    const findings = await runDoctor(config, probes);
    const failures = findings.filter((f) => f.status === 'fail').map((f) => f.sentence);
    assert.deepEqual(failures.map((s) => s.split(':')[0]), [
      'User web has no rights to Sales Order Entry (SO_SalesOrder_ui, module S/O) in company ABC',
      'User web has no rights to Item Maintenance (CI_ItemCode_ui, module C/I) in company ABC',
      'Company XYZ refuses outside programs',
    ]);
    assert.ok(findings.some((f) => f.sentence === 'User web may use Customer Maintenance in company ABC.'));
    assert.ok(findings.some((f) => /BOI.*answers|Business Object Interface answers/.test(f.sentence)));
  });

  it('stops at a refused logon', async () => {
    const config = parseAgentConfig(sampleConfig(), 'test');
    const findings = await runDoctor(config, { pathExists: () => true, bridgeHostScript: 'C:\\Sage100Agent\\bridge\\host.ps1', certificate: () => facts, revealPassword: async () => 'wrong', openRoot: () => openComRoot(standInHost()), now });
    assert.match(findings.at(-1)!.sentence, /refused the logon of user web: Invalid user or password/);
  });

  it('reports a password that cannot be read, and a bridge that does not start', async () => {
    const config = parseAgentConfig(sampleConfig(), 'test');
    const base = { pathExists: () => true, bridgeHostScript: 'C:\\Sage100Agent\\bridge\\host.ps1', certificate: () => facts, now };
    const noPassword = await runDoctor(config, { ...base, revealPassword: async () => { throw new Error('Windows DPAPI could not decrypt the Sage password'); }, openRoot: () => openComRoot(standInHost()) });
    assert.match(noPassword.at(-1)!.sentence, /password cannot be read from the config: Windows DPAPI could not decrypt/);
    const noBridge = await runDoctor(config, { ...base, revealPassword: async () => 'secret', openRoot: () => openComRoot({ command: '/nonexistent/powershell.exe', args: [] }) });
    assert.match(noBridge.at(-1)!.sentence, /COM bridge .* did not run/);
  });

  it('the command prints each finding and fails when one fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-doctor-'));
    try {
      const made = makeSelfSignedCertificate({ commonName: 'x', altNames: ['localhost'], validDays: 10, now });
      mkdirSync(join(dir, 'bridge'));
      writeFileSync(join(dir, 'bridge', 'host.ps1'), '');
      writeFileSync(join(dir, 'cert.pem'), made.certPem);
      writeFileSync(join(dir, 'key.pem'), made.keyPem);
      const config = sampleConfig({ tls: { certFile: 'cert.pem', keyFile: 'key.pem' }, sage: { homePath: dir, user: 'web', password: { scheme: 'plain', value: 'secret' }, companies: ['ABC'] } });
      writeFileSync(join(dir, 'agent.config.json'), JSON.stringify(config));
      const stand = standInHost();
      const { ctx, console } = testContext({ agentDir: dir, now: () => now, openRoot: (bridge) => openComRoot({ ...stand, callTimeoutMs: bridge.callTimeoutMs }) });
      assert.equal(await runCli(['doctor'], ctx), 1);
      assert.match(console.out.join('\n'), /\[warn\] The TLS certificate expires on 2026-12-14, in 9 days/);
      assert.match(console.out.join('\n'), /\[FAIL\] User web has no rights to Sales Order Entry/);
      assert.equal(console.out.at(-1), '2 check(s) failed.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
