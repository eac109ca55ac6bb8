/**
 * The electronic seal (电子印章) on a certificate: the issuing department signs, with SM2 over
 * SM3, the canonical JSON of everything in the document except the signature itself, so a
 * change to any byte of any field (or of the seal's algorithm and key id) breaks it.
 */
import { chinaDayOf, dayToIso } from '../lib/calendar/working-days';
import { canonicalJson } from './canonical-json';
import { sm2Sign, sm2Verify, type Sm2KeyPair } from './sm2';

export const sealAlgorithm = 'SM2-SM3';

/** What the issuer certifies. */
export interface CertificateContent {
  /** 证照编号. */
  number: string;
  /** The catalogue's certificate type, e.g. 营业执照. */
  type: string;
  holder: { name: string; idNumber: string };
  issuer: { code: string; name: string };
  fields: Record<string, string | number | boolean>;
  /** Dates (YYYY-MM-DD) in China time; `validUntil` null: no end. */
  validFrom: string;
  validUntil: string | null;
  issuedAt: string;
}

export interface CertificateDocument extends CertificateContent {
  seal: { algorithm: string; keyId: string; signature: string };
}

/** A department's published seal key. */
export interface PublishedSeal {
  keyId: string;
  department: string;
  departmentName: string;
  algorithm: 'SM2';
  /** Uncompressed point, hex (04‖x‖y). */
  publicKey: string;
  publicKeyPem: string;
}

/** The bytes the seal signs: the document without `seal.signature`, as canonical JSON. */
export function signedText(doc: CertificateContent & { seal: { algorithm: string; keyId: string } }): string {
  const { seal, ...content } = doc;
  return canonicalJson({ ...content, seal: { algorithm: seal.algorithm, keyId: seal.keyId } });
}

export function sealCertificate(content: CertificateContent, keyId: string, key: Sm2KeyPair): CertificateDocument {
  const unsigned = { ...content, seal: { algorithm: sealAlgorithm, keyId } };
  return { ...content, seal: { algorithm: sealAlgorithm, keyId, signature: sm2Sign(signedText(unsigned), key) } };
}

/** Null when the seal is genuine and belongs to the named issuer, else what is wrong (in Chinese). */
export function checkSeal(doc: CertificateDocument, seals: readonly PublishedSeal[]): string | null {
  if (doc.seal.algorithm !== sealAlgorithm) return `不支持的签章算法 ${doc.seal.algorithm}`;
  const seal = seals.find((s) => s.keyId === doc.seal.keyId);
  if (!seal) return `未找到签章密钥 ${doc.seal.keyId}`;
  if (seal.department !== doc.issuer.code) return '签章密钥不属于发证部门';
  return sm2Verify(signedText(doc), doc.seal.signature, seal.publicKey) ? null : '电子签章校验失败，证照内容可能被篡改';
}

/** The date of an instant in China time, YYYY-MM-DD. */
export function chinaDate(at: Date): string {
  return dayToIso(chinaDayOf(at));
}

export function isExpired(doc: Pick<CertificateContent, 'validUntil'>, at: Date): boolean {
  return doc.validUntil !== null && doc.validUntil < chinaDate(at);
}
