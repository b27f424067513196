import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli/run-cli';
import { SERVICE_WRAPPER, SERVICE_WRAPPER_CONFIG, installCommands, uninstallCommands, wrapperConfigXml } from '../src/cli/service';
import { testContext } from './cli-support';

describe('sage100-agent install / uninstall (Windows service)', () => {
  it('registers the wrapper to start at boot and restart a minute after each failure', () => {
    const commands = installCommands('C:\\Program Files\\Sage100Agent');
    assert.deepEqual(commands.map((c) => [c.command, ...c.args]), [
      ['sc.exe', 'create', 'Sage100Agent', 'binPath=', '"C:\\Program Files\\Sage100Agent\\sage100-agent-service.exe"', 'start=', 'auto', 'DisplayName=', 'Sage 100 agent (ml-connector)'],
      ['sc.exe', 'description', 'Sage100Agent', 'Serves Sage 100 (Business Object Interface) to the ml-connector Node-RED nodes over HTTPS.'],
      ['sc.exe', 'failure', 'Sage100Agent', 'reset=', '86400', 'actions=', 'restart/60000/restart/60000/restart/60000'],
      ['sc.exe', 'failureflag', 'Sage100Agent', '1'],
      ['sc.exe', 'start', 'Sage100Agent'],
    ]);
    assert.deepEqual(uninstallCommands().map((c) => c.args), [['stop', 'Sage100Agent'], ['delete', 'Sage100Agent']]);
  });

  it('the wrapper runs the bundle with node.exe from its own folder, with the config path escaped', () => {
    const xml = wrapperConfigXml('C:\\Data & Co\\agent.config.json');
    assert.match(xml, /<executable>%BASE%\\node\.exe<\/executable>/);
    assert.match(xml, /<arguments>"%BASE%\\sage100-agent\.cjs" run --service --config "C:\\Data &amp; Co\\agent\.config\.json"<\/arguments>/);
    assert.match(xml, /<onfailure action="restart" delay="60 sec"\/>/);
    assert.match(xml, /<startmode>Automatic<\/startmode>/);
  });

  describe('on Windows (sc.exe faked)', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'agent-service-'));
      writeFileSync(join(dir, 'agent.config.json'), '{}');
      writeFileSync(join(dir, SERVICE_WRAPPER), 'MZ');
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('writes the wrapper config and runs the sc.exe commands in order', async () => {
      const { ctx, console } = testContext({ agentDir: dir, platform: 'win32' });
      assert.equal(await runCli(['install'], ctx), 0);
      assert.deepEqual(console.executed.map((c) => c.args[0]), ['create', 'description', 'failure', 'failureflag', 'start']);
      assert.match(readFileSync(join(dir, SERVICE_WRAPPER_CONFIG), 'utf8'), /agent\.config\.json/);
      assert.match(console.out.join('\n'), /starts at boot and restarts/);
    });

    it('explains access denied and an existing service, and stops at the first failure', async () => {
      for (const [code, sentence] of [[5, /elevated prompt/], [1073, /already installed.*uninstall/]] as const) {
        const { ctx, console } = testContext({ agentDir: dir, platform: 'win32', execute: async (command, args) => {
          console.executed.push({ command, args });
          return { code, output: '[SC] CreateService FAILED' };
        } });
        assert.equal(await runCli(['install'], ctx), 1);
        assert.equal(console.executed.length, 1);
        assert.match(console.err.join('\n'), sentence);
      }
    });

    it('refuses to install without the wrapper or without a config', async () => {
      rmSync(join(dir, SERVICE_WRAPPER));
      const { ctx, console } = testContext({ agentDir: dir, platform: 'win32' });
      assert.equal(await runCli(['install'], ctx), 1);
      assert.match(console.err.join('\n'), /built without it/);
      rmSync(join(dir, 'agent.config.json'));
      assert.equal(await runCli(['install'], ctx), 1);
      assert.match(console.err.at(-1)!, /run "sage100-agent init" first/);
      assert.equal(console.executed.length, 0);
    });

    it('uninstall goes on when the service was not running', async () => {
      const { ctx, console } = testContext({ agentDir: dir, platform: 'win32', execute: async (command, args) => {
        console.executed.push({ command, args });
        return { code: args[0] === 'stop' ? 1062 : 0, output: '' };
      } });
      assert.equal(await runCli(['uninstall'], ctx), 0);
      assert.deepEqual(console.executed.map((c) => c.args[0]), ['stop', 'delete']);
    });
  });

  it('elsewhere prints the commands and runs nothing', async () => {
    const { ctx, console } = testContext({ agentDir: 'C:\\Sage100Agent' });
    assert.equal(await runCli(['install'], ctx), 1);
    assert.equal(console.executed.length, 0);
    assert.match(console.err.join('\n'), /Windows only/);
    assert.equal(console.out[0], 'sc.exe create Sage100Agent binPath= "C:\\Sage100Agent\\sage100-agent-service.exe" start= auto DisplayName= "Sage 100 agent (ml-connector)"');
    assert.equal(await runCli(['uninstall', '--dry-run'], ctx), 0);
  });
});
