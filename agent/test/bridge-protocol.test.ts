import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BRIDGE_OPS, BRIDGE_PROTOCOL_VERSION } from '../src/bridge/protocol';

/** host.ps1 cannot run here (no Windows); reading its declarations keeps the two sides of the protocol in step. */
const hostScript = readFileSync(join(__dirname, '..', 'bridge', 'host.ps1'), 'utf8');

describe('bridge protocol: host.ps1 and the Node side agree', () => {
  it('on the protocol version', () => {
    const version = /^\$ProtocolVersion = (\d+)$/m.exec(hostScript)?.[1];
    assert.equal(Number(version), BRIDGE_PROTOCOL_VERSION);
  });

  it('on the op names', () => {
    const declared = /^\$Ops = (.+)$/m.exec(hostScript)?.[1];
    assert.ok(declared, 'host.ps1 declares $Ops');
    assert.deepEqual(declared.split(',').map((op) => op.trim().replace(/'/g, '')), [...BRIDGE_OPS]);
  });

  it('on how each op is carried out: create and release by name, call/get/set by binding flag', () => {
    assert.match(hostScript, /'create' \{/);
    assert.match(hostScript, /'release' \{/);
    assert.match(hostScript, /call = 'InvokeMethod'; get = 'GetProperty'; set = 'SetProperty'/);
  });

  it('on the field names of requests, responses and the greeting', () => {
    for (const field of ['$request.id', '$request.op', '$request.progId', '$request.handle', '$request.member', '$request.args', "Properties['byRef']", "Properties['handle']"]) {
      assert.ok(hostScript.includes(field), `host.ps1 reads ${field}`);
    }
    for (const field of ['ready = $true', 'protocol = $ProtocolVersion', 'ok = $true', 'value = $value', 'refs = $refs', 'ok = $false', 'error = $failure', 'message = $cause.Message', 'hresult = $cause.HResult', '$failure.byRef = $true', 'handle = $handle']) {
      assert.ok(hostScript.includes(field), `host.ps1 writes ${field}`);
    }
  });

  it('stays a few dozen lines', () => {
    assert.ok(hostScript.split('\n').length < 90);
  });
});
