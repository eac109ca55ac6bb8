/**
 * Unified identity authentication (统一身份认证): checks a person against the population base
 * (人口库) and a legal person against the legal-person base (法人库), confirms a phone by SMS code
 * (which brings a person to assurance level basic), and records which agents (经办人) a legal
 * representative has authorised to act for the company. ID numbers and credit codes are checked
 * locally first (lib/identity.ts): a malformed one is refused without a request.
 */
import { checkCitizenId, checkCreditCode } from '../lib/identity';
import type { AssuranceLevel } from './assurance';
import { AdapterRefusal } from './errors';
import { idempotencyKey, PlatformHttp, type PlatformConfig } from './http';

export type MatchResult = 'match' | 'mismatch' | 'unknown';

export interface PersonRef {
  idNumber: string;
  name: string;
}

export interface LegalPersonCheck {
  creditCode: string;
  name: string;
  legalRepresentative: PersonRef;
}

export interface SmsChallenge {
  requestId: string;
  /** E.g. 138****8000. */
  maskedPhone: string;
  expiresAt: string;
}

export interface SmsCheck {
  verified: boolean;
  /** `basic` once the code matched, else `anonymous`. */
  assuranceLevel: AssuranceLevel;
  attemptsLeft: number;
}

export interface Authorisation {
  authorisationId: string;
  creditCode: string;
  agent: PersonRef;
  scope: string[];
  validUntil: string;
  grantedAt: string;
}

export type FaceCheckStatus = 'pending' | 'passed' | 'failed';

/**
 * A live face check (活体人脸核验) the applicant does on a phone: during a case (the result comes by
 * signed callback `identity.face-check` or by polling), or to raise a sign-in to 中级 (no case;
 * polled only).
 */
export interface FaceCheck {
  checkId: string;
  /** The case it is for; absent for a sign-in check. */
  caseNo?: string;
  status: FaceCheckStatus;
  /** Where the applicant does the check (sent to them by SMS). */
  url: string;
  requestedAt: string;
  expiresAt: string;
  completedAt?: string;
  /** Why it failed, when it did. */
  reason?: string;
}

export interface IdentityPlatform {
  verifyPerson(p: PersonRef): Promise<{ result: MatchResult }>;
  /** `mismatches` names what differs: `name`, `legalRepresentative`. */
  verifyLegalPerson(c: LegalPersonCheck): Promise<{ result: MatchResult; mismatches: string[] }>;
  sendSmsCode(p: { idNumber: string; phone: string }, key: string): Promise<SmsChallenge>;
  checkSmsCode(c: { requestId: string; code: string }): Promise<SmsCheck>;
  /** The legal representative authorises an agent for the company, once per key. */
  authoriseAgent(a: { creditCode: string; legalRepresentative: PersonRef; agent: PersonRef; scope: string[]; validUntil: string }, key: string): Promise<Authorisation>;
  checkAuthorisation(q: { creditCode: string; agentIdNumber: string; scope?: string }): Promise<{ authorised: boolean; authorisation?: Authorisation }>;
  /** Starts a live face check of a person, for a case or (no case) to raise a sign-in, once per key. */
  startFaceCheck(c: { caseNo?: string; person: PersonRef }, key: string): Promise<FaceCheck>;
  getFaceCheck(checkId: string): Promise<FaceCheck>;
}

const platform = 'identity';

function localCheck(code: string, problem: string | null): void {
  if (problem) throw new AdapterRefusal(platform, code, problem);
}
const checkId = (id: string) => localCheck('invalid-id-number', checkCitizenId(id));
const checkCode = (code: string) => localCheck('invalid-credit-code', checkCreditCode(code));

export class IdentityClient implements IdentityPlatform {
  private readonly http: PlatformHttp;

  constructor(config: PlatformConfig) {
    this.http = new PlatformHttp(platform, config);
  }

  async verifyPerson(p: PersonRef): Promise<{ result: MatchResult }> {
    checkId(p.idNumber);
    return await this.http.call('POST', '/persons/verify', { body: p });
  }

  async verifyLegalPerson(c: LegalPersonCheck): Promise<{ result: MatchResult; mismatches: string[] }> {
    checkCode(c.creditCode);
    checkId(c.legalRepresentative.idNumber);
    return await this.http.call('POST', '/legal-persons/verify', { body: c });
  }

  async sendSmsCode(p: { idNumber: string; phone: string }, key: string): Promise<SmsChallenge> {
    checkId(p.idNumber);
    if (!/^1[3-9]\d{9}$/.test(p.phone)) throw new AdapterRefusal(platform, 'invalid-phone', '手机号码格式不正确');
    return await this.http.call('POST', '/sms-codes', { body: p, idempotencyKey: idempotencyKey('identity.sms', key) });
  }

  async checkSmsCode(c: { requestId: string; code: string }): Promise<SmsCheck> {
    return await this.http.call('POST', `/sms-codes/${encodeURIComponent(c.requestId)}/check`, { body: { code: c.code } });
  }

  async authoriseAgent(a: { creditCode: string; legalRepresentative: PersonRef; agent: PersonRef; scope: string[]; validUntil: string }, key: string): Promise<Authorisation> {
    checkCode(a.creditCode);
    checkId(a.legalRepresentative.idNumber);
    checkId(a.agent.idNumber);
    return await this.http.call('POST', '/authorisations', { body: a, idempotencyKey: idempotencyKey('identity.authorise', key) });
  }

  async checkAuthorisation(q: { creditCode: string; agentIdNumber: string; scope?: string }): Promise<{ authorised: boolean; authorisation?: Authorisation }> {
    checkCode(q.creditCode);
    checkId(q.agentIdNumber);
    return await this.http.call('GET', '/authorisations', { query: { creditCode: q.creditCode, agentIdNumber: q.agentIdNumber, scope: q.scope } });
  }

  async startFaceCheck(c: { caseNo?: string; person: PersonRef }, key: string): Promise<FaceCheck> {
    checkId(c.person.idNumber);
    return await this.http.call('POST', '/face-checks', { body: c, idempotencyKey: idempotencyKey('identity.face-check', key) });
  }

  async getFaceCheck(checkId: string): Promise<FaceCheck> {
    return await this.http.call('GET', `/face-checks/${encodeURIComponent(checkId)}`);
  }
}
