/**
 * SM2 signatures over SM3 (GB/T 32918.2, GB/T 35276) for electronic seals (电子印章) and archive
 * packages: Z with the default distinguishing identifier 1234567812345678, e = SM3(Z ‖ M), the
 * (r, s) pair DER-encoded, so seals made here verify with other GM/T tools.
 *
 * Node's own crypto hashes with SM3 and makes keys on the SM2 curve, but cannot set the signer's
 * identifier: depending on how a key was loaded it signs ECDSA-over-SM3 or SM2 with an empty
 * identifier. So the scheme is written out here on the point arithmetic of @noble/curves
 * (windowed, with precomputed tables for the base point and for the keys seen); it agrees with
 * sm-crypto (the reference in the tests) both ways and takes about a millisecond, where
 * sm-crypto's pure-JS big numbers took 10–20 ms and held the worker's event loop meanwhile.
 */
import { createHash, getHashes, randomBytes } from 'node:crypto';
import { invert, mod } from '@noble/curves/abstract/modular';
import { DER, weierstrassN } from '@noble/curves/abstract/weierstrass';
import { sm3 as sm3Js } from 'sm-crypto';

/** A seal key pair: hex private scalar and hex uncompressed public point (04‖x‖y). */
export interface Sm2KeyPair {
  publicKey: string;
  privateKey: string;
}

const curve = {
  p: BigInt('0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffff'),
  n: BigInt('0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123'),
  h: 1n,
  a: BigInt('0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc'),
  b: BigInt('0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93'),
  Gx: BigInt('0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7'),
  Gy: BigInt('0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0'),
};
const Point = weierstrassN(curve);
const { n } = curve;
const G = Point.BASE.precompute(8);

/** The default distinguishing identifier of GB/T 35276 (the signer's ID), as bytes. */
const defaultId = Buffer.from('1234567812345678', 'utf8');

const hex32 = (x: bigint) => x.toString(16).padStart(64, '0');

/** Node's OpenSSL hashes with SM3 when it was built with it (the usual case); sm-crypto otherwise. */
const nodeHasSm3 = getHashes().includes('sm3');

/** The SM3 digest of the parts, one after another. */
export function sm3(...parts: Uint8Array[]): Buffer {
  if (!nodeHasSm3) return Buffer.from(sm3Js(Buffer.concat(parts)), 'hex');
  const h = createHash('sm3');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** e = SM3(Z ‖ M), Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA), as a number. */
function digest(message: Buffer, publicHex: string): bigint {
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(defaultId.length * 8);
  const z = sm3(entl, defaultId, ...[curve.a, curve.b, curve.Gx, curve.Gy].map((x) => Buffer.from(hex32(x), 'hex')), Buffer.from(publicHex.slice(2), 'hex'));
  return BigInt(`0x${sm3(z, message).toString('hex')}`);
}

/** A uniformly random scalar in [1, n − 1]. */
function randomScalar(): bigint {
  for (;;) {
    const k = BigInt(`0x${randomBytes(32).toString('hex')}`);
    if (k > 0n && k < n) return k;
  }
}

function publicKeyOf(privateHex: string): string {
  const a = G.multiply(BigInt(`0x${privateHex}`)).toAffine();
  return `04${hex32(a.x)}${hex32(a.y)}`;
}

function newKeyPair(): { privateKey: string; publicKey: string } {
  const d = randomScalar();
  // d must also leave 1 + d invertible: d ≠ n − 1, which randomScalar can give only with negligible chance; checked anyway.
  if (d === n - 1n) return newKeyPair();
  const privateKey = hex32(d);
  return { privateKey, publicKey: publicKeyOf(privateKey) };
}

/** The signature of the message, DER-encoded (hex). */
function signDer(message: Buffer, privateHex: string, publicHex: string): string {
  const d = BigInt(`0x${privateHex}`);
  const e = digest(message, publicHex.toLowerCase());
  const dInv = invert(1n + d, n);
  for (;;) {
    const k = randomScalar();
    const x1 = G.multiply(k).toAffine().x;
    const r = mod(e + x1, n);
    if (r === 0n || r + k === n) continue;
    const s = mod(dInv * (k - r * d), n);
    if (s === 0n) continue;
    return DER.hexFromSig({ r, s });
  }
}

/**
 * Public keys seen, with their precomputed tables: seals are verified against a few published
 * department keys, again and again (at most `keysMax` kept, the oldest forgotten first).
 */
const keys = new Map<string, InstanceType<typeof Point>>();
const keysMax = 256;

function publicPoint(publicHex: string): InstanceType<typeof Point> {
  let P = keys.get(publicHex);
  if (!P) {
    P = Point.fromHex(publicHex);
    P.assertValidity();
    P.precompute(8, false);
    if (keys.size >= keysMax) keys.delete(keys.keys().next().value!);
    keys.set(publicHex, P);
  }
  return P;
}

/** Whether the DER-encoded (hex) signature is the key's over the message; false for anything malformed. */
function verifyDer(message: Buffer, signatureHex: string, publicHex: string): boolean {
  let r: bigint;
  let s: bigint;
  let P: InstanceType<typeof Point>;
  try {
    ({ r, s } = DER.toSig(signatureHex));
    P = publicPoint(publicHex.toLowerCase());
  } catch {
    return false;
  }
  if (r < 1n || r >= n || s < 1n || s >= n) return false;
  const t = mod(r + s, n);
  if (t === 0n) return false;
  // Public data only, so the faster variable-time multiplication is fine here.
  const X = G.multiplyUnsafe(s).add(P.multiplyUnsafe(t));
  if (X.is0()) return false;
  return mod(digest(message, publicHex.toLowerCase()) + X.toAffine().x, n) === r;
}

export function generateSm2KeyPair(): Sm2KeyPair {
  return newKeyPair();
}

/** A DER-encoded signature, base64. */
export function sm2Sign(message: string, key: Sm2KeyPair): string {
  return Buffer.from(signDer(Buffer.from(message, 'utf8'), key.privateKey, key.publicKey), 'hex').toString('base64');
}

/**
 * Verifications already done: a verification is a pure function of the message, the signature
 * and the key, and costs a millisecond or two of CPU (the same certificates are checked again
 * for every case of their holder). Keyed by a SHA-256 of all three; at most `verifiedMax`
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
  const ok = verifyDer(Buffer.from(message, 'utf8'), Buffer.from(signatureBase64, 'base64').toString('hex'), publicKey);
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
