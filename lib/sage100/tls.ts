import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import { ConnectorError } from '../errors';

/**
 * How the Sage 100 server's certificate is trusted. Sage servers on a LAN usually have a self-signed
 * certificate, so besides the public CAs the user can trust one CA (PEM) or pin the server certificate's
 * SHA-256 fingerprint. `insecure` exists only as an explicit, loudly reported choice.
 */
export type TlsMode = 'verify' | 'ca' | 'pin' | 'insecure';

export interface Sage100TlsOptions {
  mode: TlsMode;
  /** PEM of the CA (or of the self-signed certificate itself) for mode `ca`. */
  caPem?: string;
  /** SHA-256 fingerprint of the server certificate for mode `pin`: hex, with or without colons. */
  pinSha256?: string;
}

export function normalizeFingerprint(value: string): string {
  return value.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

/** The SHA-256 fingerprint of a PEM certificate, as `openssl x509 -fingerprint -sha256` prints it. */
export function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

export class TlsPinMismatchError extends ConnectorError {
  constructor(expected: string, actual: string) {
    super(`Sage 100 server certificate fingerprint ${actual} does not match the pinned ${expected}`, {
      code: 'sage100.tls_pin_mismatch',
      hint: 'The server presented a different certificate than the one pinned. If the certificate was renewed, pin the new fingerprint; otherwise something is intercepting the connection.',
      retryable: false,
    });
  }
}

/** Checks the pin and returns the error to raise, if any; exported for the SOAP and agent clients alike. */
export function checkPin(socket: TLSSocket, pinSha256: string): Error | undefined {
  const actual = socket.getPeerCertificate()?.fingerprint256 ?? '';
  if (normalizeFingerprint(actual) !== normalizeFingerprint(pinSha256)) return new TlsPinMismatchError(pinSha256, actual || '(none)');
  return undefined;
}

function validate(options: Sage100TlsOptions): void {
  if (options.mode === 'ca' && !options.caPem?.includes('BEGIN CERTIFICATE')) {
    throw new ConnectorError('TLS mode "trust a CA certificate" needs the CA certificate in PEM form', {
      code: 'sage100.tls_config', field: 'caPem', hint: 'Paste the PEM text, starting with -----BEGIN CERTIFICATE-----.',
    });
  }
  if (options.mode === 'pin' && normalizeFingerprint(options.pinSha256 ?? '').length !== 64) {
    throw new ConnectorError('TLS mode "pin the certificate" needs a SHA-256 fingerprint (64 hex digits)', {
      code: 'sage100.tls_config', field: 'pinSha256', hint: 'Get it with: openssl s_client -connect host:443 </dev/null | openssl x509 -noout -fingerprint -sha256',
    });
  }
}

/** The undici Agent (connection pool) for one Sage 100 server, with the chosen trust rule built in. */
export function createSageAgent(options: Sage100TlsOptions, pool: { connections?: number; keepAliveTimeout?: number } = {}): Agent {
  validate(options);
  const common = { keepAliveTimeout: pool.keepAliveTimeout ?? 10_000, connections: pool.connections ?? 4 };
  switch (options.mode) {
    case 'verify':
      return new Agent(common);
    case 'ca':
      return new Agent({ ...common, connect: { ca: options.caPem } });
    case 'insecure':
      return new Agent({ ...common, connect: { rejectUnauthorized: false } });
    case 'pin': {
      // The chain of a self-signed certificate cannot verify, so the pin is the verification:
      // the connection is used only once the presented certificate's fingerprint matches exactly.
      // No TLS session resumption: a resumed handshake presents no certificate, so there would be nothing to pin.
      const connect = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0 });
      const pin = options.pinSha256 as string;
      return new Agent({
        ...common,
        connect: (opts, callback) =>
          connect(opts, (err, socket) => {
            if (err || !socket) return callback(err ?? new Error('no socket'), null);
            if (!('getPeerCertificate' in socket)) return callback(null, socket);
            const mismatch = checkPin(socket as TLSSocket, pin);
            if (mismatch) {
              socket.destroy();
              return callback(mismatch, null);
            }
            return callback(null, socket);
          }),
      });
    }
  }
}
