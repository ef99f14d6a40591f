/**
 * A private certificate authority for one deployment: a fresh CA and, per
 * player, a certificate for the host the other players dial, so that players
 * authenticate each other with TLS both ways (the socket transport requires a
 * client certificate from the same CA and checks the server's host name).
 *
 * node:crypto can make keys but not X.509 certificates; @peculiar/x509 builds
 * them on WebCrypto (keys generated and signatures made by Node's OpenSSL).
 * Its dependency injection (tsyringe) needs the `reflect-metadata` polyfill,
 * which patches the global `Reflect`: that is why only `tfe hostmap` loads
 * this module (hostmap.ts imports it on demand), never a player.
 *
 * Keys are ECDSA P-256 (fast to make, small handshakes, supported by every
 * TLS 1.2/1.3 peer). The CA's private key is never written: it signs this
 * deployment's certificates and is dropped, so nobody can later mint a
 * certificate the players trust. A new player means a new hostmap.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { randomSeed } from '../crypto/index.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A certificate and its private key, PEM-encoded. */
export interface Issued {
  readonly cert: string;
  readonly key: string;
}

/** A CA able to sign player certificates (kept in memory only). */
export interface CertificateAuthority {
  /** The CA certificate (PEM), which every player trusts. */
  readonly cert: string;
  readonly certificate: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
  readonly notAfter: Date;
}

/** A positive 128-bit serial number from the CSPRNG (RFC 5280 asks for at most 20 octets, positive). */
function serialNumber(): string {
  const bytes = randomSeed();
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01; // no leading zero octet, so DER keeps all 16 octets
  return Buffer.from(bytes).toString('hex');
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** PEM as files hold it: ending with a newline (the library leaves it off). */
function pemText(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return pemText(x509.PemConverter.encode(der, 'PRIVATE KEY'));
}

/** A fresh CA valid from now for `days` days, named after the deployment. */
export async function createAuthority(days: number, label: string): Promise<CertificateAuthority> {
  const keys = await newKeys();
  const now = new Date();
  const notAfter = new Date(now.getTime() + days * DAY_MS);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [`tfjs-encrypted deployment CA ${label}`] }],
    notBefore: now,
    notAfter,
    keys,
    signingAlgorithm: KEY_ALGORITHM,
    extensions: [
      // Signs player certificates only, never another CA (path length 0).
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: pemText(certificate.toString('pem')), certificate, keys, notAfter };
}

/**
 * A certificate for player `name` at `host`: the host as subjectAltName (an
 * IP address or a DNS name, which is what TLS clients check), usable as a server (it listens)
 * and as a client (it dials), valid until the CA expires.
 */
export async function issuePlayerCertificate(ca: CertificateAuthority, name: string, host: { kind: 'ip' | 'dns'; value: string }): Promise<Issued> {
  const keys = await newKeys();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [name] }],
    issuer: ca.certificate.subject,
    notBefore: new Date(),
    notAfter: ca.notAfter,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: KEY_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: host.kind, value: host.value }]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  return { cert: pemText(certificate.toString('pem')), key: await privateKeyPem(keys.privateKey) };
}
