import crypto from 'node:crypto';
import { sm2 as reference, sm3 as referenceSm3 } from 'sm-crypto';
import { expect } from 'chai';
import { canonicalJson } from './canonical-json';
import { checkSeal, chinaDate, isExpired, sealCertificate, type CertificateContent, type PublishedSeal } from './certificate-seal';
import { generateSm2KeyPair, rememberedVerifications, sm2PublicKeyPem, sm2Sign, sm2Verify, sm3 } from './sm2';

const key = generateSm2KeyPair();
const seal: PublishedSeal = { keyId: 'xh-scjg-seal', department: 'xh-scjg', departmentName: '杭州市西湖区市场监督管理局', algorithm: 'SM2', publicKey: key.publicKey, publicKeyPem: sm2PublicKeyPem(key.publicKey) };
const content: CertificateContent = {
  number: 'XH-SCJG-2025-000001', type: '营业执照', holder: { name: '杭州西湖区悦味轩餐饮有限公司', idNumber: '91330106MA2H3K7Q5U' },
  issuer: { code: 'xh-scjg', name: '杭州市西湖区市场监督管理局' }, fields: { 法定代表人: '林建华', 注册资本: 500_000, 有效: true },
  validFrom: '2021-04-08', validUntil: null, issuedAt: '2021-04-08T02:00:00.000Z',
};

/** Every leaf of a JSON value, as a path and a setter. */
function leaves(v: unknown, path: string[] = []): { path: string; set(x: unknown): void; value: unknown }[] {
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, child]) =>
    typeof child === 'object' && child !== null
      ? leaves(child, [...path, k])
      : [{ path: [...path, k].join('.'), value: child, set: (x: unknown) => ((v as Record<string, unknown>)[k] = x) }],
  );
}

/** The smallest change to a value: one character (its code point + 1), one unit, or the flag flipped. */
function nudge(v: unknown): unknown {
  if (typeof v === 'string') return v.length === 0 ? 'x' : v.slice(0, -1) + String.fromCodePoint(v.codePointAt(v.length - 1)! + 1);
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'boolean') return !v;
  return 'x';
}

describe('canonical JSON', () => {
  it('when the same value is built with keys in another order, then the bytes are the same', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: '证' } })).to.equal(canonicalJson({ a: { c: '证', d: [2, { x: 0, y: 1 }] }, b: 1 }));
    expect(canonicalJson({ b: 1, a: null, u: undefined })).to.equal('{"a":null,"b":1}');
  });

  it('when a value has no JSON form, then it is refused', () => {
    expect(() => canonicalJson({ n: NaN })).to.throw(TypeError);
  });
});

describe('SM2 seal over SM3', () => {
  it('when a message is signed, then its public key verifies it and another key does not', () => {
    const sig = sm2Sign('电子证照', key);
    expect(sm2Verify('电子证照', sig, key.publicKey)).to.equal(true);
    expect(sm2Verify('电子证照', sig, generateSm2KeyPair().publicKey)).to.equal(false);
    expect(sm2Verify('电子证照', 'not base64!', key.publicKey)).to.equal(false);
  });

  it('when keys, messages and signatures are exchanged with sm-crypto (the reference), then each side verifies the other and refuses what is changed', () => {
    for (let i = 0; i < 6; i++) {
      const message = `电子证照 ${i} ${'材料'.repeat(i * 7)}`;
      // Their key and signature, our verification.
      const theirs = reference.generateKeyPairHex();
      const theirSig = Buffer.from(reference.doSignature(Buffer.from(message, 'utf8'), theirs.privateKey, { der: true, hash: true, publicKey: theirs.publicKey }), 'hex').toString('base64');
      expect(sm2Verify(message, theirSig, theirs.publicKey), `their signature ${i}`).to.equal(true);
      expect(sm2Verify(`${message}。`, theirSig, theirs.publicKey), `their signature ${i}, message changed`).to.equal(false);
      // Our key and signature, their verification.
      const ours = generateSm2KeyPair();
      const ourSig = sm2Sign(message, ours);
      expect(reference.doVerifySignature(Buffer.from(message, 'utf8'), Buffer.from(ourSig, 'base64').toString('hex'), ours.publicKey, { der: true, hash: true }), `our signature ${i}`).to.equal(true);
      expect(reference.doVerifySignature(Buffer.from(`${message}。`, 'utf8'), Buffer.from(ourSig, 'base64').toString('hex'), ours.publicKey, { der: true, hash: true }), `our signature ${i}, message changed`).to.equal(false);
      // Our signature with their key pair: the same point from the same private key.
      expect(reference.doVerifySignature(Buffer.from(message, 'utf8'), Buffer.from(sm2Sign(message, theirs), 'base64').toString('hex'), theirs.publicKey, { der: true, hash: true })).to.equal(true);
    }
    expect(sm3(Buffer.from('abc')).toString('hex'), 'SM3 of "abc" (GB/T 32905 example)').to.equal('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(sm3(Buffer.from('电子'), Buffer.from('证照')).toString('hex')).to.equal(referenceSm3(Buffer.from('电子证照')));
  });

  it('when a signature or key is malformed (not DER, r or s out of range, a point off the curve), then it is refused without throwing', () => {
    const key = generateSm2KeyPair();
    const sig = Buffer.from(sm2Sign('准予许可', key), 'base64');
    const n = 'fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123';
    const der = (r: string, s: string) => Buffer.from(`30${(4 + r.length / 2 + s.length / 2).toString(16).padStart(2, '0')}02${(r.length / 2).toString(16).padStart(2, '0')}${r}02${(s.length / 2).toString(16).padStart(2, '0')}${s}`, 'hex').toString('base64');
    expect(sm2Verify('准予许可', sig.subarray(0, sig.length - 1).toString('base64'), key.publicKey), 'cut short').to.equal(false);
    expect(sm2Verify('准予许可', der('00' + n, '01'), key.publicKey), 'r = n').to.equal(false);
    expect(sm2Verify('准予许可', der('01', '00' + n), key.publicKey), 's = n').to.equal(false);
    expect(sm2Verify('准予许可', sm2Sign('准予许可', key), `04${'1'.repeat(128)}`), 'a point off the curve').to.equal(false);
    expect(sm2Verify('准予许可', sm2Sign('准予许可', key), `04${'0'.repeat(128)}`), 'the zero point').to.equal(false);
  });

  it('when the same seal is checked again, then the remembered answer is the same, and a changed message, signature or key is checked afresh', () => {
    const key = generateSm2KeyPair();
    const sig = sm2Sign('准予许可', key);
    expect(sm2Verify('准予许可', sig, key.publicKey)).to.equal(true);
    const remembered = rememberedVerifications();
    expect(sm2Verify('准予许可', sig, key.publicKey), 'again, from memory').to.equal(true);
    expect(rememberedVerifications(), 'nothing new to remember').to.equal(remembered);
    // Each of the three changed is a new question with its own answer, never the remembered one.
    expect(sm2Verify('不予许可', sig, key.publicKey)).to.equal(false);
    expect(sm2Verify('准予许可', sm2Sign('不予许可', key), key.publicKey)).to.equal(false);
    expect(sm2Verify('准予许可', sig, generateSm2KeyPair().publicKey)).to.equal(false);
    expect(sm2Verify('准予许可', sig, key.publicKey.toUpperCase()), 'the same key written in capitals').to.equal(true);
    expect(sm2Verify('不予许可', sig, key.publicKey), 'a refusal remembered stays a refusal').to.equal(false);
  });

  it('when the published PEM is read by Node, then it is the same point on the SM2 curve', () => {
    const der = crypto.createPublicKey(seal.publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(der.subarray(der.length - 65).toString('hex')).to.equal(key.publicKey);
  });

  it('when a certificate is sealed, then the seal checks with the issuer key', () => {
    expect(checkSeal(sealCertificate(content, seal.keyId, key), [seal])).to.equal(null);
  });

  it('when one character of any field (or of the seal) changes, then the seal no longer checks', () => {
    const doc = sealCertificate(content, seal.keyId, key);
    const paths = leaves(doc).map((l) => l.path);
    expect(paths).to.include.members(['number', 'holder.idNumber', 'fields.注册资本', 'fields.有效', 'validUntil', 'seal.keyId', 'seal.signature']);
    for (const path of paths) {
      const copy = structuredClone(doc);
      const leaf = leaves(copy).find((l) => l.path === path)!;
      leaf.set(nudge(leaf.value));
      expect(checkSeal(copy, [seal]), path).to.be.a('string');
    }
  });

  it('when the key belongs to another department, then the seal is refused even though it verifies', () => {
    const doc = sealCertificate(content, seal.keyId, key);
    expect(checkSeal(doc, [{ ...seal, department: 'xh-gaj' }])).to.equal('签章密钥不属于发证部门');
  });

  it('when a certificate is valid until yesterday in China time, then it is expired', () => {
    // 2025-03-01 17:00 UTC is already 2 March in China.
    const at = new Date('2025-03-01T17:00:00Z');
    expect(chinaDate(at)).to.equal('2025-03-02');
    expect(isExpired({ validUntil: '2025-03-01' }, at)).to.equal(true);
    expect(isExpired({ validUntil: '2025-03-02' }, at)).to.equal(false);
    expect(isExpired({ validUntil: null }, at)).to.equal(false);
  });
});
