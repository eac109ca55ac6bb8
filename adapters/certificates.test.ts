import { expect } from 'chai';
import type { RunningSimulator } from '../simulators/kit';
import { startCertificateSimulator, type CertificateControl } from '../simulators/certificates';
import { AdapterRefusal } from './errors';
import { CertificateClient, type CertificateDocument, type IssueCertificate } from './certificates';

const secret = 'certificates-secret';
const fast = { timeoutMs: 600, retry: { attempts: 4, initialDelayMs: 10, maxDelayMs: 40 } };
const liu = '330106198503122410';
const request: IssueCertificate = {
  type: '食品经营许可证', holder: { name: '杭州西湖区悦味轩餐饮有限公司', idNumber: '91330106MA2H3K7Q5U' }, issuer: 'xh-scjg',
  fields: { 经营者名称: '杭州西湖区悦味轩餐饮有限公司', 经营项目: '热食类食品制售', 许可证编号: 'JY23301060012345' }, validFrom: '2025-03-03', validUntil: '2030-03-02',
};

/** Every leaf path of a document, e.g. `holder.name`, `seal.signature`. */
function leafPaths(v: unknown, prefix: string[] = []): string[][] {
  return Object.entries(v as Record<string, unknown>).flatMap(([k, c]) => (typeof c === 'object' && c !== null ? leafPaths(c, [...prefix, k]) : [[...prefix, k]]));
}

/** A copy with one character of the leaf at `path` changed (numbers +1, booleans flipped, null → a date). */
function changeOne(doc: CertificateDocument, path: string[]): CertificateDocument {
  const copy = structuredClone(doc) as unknown as Record<string, unknown>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
  const last = path[path.length - 1];
  const v = parent[last];
  parent[last] = typeof v === 'string' ? v.slice(0, -1) + String.fromCodePoint(v.codePointAt(v.length - 1)! ^ 1) : typeof v === 'number' ? v + 1 : typeof v === 'boolean' ? !v : '2099-12-31';
  return copy as unknown as CertificateDocument;
}

describe('e-certificate adapter against the e-certificate simulator', () => {
  let sim: RunningSimulator<CertificateControl>;
  let certificates: CertificateClient;

  before(async () => {
    sim = await startCertificateSimulator({ secret, hangMs: 2_000 });
    certificates = new CertificateClient({ baseUrl: sim.url, secret, ...fast });
  });
  after(() => sim.close());
  beforeEach(() => sim.control.reset());

  it('when the certificates a resident holds are looked up, then they come sealed and verify as genuine', async () => {
    const held = await certificates.listByHolder(liu);
    expect(held.map((c) => c.type).sort()).to.deep.equal(['居民户口簿', '居民身份证', '结婚证']);
    for (const c of held) expect((await certificates.verify(c)).verdict, c.type).to.equal('genuine');
    expect(await certificates.listByHolder(liu, '结婚证')).to.have.length(1);
  });

  it('when a certificate is past its end date, then it verifies as expired', async () => {
    const [card] = await certificates.listByHolder('330106199307223120', '居民身份证');
    expect(await certificates.verify(card)).to.deep.include({ verdict: 'expired', detail: '证照已于 2023-07-22 到期' });
  });

  it('when a case issues a certificate twice with the same key, then it is issued once and the same certificate comes back', async () => {
    const first = await certificates.issue(request, '330106202503030000000001:issue-licence');
    const again = await certificates.issue(request, '330106202503030000000001:issue-licence');
    expect(again).to.deep.equal(first);
    expect(first).to.include({ type: '食品经营许可证', validUntil: '2030-03-02' }).and.nested.include({ 'issuer.name': '杭州市西湖区市场监督管理局', 'seal.algorithm': 'SM2-SM3' });
    expect(await sim.control.effects('certificate.issued')).to.have.length(1);
    expect((await certificates.verify(first)).verdict).to.equal('genuine');
  });

  it('when the platform answers 503 twice before issuing, then the retries issue exactly one certificate', async () => {
    await sim.control.setFaults({ failNext: 2 });
    await certificates.issue(request, 'case-503:issue');
    expect(await sim.control.requests()).to.have.length(3);
    expect(await sim.control.effects('certificate.issued')).to.have.length(1);
  });

  it('when the answer to an issue is lost past the timeout, then the retry returns the certificate already issued', async () => {
    await sim.control.setFaults({ timeoutNext: 1 });
    const doc = await certificates.issue(request, 'case-timeout:issue');
    const issued = await sim.control.effects('certificate.issued');
    expect(issued).to.have.length(1);
    expect(issued[0].detail.number).to.equal(doc.number);
  });

  it('when a key is reused for a different certificate, then the platform refuses', async () => {
    await certificates.issue(request, 'case-reuse:issue');
    const err = await certificates.issue({ ...request, validUntil: '2031-03-02' }, 'case-reuse:issue').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AdapterRefusal).and.include({ code: 'idempotency-key-reused', status: 409 });
  });

  it('when one character of any field of a certificate is changed, then verification says tampered', async () => {
    const doc = await certificates.issue(request, 'case-tamper:issue');
    const paths = leafPaths(doc);
    expect(paths.length).to.be.greaterThan(12);
    for (const path of paths) {
      const result = await certificates.verify(changeOne(doc, path));
      expect(result.verdict, path.join('.')).to.equal('tampered');
    }
    expect((await certificates.verify(doc)).verdict).to.equal('genuine');
  });

  it('when the stored copy is altered on the platform, then its verification endpoint says tampered', async () => {
    const doc = await certificates.issue(request, 'case-store:issue');
    await sim.control.tamper(doc.number, 'fields.经营项目', '热食类食品制售、冷食类食品制售');
    expect(await certificates.get(doc.number)).to.nested.include({ 'fields.经营项目': '热食类食品制售、冷食类食品制售' });
    // The endpoint is public: anyone holding a certificate number may ask, unsigned.
    const res = await fetch(`${sim.url}/certificates/${doc.number}/verify`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ number: doc.number, verdict: 'tampered', detail: '电子签章校验失败，证照内容可能被篡改' });
  });

  it('when a certificate is revoked, then it verifies as revoked and is no longer listed for its holder', async () => {
    const doc = await certificates.issue({ ...request, holder: { name: '张三', idNumber: '330106199003073514' } }, 'case-revoke:issue');
    await certificates.revoke(doc.number, '申请人申请注销');
    await certificates.revoke(doc.number, '申请人申请注销');
    expect(await sim.control.effects('certificate.revoked')).to.have.length(1);
    expect((await certificates.verify(doc)).verdict).to.equal('revoked');
    expect((await certificates.listByHolder('330106199003073514')).map((c) => c.number)).not.to.include(doc.number);
  });

  it('when the issuer has no seal on the platform, then issuing is refused', async () => {
    const err = await certificates.issue({ ...request, issuer: 'xx-unknown' }, 'case-issuer:issue').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AdapterRefusal).and.include({ code: 'unknown-issuer', status: 422 });
  });

  it('when the holder ID is malformed, then the client refuses without a request', async () => {
    const err = await certificates.issue({ ...request, holder: { name: '张三', idNumber: '330106199003073513' } }, 'case-bad:issue').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AdapterRefusal).and.include({ code: 'invalid-holder-id' });
    expect(await sim.control.requests()).to.have.length(0);
  });

  it('when the seal keys are published, then there is one SM2 key per issuing department with a PEM form', async () => {
    const seals = await certificates.seals();
    expect(new Set(seals.map((s) => s.department)).size).to.equal(seals.length);
    expect(seals.map((s) => s.department)).to.include.members(['xh-scjg', 'xh-gaj', 'xh-mzj']);
    for (const s of seals) {
      expect(s.publicKey).to.match(/^04[0-9a-f]{128}$/);
      expect(s.publicKeyPem).to.match(/^-----BEGIN PUBLIC KEY-----\n/);
    }
  });
});
