/**
 * Simulated e-certificate platform (电子证照库). Each issuing department gets an SM2 seal key
 * pair at start; public keys are published at GET /seals. Certificates are issued once per
 * Idempotency-Key and sealed; GET /certificates/:number/verify judges the stored copy. Those two
 * are public (unsigned), as on the real platform; everything else needs a signed request.
 * Control: POST /_control/tamper/:number { path, value } changes a stored certificate without
 * resealing it, as a corrupted or forged record would be.
 */
import crypto from 'node:crypto';
import type { Router } from 'express';
import { chinaDate, checkSeal, isExpired, sealCertificate, type CertificateContent, type CertificateDocument, type PublishedSeal } from '../adapters/certificate-seal';
import type { Verification } from '../adapters/certificates';
import { generateSm2KeyPair, sm2PublicKeyPem, type Sm2KeyPair } from '../adapters/sm2';
import { SimulatorControl } from './control-client';
import { HttpProblem, notFound, object, optStr, str, type Json } from './http-problem';
import { IdempotencyStore, requireKey } from './idempotency';
import { body, startSimulator, type RunningSimulator, type Simulator, type SimulatorOptions } from './kit';
import { sampleCertificates, sampleIssuers, type SampleCertificate } from './samples';

export interface CertificateSimulatorOptions extends SimulatorOptions {
  /** Department code → name; one seal key each. */
  issuers?: Readonly<Record<string, string>>;
  certificates?: readonly SampleCertificate[];
}

export class CertificateControl extends SimulatorControl {
  /** Sets the field at a dotted path (e.g. `holder.name`) of the stored certificate, without resealing. */
  async tamper(number: string, path: string, value: unknown): Promise<void> {
    await this.send('POST', `/tamper/${encodeURIComponent(number)}`, { path, value });
  }
}

interface Stored {
  doc: CertificateDocument;
  revokedAt?: string;
}

class Registry {
  readonly keys = new Map<string, { keyId: string; pair: Sm2KeyPair }>();
  readonly seals: PublishedSeal[] = [];
  readonly byNumber = new Map<string, Stored>();
  readonly once = new IdempotencyStore<CertificateDocument>();
  // Certificate numbers are unique across instances, as on the real platform: a random starting serial.
  private serial = crypto.randomInt(0, 900_000);

  constructor(private readonly issuers: Readonly<Record<string, string>>) {
    const year = new Date().getFullYear();
    for (const department of Object.keys(issuers)) this.keys.set(department, { keyId: `${department}-seal-${year}`, pair: generateSm2KeyPair() });
    this.publishSeals();
  }

  private publishSeals(): void {
    this.seals.length = 0;
    for (const [department, { keyId, pair }] of this.keys) {
      this.seals.push({ keyId, department, departmentName: this.issuers[department] ?? department, algorithm: 'SM2', publicKey: pair.publicKey, publicKeyPem: sm2PublicKeyPem(pair.publicKey) });
    }
  }

  /** The seal keys are saved too: certificates sealed before a restart must still verify after it. */
  save() {
    return { serial: this.serial, keys: [...this.keys], certificates: [...this.byNumber.values()], once: this.once.save() };
  }

  load(data: unknown): void {
    const d = data as ReturnType<Registry['save']>;
    this.serial = d.serial;
    // An issuer configured since keeps the key made for it at this start.
    for (const [department, key] of d.keys) this.keys.set(department, key);
    this.publishSeals();
    this.byNumber.clear();
    for (const c of d.certificates) this.byNumber.set(c.doc.number, c);
    this.once.load(d.once);
  }

  issue(c: SampleCertificate): CertificateDocument {
    const key = this.keys.get(c.issuer);
    if (!key) throw new HttpProblem(422, 'unknown-issuer', `发证部门 ${c.issuer} 未在电子证照库登记签章`);
    const issuedAt = new Date();
    const number = `${c.issuer.toUpperCase()}-${issuedAt.getFullYear()}-${String(++this.serial).padStart(6, '0')}`;
    const content: CertificateContent = {
      number, type: c.type, holder: c.holder, issuer: { code: c.issuer, name: this.issuers[c.issuer] }, fields: c.fields,
      validFrom: c.validFrom, validUntil: c.validUntil, issuedAt: issuedAt.toISOString(),
    };
    const doc = sealCertificate(content, key.keyId, key.pair);
    this.byNumber.set(number, { doc });
    return doc;
  }

  get(number: string): Stored {
    const s = this.byNumber.get(number);
    if (!s) throw notFound(`证照 ${number} `);
    return s;
  }

  judge(s: Stored): Verification {
    const number = s.doc.number;
    const problem = checkSeal(s.doc, this.seals);
    if (problem) return { number, verdict: 'tampered', detail: problem };
    if (s.revokedAt) return { number, verdict: 'revoked', detail: `证照已于 ${chinaDate(new Date(s.revokedAt))} 注销` };
    if (isExpired(s.doc, new Date())) return { number, verdict: 'expired', detail: `证照已于 ${s.doc.validUntil} 到期` };
    return { number, verdict: 'genuine', detail: '电子签章有效，证照真实未被篡改' };
  }
}

function issueRequest(b: Json): SampleCertificate {
  const holder = object(b.holder, 'holder');
  const fields = object(b.fields, 'fields');
  for (const [k, v] of Object.entries(fields)) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw new HttpProblem(400, 'bad-request', `证照字段 ${k} 应为字符串、数字或布尔值`);
  }
  const date = /^\d{4}-\d{2}-\d{2}$/;
  return {
    type: str(b, 'type'), holder: { name: str(holder, 'name'), idNumber: str(holder, 'idNumber') }, issuer: str(b, 'issuer'),
    fields: fields as Record<string, string>, validFrom: str(b, 'validFrom', { pattern: date }),
    validUntil: b.validUntil === null ? null : str(b, 'validUntil', { pattern: date }),
  };
}

function routes(r: Router, reg: Registry, sim: Simulator): void {
  const { once } = reg;

  r.get('/certificates', (req, res) => {
    const { holderId, type } = req.query;
    if (typeof holderId !== 'string') throw new HttpProblem(400, 'bad-request', '须指定持证主体 holderId');
    const certificates = [...reg.byNumber.values()]
      .filter((s) => s.doc.holder.idNumber === holderId && !s.revokedAt && (typeof type !== 'string' || s.doc.type === type))
      .map((s) => s.doc);
    res.json({ certificates });
  });

  r.post('/certificates', (req, res) => {
    const b = body(req);
    const { value, replayed } = once.run(requireKey(req), b, () => {
      const doc = reg.issue(issueRequest(b));
      sim.effect('certificate.issued', { number: doc.number, type: doc.type, holder: doc.holder.idNumber, idempotencyKey: req.get('idempotency-key') });
      return doc;
    });
    res.status(replayed ? 200 : 201).json(value);
  });

  r.get('/certificates/:number', (req, res) => {
    res.json(reg.get(req.params.number).doc);
  });

  r.post('/certificates/:number/revoke', (req, res) => {
    const s = reg.get(req.params.number);
    const reason = optStr(body(req), 'reason') ?? '';
    if (!s.revokedAt) {
      s.revokedAt = new Date().toISOString();
      sim.effect('certificate.revoked', { number: s.doc.number, reason });
    }
    res.json({ number: s.doc.number, revokedAt: s.revokedAt });
  });
}

/** Anyone may fetch the seal keys and ask whether a certificate is genuine (验证真伪). */
function publicRoutes(r: Router, reg: Registry): void {
  r.get('/seals', (_req, res) => {
    res.json({ seals: reg.seals });
  });
  r.get('/certificates/:number/verify', (req, res) => {
    res.json(reg.judge(reg.get(req.params.number)));
  });
}

function tamperRoute(r: Router, reg: Registry): void {
  r.post('/tamper/:number', (req, res) => {
    const s = reg.get(req.params.number);
    const b = body(req);
    const path = str(b, 'path').split('.');
    let target = s.doc as unknown as Json;
    for (const key of path.slice(0, -1)) target = object(target[key], key);
    target[path[path.length - 1]] = b.value;
    res.json(s.doc);
  });
}

/** Starts the e-certificate simulator with a seal key per issuer and the sample certificates issued. */
export async function startCertificateSimulator(opts: CertificateSimulatorOptions): Promise<RunningSimulator<CertificateControl>> {
  const reg = new Registry(opts.issuers ?? sampleIssuers);
  // Issued at every start; a saved state (see simulator.ts) then puts back the ones of the first start instead.
  for (const c of opts.certificates ?? sampleCertificates) reg.issue(c);
  const started = await startSimulator({ name: 'certificates', options: opts, state: reg, routes: (r, sim) => routes(r, reg, sim), publicRoutes: (r) => publicRoutes(r, reg), control: (r) => tamperRoute(r, reg) });
  return { url: started.url, close: started.close, control: new CertificateControl(started.url) };
}
