import assert from 'node:assert/strict';
import { NetworkError } from '../../lib/http/errors';
import { connectSage100, INSECURE_TLS_WARNING, testConnection, type Sage100Connection } from '../../lib/sage100/connect';
import { TlsPinMismatchError } from '../../lib/sage100/tls';
import { startSage100Simulator, type Sage100Simulator } from '../../sandbox/sage100/index';

const WRONG_PIN = 'AA:'.repeat(31) + 'AA';

describe('Sage 100 TLS trust against the self-signed simulator', () => {
  let sim: Sage100Simulator;
  const open: Sage100Connection[] = [];
  before(async () => {
    sim = await startSage100Simulator();
  });
  after(() => sim.close());
  afterEach(async () => {
    await Promise.all(open.splice(0).map((connection) => connection.close()));
  });

  for (const mode of ['agent', 'soap'] as const) {
    describe(`${mode} mode`, () => {
      function settings(tls: Record<string, string>) {
        const where = mode === 'agent'
          ? { agentUrl: sim.agentUrl, apiKey: sim.apiKey }
          : { soapEndpoint: sim.soapUrl, username: sim.username, password: sim.password };
        return { mode, ...where, companyCode: sim.companyCode, timeoutMs: 5000, tls };
      }
      function connect(tls: Record<string, string>): Sage100Connection {
        const connection = connectSage100(settings(tls), { record: `test ${mode}` });
        open.push(connection);
        return connection;
      }

      it('default verify fails with a clear message about the untrusted certificate', async () => {
        const err = await connect({ mode: 'verify' }).client.checkConnection().then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof NetworkError, String(err));
        assert.equal(err.code, 'http.tls');
        assert.match(err.message, /TLS check failed: self-signed certificate/);
        assert.match(err.hint ?? '', /CA certificate or pin its SHA-256 fingerprint/);
        assert.equal(err.retryable, false);
      });

      it('passes when the CA certificate is trusted', async () => {
        const report = await connect({ mode: 'ca', caPem: sim.certificatePem }).client.checkConnection();
        assert.equal(report.mode, mode);
      });

      it('passes with the correct pin, written with or without colons', async () => {
        assert.equal((await connect({ mode: 'pin', pinSha256: sim.fingerprint256 }).client.checkConnection()).mode, mode);
        const bare = sim.fingerprint256.replace(/:/g, '').toLowerCase();
        assert.equal((await connect({ mode: 'pin', pinSha256: bare }).client.checkConnection()).mode, mode);
      });

      it('fails with a wrong pin, naming both fingerprints', async () => {
        const err = await connect({ mode: 'pin', pinSha256: WRONG_PIN }).client.checkConnection().then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof TlsPinMismatchError, String(err));
        assert.equal(err.code, 'sage100.tls_pin_mismatch');
        assert.ok(err.message.includes(sim.fingerprint256) && err.message.includes(WRONG_PIN));
      });

      it('"do not verify" connects but carries the warning', async () => {
        const connection = connect({ mode: 'insecure' });
        assert.equal(connection.tlsWarning, INSECURE_TLS_WARNING);
        assert.equal((await connection.client.checkConnection()).mode, mode);
      });

      it('Test connection says what the trust rule proved, or why it failed', async () => {
        const pinned = await testConnection(settings({ mode: 'pin', pinSha256: sim.fingerprint256 }));
        assert.ok(pinned.ok);
        assert.equal(pinned.checks[1], 'TLS certificate matches the pinned SHA-256 fingerprint');
        const failed = await testConnection(settings({ mode: 'verify' }));
        assert.ok(!failed.ok);
        assert.equal(failed.code, 'http.tls');
        assert.match(failed.hint ?? '', /pin its SHA-256 fingerprint/);
      });
    });
  }

  it('rejects a CA that is not PEM and a pin that is not 64 hex digits before connecting', () => {
    const base = { mode: 'agent', agentUrl: sim.agentUrl, apiKey: sim.apiKey, companyCode: 'ABC', timeoutMs: 5000 };
    assert.throws(() => connectSage100({ ...base, tls: { mode: 'ca', caPem: 'not a certificate' } }, { record: 'x' }), { code: 'sage100.tls_config', field: 'caPem' });
    assert.throws(() => connectSage100({ ...base, tls: { mode: 'pin', pinSha256: 'AB:CD' } }, { record: 'x' }), { code: 'sage100.tls_config', field: 'pinSha256' });
  });
});
