/**
 * SM2 signatures over SM3 (GB/T 32918, GB/T 35276) for electronic seals (电子印章).
 *
 * Node's own crypto can hash with SM3 and make keys on the SM2 curve, but it cannot set the
 * signer's distinguishing identifier: depending on how a key was loaded it signs ECDSA-over-SM3
 * or SM2 with an empty identifier, neither of which other GM/T tools verify. sm-crypto does the
 * standard scheme (Z computed with the default identifier 1234567812345678), so seals made here
 * verify anywhere.
 */
import { createHash } from 'node:crypto';
import { sm2 } from 'sm-crypto';

/** A seal key pair: hex private scalar and hex uncompressed public point (04‖x‖y). */
export interface Sm2KeyPair {
  publicKey: string;
  privateKey: string;
}

export function generateSm2KeyPair(): Sm2KeyPair {
  return sm2.generateKeyPairHex();
}

/** A DER-encoded signature, base64. */
export function sm2Sign(message: string, key: Sm2KeyPair): string {
  const hex = sm2.doSignature(Buffer.from(message, 'utf8'), key.privateKey, { der: true, hash: true, publicKey: key.publicKey });
  return Buffer.from(hex, 'hex').toString('base64');
}

/**
 * Verifications already done: a verification is a pure function of the message, the signature
 * and the key, and in pure JavaScript it costs milliseconds (the same certificates are checked
 * again for every case of their holder). Keyed by a SHA-256 of all three; at most `verifiedMax`
 * results, the oldest forgotten first.
 */
const verified = new Map<string, boolean>();
const verifiedMax = 10_000;

/** False for a bad signature, a malformed one, or a malformed public key; never throws. */
export function sm2Verify(message: string, signatureBase64: string, publicKey: string): boolean {
  if (!/^04[0-9a-f]{128}$/i.test(publicKey) || !/^[A-Za-z0-9+/]+={0,2}$/.test(signatureBase64)) return false;
  const key = createHash('sha256').update(publicKey.toLowerCase()).update('\0').update(signatureBase64).update('\0').update(message, 'utf8').digest('base64');
  const known = verified.get(key);
  if (known !== undefined) return known;
  let ok: boolean;
  try {
    const hex = Buffer.from(signatureBase64, 'base64').toString('hex');
    ok = sm2.doVerifySignature(Buffer.from(message, 'utf8'), hex, publicKey, { der: true, hash: true });
  } catch {
    ok = false;
  }
  if (verified.size >= verifiedMax) verified.delete(verified.keys().next().value!);
  verified.set(key, ok);
  return ok;
}

/** How many verifications are remembered (for tests). */
export function rememberedVerifications(): number {
  return verified.size;
}

// SubjectPublicKeyInfo header for an uncompressed point on the SM2 curve (id-ecPublicKey, sm2p256v1).
const spkiPrefix = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');

/** The public key as a PEM SubjectPublicKeyInfo, for tools that read keys that way (openssl, Java). */
export function sm2PublicKeyPem(publicKey: string): string {
  const der = Buffer.concat([spkiPrefix, Buffer.from(publicKey, 'hex')]);
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}
