import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * The agent's self-signed TLS certificate, made without OpenSSL (which Windows servers do not have): an X.509 v3
 * certificate for an EC P-256 key, written as DER by the few ASN.1 encoders below and signed with node:crypto.
 * The Node-RED side pins its SHA-256 fingerprint, or trusts it as a CA, which checks the names in subjectAltName.
 */
export interface SelfSignedCertificate {
  certPem: string;
  keyPem: string;
  /** `AA:BB:…`, as `openssl x509 -fingerprint -sha256` and the Node-RED pin field show it. */
  fingerprint256: string;
  notAfter: Date;
}

export interface CertificateRequest {
  commonName: string;
  /** Host names and IP addresses (v4 or v6) the Node-RED side may use to reach the agent. */
  altNames: string[];
  validDays: number;
  now?: Date;
}

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

export function makeSelfSignedCertificate(request: CertificateRequest): SelfSignedCertificate {
  if (request.altNames.length === 0) throw new Error('A certificate needs at least one host name or IP address');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const notBefore = new Date((request.now ?? new Date()).getTime() - 60 * 60 * 1000);
  const notAfter = new Date(notBefore.getTime() + request.validDays * 24 * 60 * 60 * 1000);
  const name = sequence(set(sequence(oid(OID.commonName), utf8String(request.commonName))));
  const signatureAlgorithm = sequence(oid(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;

  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    signatureAlgorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.keyUsage, true, tlv(0x03, Buffer.from([0x07, 0x80]))),
      extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, sequence(...request.altNames.map(generalName))),
    )),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, signatureAlgorithm, bitString(signature));
  const certPem = pem('CERTIFICATE', der);
  return {
    certPem,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    fingerprint256: new X509Certificate(certPem).fingerprint256,
    notAfter,
  };
}

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), content]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), content]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const explicit = (tag: number, content: Buffer): Buffer => tlv(0xa0 | tag, content);
const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
const bitString = (bytes: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
const octetString = (bytes: Buffer): Buffer => tlv(0x04, bytes);
const boolean = (value: boolean): Buffer => tlv(0x01, Buffer.from([value ? 0xff : 0]));

function integer(bytes: Buffer): Buffer {
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) groups.unshift((value & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime until 2049, GeneralizedTime from 2050, as RFC 5280 §4.1.2.5 asks. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]|\.\d{3}/g, '');
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** Windows computer names may hold characters (`_`) a certificate's DNS name cannot. */
export function isCertificateName(name: string): boolean {
  return isIPv4(name) || isIPv6(name) || HOST_NAME.test(name);
}

/** dNSName is [2] IA5String, iPAddress [7] the address bytes, both implicitly tagged. */
function generalName(name: string): Buffer {
  if (isIPv4(name)) return tlv(0x87, Buffer.from(name.split('.').map(Number)));
  if (isIPv6(name)) return tlv(0x87, ipv6Bytes(name));
  if (!HOST_NAME.test(name)) throw new Error(`"${name}" is neither a host name nor an IP address`);
  return tlv(0x82, Buffer.from(name.toLowerCase(), 'ascii'));
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const groups = (part: string | undefined): string[] => (part ? part.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(missing).fill('0'), ...groups(tail)];
  const bytes = Buffer.alloc(16);
  all.forEach((group, index) => bytes.writeUInt16BE(parseInt(group, 16), index * 2));
  return bytes;
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** What `doctor` checks about the certificate the agent serves. */
export interface CertificateFacts {
  fingerprint256: string;
  notAfter: Date;
  keyMatches: boolean;
  altNames: string[];
}

export function inspectCertificate(certPem: string, keyPem: string): CertificateFacts {
  const certificate = new X509Certificate(certPem);
  let keyMatches: boolean;
  try {
    keyMatches = certificate.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    keyMatches = false;
  }
  return {
    fingerprint256: certificate.fingerprint256,
    notAfter: new Date(certificate.validTo),
    keyMatches,
    altNames: (certificate.subjectAltName ?? '').split(', ').filter(Boolean).map((entry) => entry.replace(/^(DNS|IP Address):/, '')),
  };
}
