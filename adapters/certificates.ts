/**
 * E-certificates (电子证照): certificates a holder already has (to replace materials, 减材料),
 * certificates a case issues (once per case and step), and verification (验证真伪).
 * `verify` checks the seal locally against the issuer's published key, then asks the platform
 * whether the certificate was revoked, then checks the validity dates.
 */
import { checkCitizenId, checkCreditCode } from '../lib/identity';
import { checkSeal, isExpired, type CertificateDocument, type PublishedSeal } from './certificate-seal';
import { AdapterRefusal } from './errors';
import { idempotencyKey, PlatformHttp, type PlatformConfig } from './http';

export type { CertificateContent, CertificateDocument, PublishedSeal } from './certificate-seal';

export type Verdict = 'genuine' | 'tampered' | 'revoked' | 'expired' | 'unknown';

export interface Verification {
  number: string;
  verdict: Verdict;
  detail: string;
}

export interface IssueCertificate {
  type: string;
  holder: { name: string; idNumber: string };
  /** Department code of the issuer, e.g. xh-scjg. */
  issuer: string;
  fields: Record<string, string | number | boolean>;
  validFrom: string;
  validUntil: string | null;
}

export interface CertificatePlatform {
  /** Certificates held by a person (ID number) or a legal person (credit code). */
  listByHolder(holderId: string, type?: string): Promise<CertificateDocument[]>;
  get(number: string): Promise<CertificateDocument>;
  /** Issues once per key (case number + step): a repeat returns the same certificate. */
  issue(c: IssueCertificate, key: string): Promise<CertificateDocument>;
  revoke(number: string, reason: string): Promise<{ number: string; revokedAt: string }>;
  verify(doc: CertificateDocument): Promise<Verification>;
  seals(): Promise<PublishedSeal[]>;
}

const platform = 'certificates';

function checkHolderId(id: string): void {
  // A holder is a person or a legal person: the ID must be valid as one of the two.
  const asPerson = checkCitizenId(id);
  const asCompany = checkCreditCode(id);
  if (asPerson && asCompany) throw new AdapterRefusal(platform, 'invalid-holder-id', /^\d{17}[\dX]$/.test(id) ? asPerson : asCompany);
}

export class CertificateClient implements CertificatePlatform {
  private readonly http: PlatformHttp;
  private sealCache: PublishedSeal[] = [];

  constructor(config: PlatformConfig, private readonly now: () => Date = () => new Date()) {
    this.http = new PlatformHttp(platform, config);
  }

  async listByHolder(holderId: string, type?: string): Promise<CertificateDocument[]> {
    checkHolderId(holderId);
    const r = await this.http.call<{ certificates: CertificateDocument[] }>('GET', '/certificates', { query: { holderId, type } });
    return r.certificates;
  }

  async get(number: string): Promise<CertificateDocument> {
    return await this.http.call('GET', `/certificates/${encodeURIComponent(number)}`);
  }

  async issue(c: IssueCertificate, key: string): Promise<CertificateDocument> {
    checkHolderId(c.holder.idNumber);
    return await this.http.call('POST', '/certificates', { body: c, idempotencyKey: idempotencyKey('certificate.issue', key) });
  }

  async revoke(number: string, reason: string): Promise<{ number: string; revokedAt: string }> {
    return await this.http.call('POST', `/certificates/${encodeURIComponent(number)}/revoke`, { body: { reason } });
  }

  async seals(): Promise<PublishedSeal[]> {
    const r = await this.http.call<{ seals: PublishedSeal[] }>('GET', '/seals');
    this.sealCache = r.seals;
    return r.seals;
  }

  async verify(doc: CertificateDocument): Promise<Verification> {
    const number = doc.number;
    // Keys are fetched again only when the document names one not seen yet.
    const seals = this.sealCache.some((s) => s.keyId === doc.seal.keyId) ? this.sealCache : await this.seals();
    const problem = checkSeal(doc, seals);
    if (problem) return { number, verdict: 'tampered', detail: problem };
    let status: Verification;
    try {
      status = await this.http.call<Verification>('GET', `/certificates/${encodeURIComponent(number)}/verify`);
    } catch (err) {
      if (err instanceof AdapterRefusal && err.status === 404) return { number, verdict: 'unknown', detail: '证照库中没有该证照' };
      throw err;
    }
    if (status.verdict === 'revoked') return status;
    if (isExpired(doc, this.now())) return { number, verdict: 'expired', detail: `证照已于 ${doc.validUntil} 到期` };
    return { number, verdict: 'genuine', detail: '电子签章有效，证照真实未被篡改' };
  }
}
