/**
 * Simulated unified identity authentication (统一身份认证): a population base and a legal-person
 * base seeded from samples.ts, SMS codes (the code "sent" is in the log, for tests), agent
 * authorisations by a company's legal representative, and live face checks (活体人脸核验) for
 * advanced items: started by the case, finished by the applicant on a phone, which here is
 * POST /_control/face-checks/:checkId { result: "pass" | "fail", reason? }; the result goes to
 * onewindow as a signed `identity.face-check` callback and can be polled.
 */
import crypto from 'node:crypto';
import type { Router } from 'express';
import { chinaDate } from '../adapters/certificate-seal';
import type { Authorisation, FaceCheck, MatchResult, PersonRef } from '../adapters/identity';
import { SimulatorControl } from './control-client';
import { HttpProblem, list, notFound, object, optStr, str, type Json } from './http-problem';
import { IdempotencyStore, requireKey } from './idempotency';
import { body, startSimulator, type Delivery, type RunningSimulator, type Simulator, type SimulatorOptions } from './kit';
import { sampleLegalPersons, samplePersons, type SampleLegalPerson, type SamplePerson } from './samples';

export interface IdentitySimulatorOptions extends SimulatorOptions {
  persons?: readonly SamplePerson[];
  legalPersons?: readonly SampleLegalPerson[];
}

/** Control of the identity simulator: also reads the SMS code it "sent". */
export class IdentityControl extends SimulatorControl {
  async smsCode(requestId: string): Promise<string> {
    const sent = (await this.effects('sms-code.sent')).find((e) => e.detail.requestId === requestId);
    if (!sent) throw new Error(`no SMS code was sent for ${requestId}`);
    return String(sent.detail.code);
  }

  /** The face checks started so far, oldest first. */
  async faceChecks(): Promise<FaceCheck[]> {
    return (await this.send<{ faceChecks: FaceCheck[] }>('GET', '/face-checks')).faceChecks;
  }

  /** The applicant finishes a face check: it passes or fails; answers once the callback was sent. */
  async finishFaceCheck(checkId: string, result: 'pass' | 'fail', reason?: string): Promise<{ faceCheck: FaceCheck; deliveries: Delivery[] }> {
    return await this.send('POST', `/face-checks/${encodeURIComponent(checkId)}`, { result, reason });
  }
}

interface Challenge {
  requestId: string;
  idNumber: string;
  code: string;
  expiresAt: number;
  attemptsLeft: number;
  verified: boolean;
}

const smsLifetimeMs = 5 * 60_000;
const faceCheckLifetimeMs = 24 * 3_600_000;
const mask = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(7)}`;

function personRef(v: unknown, where: string): PersonRef {
  const o = object(v, where);
  return { idNumber: str(o, 'idNumber'), name: str(o, 'name') };
}

/** What the identity platform records (the population and legal-person bases are its configuration). */
class Records {
  readonly challenges = new Map<string, Challenge>();
  readonly smsOnce = new IdempotencyStore<Json>();
  readonly authOnce = new IdempotencyStore<Authorisation>();
  readonly authorisations: Authorisation[] = [];
  readonly faceChecks = new Map<string, FaceCheck>();
  readonly faceOnce = new IdempotencyStore<FaceCheck>();

  save() {
    return {
      challenges: [...this.challenges.values()], smsOnce: this.smsOnce.save(), authOnce: this.authOnce.save(), authorisations: this.authorisations,
      faceChecks: [...this.faceChecks.values()], faceOnce: this.faceOnce.save(),
    };
  }

  load(data: unknown): void {
    const d = data as ReturnType<Records['save']>;
    this.challenges.clear();
    for (const c of d.challenges) this.challenges.set(c.requestId, c);
    this.smsOnce.load(d.smsOnce);
    this.authOnce.load(d.authOnce);
    this.authorisations.splice(0, this.authorisations.length, ...d.authorisations);
    this.faceChecks.clear();
    for (const f of d.faceChecks) this.faceChecks.set(f.checkId, f);
    this.faceOnce.load(d.faceOnce);
  }
}

function routes(r: Router, persons: Map<string, SamplePerson>, companies: Map<string, SampleLegalPerson>, records: Records, sim: Simulator): void {
  const { challenges, smsOnce, authOnce, authorisations, faceChecks } = records;

  r.post('/persons/verify', (req, res) => {
    const p = personRef(body(req), '请求体');
    const known = persons.get(p.idNumber);
    const result: MatchResult = !known ? 'unknown' : known.name === p.name ? 'match' : 'mismatch';
    res.json({ result });
  });

  r.post('/legal-persons/verify', (req, res) => {
    const b = body(req);
    const code = str(b, 'creditCode');
    const rep = personRef(b.legalRepresentative, 'legalRepresentative');
    const known = companies.get(code);
    if (!known) return void res.json({ result: 'unknown', mismatches: [] });
    const mismatches: string[] = [];
    if (known.name !== str(b, 'name')) mismatches.push('name');
    if (known.legalRepresentative.idNumber !== rep.idNumber || known.legalRepresentative.name !== rep.name) mismatches.push('legalRepresentative');
    res.json({ result: mismatches.length ? 'mismatch' : 'match', mismatches });
  });

  r.post('/sms-codes', (req, res) => {
    const b = body(req);
    const { value, replayed } = smsOnce.run(requireKey(req), b, () => {
      const person = persons.get(str(b, 'idNumber'));
      if (!person) throw new HttpProblem(404, 'unknown-person', '人口库中没有此人');
      if (person.phone !== str(b, 'phone')) throw new HttpProblem(422, 'phone-mismatch', '手机号码与实名登记信息不一致');
      const c: Challenge = {
        requestId: `sms-${crypto.randomUUID()}`, idNumber: person.idNumber, code: crypto.randomInt(0, 1_000_000).toString().padStart(6, '0'),
        expiresAt: Date.now() + smsLifetimeMs, attemptsLeft: 5, verified: false,
      };
      challenges.set(c.requestId, c);
      sim.effect('sms-code.sent', { requestId: c.requestId, phone: person.phone, code: c.code });
      return { requestId: c.requestId, maskedPhone: mask(person.phone), expiresAt: new Date(c.expiresAt).toISOString() };
    });
    res.status(replayed ? 200 : 201).json(value);
  });

  r.post('/sms-codes/:requestId/check', (req, res) => {
    const c = challenges.get(req.params.requestId);
    if (!c) throw new HttpProblem(404, 'unknown-sms-request', '验证码请求不存在');
    if (Date.now() > c.expiresAt) throw new HttpProblem(410, 'sms-code-expired', '验证码已过期，请重新获取');
    if (c.verified) return void res.json({ verified: true, assuranceLevel: 'basic', attemptsLeft: c.attemptsLeft });
    if (c.attemptsLeft <= 0) throw new HttpProblem(423, 'too-many-attempts', '验证码错误次数过多，请重新获取');
    if (str(body(req), 'code') === c.code) c.verified = true;
    else c.attemptsLeft--;
    res.json({ verified: c.verified, assuranceLevel: c.verified ? 'basic' : 'anonymous', attemptsLeft: c.attemptsLeft });
  });

  r.post('/authorisations', (req, res) => {
    const b = body(req);
    const { value, replayed } = authOnce.run(requireKey(req), b, () => {
      const company = companies.get(str(b, 'creditCode'));
      if (!company) throw new HttpProblem(404, 'unknown-legal-person', '法人库中没有该单位');
      const rep = personRef(b.legalRepresentative, 'legalRepresentative');
      if (company.legalRepresentative.idNumber !== rep.idNumber || company.legalRepresentative.name !== rep.name) {
        throw new HttpProblem(403, 'not-legal-representative', '授权人不是该单位的法定代表人');
      }
      const agent = personRef(b.agent, 'agent');
      if (persons.get(agent.idNumber)?.name !== agent.name) throw new HttpProblem(422, 'agent-not-verified', '经办人身份信息核验不通过');
      const a: Authorisation = {
        authorisationId: `auth-${crypto.randomUUID()}`, creditCode: company.creditCode, agent,
        scope: list(b, 'scope').map(String), validUntil: str(b, 'validUntil', { pattern: /^\d{4}-\d{2}-\d{2}$/ }), grantedAt: new Date().toISOString(),
      };
      authorisations.push(a);
      sim.effect('authorisation.granted', { authorisationId: a.authorisationId, creditCode: a.creditCode, agent: a.agent.idNumber });
      return a;
    });
    res.status(replayed ? 200 : 201).json(value);
  });

  r.get('/authorisations', (req, res) => {
    const { creditCode, agentIdNumber, scope } = req.query;
    const today = chinaDate(new Date());
    const found = authorisations.find((a) => a.creditCode === creditCode && a.agent.idNumber === agentIdNumber && a.validUntil >= today &&
      (typeof scope !== 'string' || a.scope.length === 0 || a.scope.includes(scope)));
    res.json(found ? { authorised: true, authorisation: found } : { authorised: false });
  });

  const { faceOnce } = records;
  r.post('/face-checks', (req, res) => {
    const b = body(req);
    const { value, replayed } = faceOnce.run(requireKey(req), b, () => {
      const p = personRef(b.person, 'person');
      const known = persons.get(p.idNumber);
      if (!known) throw new HttpProblem(404, 'unknown-person', '人口库中没有此人，无法发起人脸核验');
      if (known.name !== p.name) throw new HttpProblem(422, 'person-mismatch', '姓名与公民身份号码不一致，无法发起人脸核验');
      const now = Date.now();
      const checkId = `face-${crypto.randomUUID()}`;
      const check: FaceCheck = {
        checkId, ...(b.caseNo === undefined ? {} : { caseNo: str(b, 'caseNo') }), status: 'pending', url: `https://identity.example/face/${checkId}`,
        requestedAt: new Date(now).toISOString(), expiresAt: new Date(now + faceCheckLifetimeMs).toISOString(),
      };
      faceChecks.set(checkId, check);
      sim.effect('face-check.started', { checkId, caseNo: check.caseNo, idNumber: p.idNumber });
      return check;
    });
    res.status(replayed ? 200 : 201).json(faceChecks.get(value.checkId));
  });

  r.get('/face-checks/:checkId', (req, res) => {
    const check = faceChecks.get(req.params.checkId);
    if (!check) throw notFound(`人脸核验 ${req.params.checkId} `);
    res.json(check);
  });
}

function faceCheckControl(r: Router, faceChecks: Map<string, FaceCheck>, sim: Simulator): void {
  r.get('/face-checks', (_req, res) => {
    res.json({ faceChecks: [...faceChecks.values()] });
  });
  r.post('/face-checks/:checkId', async (req, res) => {
    const check = faceChecks.get(req.params.checkId);
    if (!check) throw notFound(`人脸核验 ${req.params.checkId} `);
    const b = body(req);
    const result = str(b, 'result');
    if (result !== 'pass' && result !== 'fail') throw new HttpProblem(400, 'bad-request', 'result 应为 pass 或 fail');
    if (check.status !== 'pending') throw new HttpProblem(409, 'face-check-finished', `该人脸核验已结束（${check.status}）`);
    check.status = result === 'pass' ? 'passed' : 'failed';
    check.completedAt = new Date().toISOString();
    if (result === 'fail') check.reason = optStr(b, 'reason') ?? '活体检测未通过';
    sim.effect(`face-check.${check.status}`, { checkId: check.checkId, caseNo: check.caseNo });
    // A case's check is reported by callback; a sign-in check (no case) is only polled.
    const deliveries = check.caseNo === undefined ? [] : await sim.emit('identity.face-check', check.checkId, { checkId: check.checkId, caseNo: check.caseNo, passed: check.status === 'passed', reason: check.reason ?? null, at: check.completedAt });
    res.json({ faceCheck: check, deliveries });
  });
}

/** Starts the identity simulator with the sample population and legal-person bases. */
export async function startIdentitySimulator(opts: IdentitySimulatorOptions): Promise<RunningSimulator<IdentityControl>> {
  const persons = new Map((opts.persons ?? samplePersons).map((p) => [p.idNumber, p]));
  const companies = new Map((opts.legalPersons ?? sampleLegalPersons).map((c) => [c.creditCode, c]));
  const records = new Records();
  const started = await startSimulator({
    name: 'identity', options: opts, state: records, routes: (r, sim) => routes(r, persons, companies, records, sim), control: (r, sim) => faceCheckControl(r, records.faceChecks, sim),
  });
  return { url: started.url, close: started.close, control: new IdentityControl(started.url) };
}
