import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { fingerprintOf } from '../../lib/sage100/tls';
import { inspectCertificate, makeSelfSignedCertificate } from '../src/cli/certificate';

describe('self-signed certificate (pure TypeScript X.509)', () => {
  const now = new Date('2026-12-04T12:00:00Z');
  const made = makeSelfSignedCertificate({ commonName: 'SAGE-SRV sage100-agent', altNames: ['sage-srv', 'sage-srv.corp.example', '192.168.1.10', '127.0.0.1', 'fe80::1:2'], validDays: 1095, now });

  it('parses as an X.509 v3 certificate with the names, the dates and the key it was made for', () => {
    const certificate = new X509Certificate(made.certPem);
    assert.equal(certificate.subject, 'CN=SAGE-SRV sage100-agent');
    assert.equal(certificate.issuer, certificate.subject);
    assert.equal(certificate.subjectAltName, 'DNS:sage-srv, DNS:sage-srv.corp.example, IP Address:192.168.1.10, IP Address:127.0.0.1, IP Address:FE80:0:0:0:0:0:1:2');
    assert.equal(new Date(certificate.validFrom).toISOString(), '2026-12-04T11:00:00.000Z');
    assert.equal(new Date(certificate.validTo).toISOString(), '2029-12-03T11:00:00.000Z');
    assert.equal(certificate.ca, false);
    assert.deepEqual(certificate.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.ok(certificate.verify(certificate.publicKey), 'the self-signature verifies');
    assert.ok(certificate.checkPrivateKey(createPrivateKey(made.keyPem)));
    assert.equal(certificate.checkHost('sage-srv'), 'sage-srv');
    assert.equal(certificate.checkIP('192.168.1.10'), '192.168.1.10');
    assert.equal(certificate.checkHost('elsewhere'), undefined);
  });

  it('prints the fingerprint the way the Node-RED pin field compares it', () => {
    assert.match(made.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(made.fingerprint256, fingerprintOf(made.certPem));
  });

  it('serves TLS: a client trusting it as its CA completes the handshake and checks the IP in it', async () => {
    const fresh = makeSelfSignedCertificate({ commonName: 'agent', altNames: ['localhost', '127.0.0.1'], validDays: 30 });
    const server = tls.createServer({ key: fresh.keyPem, cert: fresh.certPem }, (socket) => socket.end('hello'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const socket = tls.connect({ host: '127.0.0.1', port, ca: fresh.certPem });
      await once(socket, 'secureConnect');
      assert.equal(socket.authorized, true);
      assert.equal(socket.getPeerCertificate().fingerprint256, fresh.fingerprint256);
      const [data] = (await once(socket, 'data')) as [Buffer];
      assert.equal(data.toString(), 'hello');
      socket.destroy();
    } finally {
      server.close();
    }
  });

  it('years from 2050 are written as GeneralizedTime', () => {
    const late = makeSelfSignedCertificate({ commonName: 'agent', altNames: ['localhost'], validDays: 10, now: new Date('2055-01-01T00:00:00Z') });
    assert.equal(new Date(new X509Certificate(late.certPem).validTo).toISOString(), '2055-01-10T23:00:00.000Z');
  });

  it('refuses a name that is neither a host name nor an address', () => {
    assert.throws(() => makeSelfSignedCertificate({ commonName: 'x', altNames: ['bad name'], validDays: 1 }), /neither a host name nor an IP address/);
    assert.throws(() => makeSelfSignedCertificate({ commonName: 'x', altNames: [], validDays: 1 }), /at least one/);
  });

  it('inspection tells whether the key belongs to the certificate', () => {
    const other = makeSelfSignedCertificate({ commonName: 'x', altNames: ['localhost'], validDays: 1 });
    assert.equal(inspectCertificate(made.certPem, made.keyPem).keyMatches, true);
    assert.equal(inspectCertificate(made.certPem, other.keyPem).keyMatches, false);
    assert.equal(inspectCertificate(made.certPem, 'not a key').keyMatches, false);
    assert.deepEqual(inspectCertificate(made.certPem, made.keyPem).altNames, ['sage-srv', 'sage-srv.corp.example', '192.168.1.10', '127.0.0.1', 'FE80:0:0:0:0:0:1:2']);
  });
});

