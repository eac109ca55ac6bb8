/**
 * Security (issue 15) over real HTTP against the whole stack: who may file for a legal person,
 * LIKE patterns, headers and methods, sign-in limits and passwords, uploaded file contents.
 */
import { expect } from 'chai';
import { IdentityClient } from '../adapters/identity';
import { readFormFolder } from '../lib/forms';
import nodeHttp from 'node:http';
import type { AddressInfo } from 'node:net';
import { asApplicant, asStaff, eventually, http, platformSecret, secretKey, sharedStack, type Stack } from '../test/harness';
import { createApp } from './app';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from './openapi';
import { RateLimiter } from './auth/rate-limit';
import { hashPassword } from './auth/secrets';
import { seedSampleCatalogue } from '../db/seed';
import { sampleJpeg, samplePdf, samplePng } from '../test/sample-files';

const company = { kind: 'legal_person', name: '杭州西湖区湖畔栖居酒店有限公司', idNumber: '91330106MA8B9JHW3F' };
const representative = { idNumber: '330106196811090052', name: '钱文涛', phone: '13967158205' };
const agent = { idNumber: '330106199307223120', name: '徐婷婷', phone: '15906718342' };
const stranger = { idNumber: '330102198802164527', name: '黄丽娟', phone: '13588036752' };
const itemImplementation = 'XK-330000-00001.xh-scjg';
const form = () => readFormFolder({ key: 'individual-business-registration', version: 1 }).example;

class Rollback extends Error {}

/** Any method, TRACE included (fetch refuses to send it). */
function rawRequest(url: string, method: string): Promise<{ status: number; allow: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = nodeHttp.request(url, { method }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('security over HTTP', () => {
  let stack: Stack;
  before(async () => {
    stack = await sharedStack();
  });
  after(async () => {
    await stack?.stop();
  });

  describe('filing for a legal person', () => {
    const fileFor = async (who: Record<string, string>) =>
      http(stack, 'POST', '/api/cases', { implementationCode: itemImplementation, channel: 'online', applicant: company, formData: form() }, who);

    it('when someone with no tie to the company files in its name, then it is refused with 403 before any case starts', async () => {
      const me = await asApplicant(stack, stranger);
      const before = Number((await stack.db('case_filings').count<{ n: string }[]>('* as n'))[0].n);
      const r = await fileFor(me);
      expect(r.status, JSON.stringify(r.body)).to.equal(403);
      expect(r.body.type).to.match(/not-acting-for-legal-person$/);
      expect(Number((await stack.db('case_filings').count<{ n: string }[]>('* as n'))[0].n)).to.equal(before);
    });

    it('when the legal representative files, then they see, list and may withdraw the case, and a clerk sees who filed for whom', async () => {
      const me = await asApplicant(stack, representative);
      const filed = await fileFor(me);
      expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
      const caseNo: string = filed.body.caseNo;
      const seen = await eventually(async () => {
        const r = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, me);
        return r.status === 200 && r.body;
      }, 'the case for its filer');
      expect(seen.applicant.legalRepresentative).to.deep.equal({ idNumber: representative.idNumber, name: representative.name });
      expect(seen.filedBy).to.deep.equal({ kind: 'applicant', idNumber: representative.idNumber });
      const list = await http(stack, 'GET', '/api/cases', undefined, me);
      expect(list.body.cases.map((c: { caseNo: string }) => c.caseNo)).to.include(caseNo);
      const other = await asApplicant(stack, stranger);
      expect((await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, other)).status).to.equal(404);
      const withdrawn = await http(stack, 'POST', `/api/cases/${caseNo}/withdrawal`, { reason: '不再需要' }, me);
      expect(withdrawn.status, JSON.stringify(withdrawn.body)).to.not.equal(404);
      expect(withdrawn.status, JSON.stringify(withdrawn.body)).to.be.below(300);
    });

    it('when an agent files, then only with the representative\'s authorisation for the item, and the agent is recorded as the filer', async () => {
      const me = await asApplicant(stack, agent);
      const refused = await fileFor(me);
      expect(refused.status, JSON.stringify(refused.body)).to.equal(403);
      const identity = new IdentityClient({ baseUrl: stack.sims.urls.identity, secret: platformSecret });
      const validUntil = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
      await identity.authoriseAgent({ creditCode: company.idNumber, legalRepresentative: { idNumber: representative.idNumber, name: representative.name }, agent: { idNumber: agent.idNumber, name: agent.name }, scope: ['XK-330000-00001'], validUntil }, `security-test-${Date.now()}`);
      const wrongRep = await http(stack, 'POST', '/api/cases', { implementationCode: itemImplementation, channel: 'online', applicant: { ...company, legalRepresentative: { idNumber: stranger.idNumber, name: stranger.name } }, formData: form() }, me);
      expect(wrongRep.status, 'an agent may not name someone else as the representative (who would then see the case)').to.equal(422);
      const filed = await fileFor(me);
      expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
      const clerk = await asStaff(stack, 'clerk-wang');
      const view = await eventually(async () => {
        const r = await http(stack, 'GET', `/api/cases/${filed.body.caseNo}`, undefined, clerk);
        return r.status === 200 && r.body;
      }, 'the case for the clerk');
      expect(view.filedBy).to.deep.equal({ kind: 'applicant', idNumber: agent.idNumber });
      expect(view.applicant.agent).to.deep.equal({ idNumber: agent.idNumber, name: agent.name });
      const mine = await http(stack, 'GET', `/api/cases/${filed.body.caseNo}`, undefined, me);
      expect(mine.status).to.equal(200);
    });
  });

  describe('LIKE patterns', () => {
    it('when a search or filter holds % or _, then they match only themselves', async () => {
      const all = await http(stack, 'GET', '/api/implementations');
      expect(all.status).to.equal(200);
      for (const q of ['%', '_', '%_%']) {
        const r = await http(stack, 'GET', `/api/implementations?q=${encodeURIComponent(q)}`);
        expect(r.status, q).to.equal(200);
        expect(JSON.stringify(r.body), `q=${q}`).to.not.contain('"code"');
      }
      const admin = await asStaff(stack, 'ops-jiang');
      const some = await http(stack, 'GET', '/api/audit?action=auth.', undefined, admin);
      expect(some.body.entries.length).to.be.above(0);
      for (const action of ['%', '_', 'auth_']) {
        const r = await http(stack, 'GET', `/api/audit?action=${encodeURIComponent(action)}`, undefined, admin);
        expect(r.status).to.equal(200);
        expect(r.body.entries, `action=${action}`).to.deep.equal([]);
      }
    });
  });

  describe('headers and methods', () => {
    it('when any page, asset, API answer or problem is served, then it carries a strict CSP, frame refusal, nosniff and a referrer policy', async () => {
      for (const path of ['/', '/api/health', '/api/nothing-here', '/api/implementations']) {
        const r = await http(stack, 'GET', path);
        expect(r.headers['content-security-policy'], path).to.match(/default-src 'self'/).and.match(/frame-ancestors 'none'/).and.match(/script-src 'self'(;|$)/);
        expect(r.headers['content-security-policy'], `${path}: no eval`).to.not.contain('unsafe-eval');
        expect(r.headers['content-security-policy'], path).to.not.contain('unsafe-inline');
        expect(r.headers['x-frame-options'], path).to.equal('DENY');
        expect(r.headers['x-content-type-options'], path).to.equal('nosniff');
        expect(r.headers['referrer-policy'], path).to.equal('no-referrer');
        expect(r.headers['strict-transport-security'], `${path}: no HSTS over plain HTTP`).to.equal(undefined);
      }
      const docs = await http(stack, 'GET', '/api/docs/');
      expect(docs.headers['content-security-policy']).to.match(/script-src 'self'(;|$)/);
    });

    it('when a known path is asked with a method it does not take (TRACE included), then 405 names the allowed ones', async () => {
      for (const [method, path, allow] of [['TRACE', '/api/health', 'GET, HEAD'], ['DELETE', '/api/health', 'GET, HEAD'], ['PUT', '/api/cases', 'GET, HEAD, POST'], ['TRACE', '/', 'GET, HEAD'], ['POST', '/', 'GET, HEAD']]) {
        const r = await rawRequest(`${stack.baseUrl}${path}`, method);
        expect(r.status, `${method} ${path}`).to.equal(405);
        expect(r.allow, `${method} ${path}`).to.equal(allow);
      }
      expect((await http(stack, 'GET', '/api/no-such-thing')).status).to.equal(404);
    });

    it('when HSTS is on and a trusted proxy says the request came over TLS, then Strict-Transport-Security is sent', async () => {
      const app = createApp({ db: stack.db, client: stack.client, taskQueue: stack.taskQueue, platformSecret, secretKey, trustProxy: 'loopback', hsts: true });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      try {
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const tls = await fetch(`${base}/api/health`, { headers: { 'x-forwarded-proto': 'https' } });
        expect(tls.headers.get('strict-transport-security')).to.match(/max-age=31536000/);
        const plain = await fetch(`${base}/api/health`);
        expect(plain.headers.get('strict-transport-security')).to.equal(null);
      } finally {
        server.close();
      }
    });
  });

  describe('uploads', () => {
    it('when a polyglot is uploaded as a PDF, PNG or JPEG, then it is refused with 422 and nothing is stored; a genuine file is kept', async () => {
      const clerk = await asStaff(stack, 'clerk-wang');
      const filed = await http(stack, 'POST', '/api/cases', { implementationCode: itemImplementation, channel: 'window', applicant: { kind: 'person', ...stranger }, formData: form() }, clerk);
      const caseNo: string = filed.body.caseNo;
      await eventually(async () => (await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, clerk)).status === 200, 'the case row');
      const html = Buffer.from('<html><script>alert(1)</script></html>', 'latin1');
      const upload = (fileName: string, contentType: string, data: Buffer) =>
        http(stack, 'POST', `/api/cases/${caseNo}/materials`, { materialName: '经营场所证明', fileName, contentType, dataBase64: data.toString('base64') }, clerk);
      const polyglots: [string, string, Buffer][] = [
        ['a.pdf', 'application/pdf', Buffer.concat([Buffer.from('%PDF-1.4\n', 'latin1'), html])],
        ['a.png', 'image/png', Buffer.concat([samplePng(), Buffer.from('PK\x03\x04zipzipzip', 'latin1')])],
        ['a.jpg', 'image/jpeg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), html])],
      ];
      for (const [name, type, data] of polyglots) {
        const r = await upload(name, type, data);
        expect(r.status, name).to.equal(422);
        expect(r.body.errors[0].pointer, name).to.equal('/dataBase64');
      }
      expect(await stack.db('case_materials').where({ case_no: caseNo }).count<{ n: string }[]>('* as n').then((r) => Number(r[0].n))).to.equal(0);
      for (const [name, type, data] of [['a.pdf', 'application/pdf', samplePdf()], ['a.png', 'image/png', samplePng()], ['a.jpg', 'image/jpeg', sampleJpeg()]] as const) {
        expect((await upload(name, type, data)).status, name).to.equal(201);
      }
    });
  });

  describe('sign-in and passwords', () => {
    /** A staff member of our own, with a password that must be changed, as the seed leaves demo staff. */
    async function newStaff(id: string, password: string, mustChange = true): Promise<void> {
      await stack.db('staff_users').insert({ id, name: `测试${id}`, department_code: 'xh-scjg', roles: ['approver'], password_hash: await hashPassword(password), must_change_password: mustChange });
    }
    const login = (username: string, password: string) => http(stack, 'POST', '/api/auth/login', { username, password });

    it('when a stranger guesses one account\'s password many times, then they are slowed down with growing delays, but the owner still signs in and others from that address are not blocked', async () => {
      await newStaff('lock-victim', 'victim-pass-Plain-2026', false);
      await newStaff('lock-neighbour', 'neighbour-pass-Plain-2026', false);
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await login('lock-victim', `wrong-${i}`)).status);
      expect(statuses.slice(0, 5)).to.deep.equal([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).to.include(429);
      const owner = await login('lock-victim', 'victim-pass-Plain-2026');
      // The same address keeps the delay for that account: the owner from this address waits too…
      expect(owner.status).to.equal(429);
      expect(Number(owner.headers['retry-after'])).to.be.greaterThan(0);
      // …but another account from the same address signs in,
      expect((await login('lock-neighbour', 'neighbour-pass-Plain-2026')).status).to.equal(200);
      // and the owner from another address is not locked out.
      const elsewhere = createApp({ db: stack.db, client: stack.client, taskQueue: stack.taskQueue, platformSecret, secretKey, trustProxy: true, limiter: new RateLimiter() });
      const server = elsewhere.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      try {
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const as = (ip: string, password: string) => fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ username: 'lock-victim', password }) });
        for (let i = 0; i < 12; i++) await as('203.0.113.9', `wrong-${i}`);
        expect((await as('203.0.113.9', 'victim-pass-Plain-2026')).status, 'the attacker\'s address waits').to.equal(429);
        expect((await as('198.51.100.7', 'victim-pass-Plain-2026')).status, 'the owner\'s address does not').to.equal(200);
      } finally {
        server.close();
      }
    });

    it('when failures are spread over two API processes, then both count them: the pair and the address wait on either, and the delay is kept in the database', async () => {
      await newStaff('shared-limit', 'shared-limit-Plain-2026', false);
      const apps = [0, 1].map(() => createApp({ db: stack.db, client: stack.client, taskQueue: stack.taskQueue, platformSecret, secretKey, trustProxy: true, limiter: new RateLimiter() }).listen(0, '127.0.0.1'));
      await Promise.all(apps.map((a) => new Promise((r) => a.once('listening', r))));
      try {
        const bases = apps.map((a) => `http://127.0.0.1:${(a.address() as AddressInfo).port}`);
        const signIn = (app: number, ip: string, username: string, password: string) => fetch(`${bases[app]}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ username, password }) });
        // Six wrong passwords, alternately on each process: 5 free, the sixth starts a delay.
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++) statuses.push((await signIn(i % 2, '192.0.2.41', 'shared-limit', `wrong-${i}`)).status);
        expect(statuses, 'each process alone saw only 3 failures, yet together they are 6').to.deep.equal([401, 401, 401, 401, 401, 401]);
        for (const app of [0, 1]) {
          const r = await signIn(app, '192.0.2.41', 'shared-limit', 'shared-limit-Plain-2026');
          expect(r.status, `process ${app} makes the pair wait`).to.equal(429);
          expect(Number(r.headers.get('retry-after'))).to.be.greaterThan(0);
        }
        const row = await stack.db('sign_in_failures').where({ scope: 'pair', key: 'staff:shared-limit|192.0.2.41' }).first<{ failures: number; wait_until: Date }>();
        expect(row?.failures, 'kept in the database, so a restarted process still knows').to.equal(6);
        expect(row?.wait_until.getTime()).to.be.greaterThan(Date.now());
        expect((await signIn(1, '192.0.2.99', 'shared-limit', 'shared-limit-Plain-2026')).status, 'the owner elsewhere is not locked out').to.equal(200);

        // 31 failures over as many accounts from one address, spread over both: the address waits on both.
        for (let i = 0; i < 31; i++) expect((await signIn(i % 2, '192.0.2.42', `nobody-${i}`, 'wrong')).status).to.equal(401);
        for (const app of [0, 1]) expect((await signIn(app, '192.0.2.42', 'shared-limit', 'shared-limit-Plain-2026')).status, `process ${app} makes the address wait`).to.equal(429);
        expect((await stack.db('sign_in_failures').where({ scope: 'address', key: '192.0.2.42' }).first<{ failures: number }>())?.failures).to.equal(31);
      } finally {
        for (const a of apps) a.close();
      }
    });

    it('when a seeded account signs in, then it must change its password first: other routes answer 403 until a password that meets the policy is set', async () => {
      await newStaff('first-login', 'seeded-demo-password-1');
      const first = await login('first-login', 'seeded-demo-password-1');
      expect(first.status).to.equal(200);
      expect(first.body.mustChangePassword).to.equal(true);
      const auth = { authorization: `Bearer ${first.body.token}` };
      const blocked = await http(stack, 'GET', '/api/cases', undefined, auth);
      expect(blocked.status).to.equal(403);
      expect(blocked.body.type).to.match(/password-change-required$/);
      expect((await http(stack, 'GET', '/api/auth/me', undefined, auth)).status).to.equal(200);
      const change = (currentPassword: string, newPassword: string) => http(stack, 'POST', '/api/auth/password', { currentPassword, newPassword }, auth);
      for (const [bad, why] of [['short-1', /at least 12/], ['first-login-and-more', /user id or name/], ['Password2024!!', /too common/], ['qwertyuiop1234', /too common/], ['aaaaaaaaaaaaaaaa', /different characters|too common/]] as const) {
        const r = await change('seeded-demo-password-1', bad);
        expect(r.status, bad).to.equal(422);
        expect(r.body.errors[0].detail, bad).to.match(why);
      }
      expect((await change('not-the-password', 'a-much-better-passphrase-7')).status).to.equal(401);
      expect((await change('seeded-demo-password-1', 'a-much-better-passphrase-7')).status).to.equal(204);
      expect((await http(stack, 'GET', '/api/cases', undefined, auth)).status).to.equal(200);
      const again = await login('first-login', 'a-much-better-passphrase-7');
      expect(again.status).to.equal(200);
      expect(again.body.mustChangePassword).to.equal(false);
      expect((await login('first-login', 'seeded-demo-password-1')).status).to.equal(401);
    });

    it('when the sample catalogue is seeded with a demo password, then every seeded account must change it', async () => {
      const flags = await stack.db('staff_users').where({ id: 'clerk-wang' }).first<{ must_change_password: boolean }>('must_change_password');
      // The test fixtures clear the flag so the suite can sign in; the seed itself sets it.
      expect(flags.must_change_password).to.equal(false);
      await stack.db.transaction(async (trx) => {
        await trx('staff_users').where({ id: 'clerk-wang' }).update({ password_hash: null });
        await seedSampleCatalogue(trx, { staffPassword: 'seeded-demo-password-2' });
        const row = await trx('staff_users').where({ id: 'clerk-wang' }).first<{ must_change_password: boolean }>('must_change_password');
        expect(row.must_change_password).to.equal(true);
        throw new Rollback();
      }).catch((err: unknown) => {
        if (!(err instanceof Rollback)) throw err;
      });
    });
  });

  describe('the contract\'s response schemas', () => {
    it('when the core operations answer, then each answer matches its schema in the OpenAPI document', async () => {
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      addFormats(ajv);
      ajv.addSchema(openApiDocument(), 'openapi');
      const check = (name: string, body: unknown) => {
        const validate = ajv.getSchema(`openapi#/components/schemas/${name}`);
        if (!validate) throw new Error(`no schema ${name}`);
        expect(validate(body), `${name}: ${JSON.stringify(validate.errors)} in ${JSON.stringify(body).slice(0, 400)}`).to.equal(true);
      };
      check('Health', (await http(stack, 'GET', '/api/health')).body);
      await stack.db('staff_users').insert({ id: 'schema-check', name: '契约', department_code: 'zj-zwfw', roles: ['platform-admin'], password_hash: await hashPassword('schema-check-pass-9'), must_change_password: false });
      const login = await http(stack, 'POST', '/api/auth/login', { username: 'schema-check', password: 'schema-check-pass-9' });
      check('StaffSession', login.body);
      const sms = await http(stack, 'POST', '/api/auth/applicant/sms', stranger);
      check('SmsChallenge', sms.body);
      const me = await asApplicant(stack, stranger);
      const filed = await http(stack, 'POST', '/api/cases', { implementationCode: itemImplementation, channel: 'online', applicant: { kind: 'person', ...stranger }, formData: form() }, me);
      check('FiledCase', filed.body);
      const view = await eventually(async () => {
        const r = await http(stack, 'GET', `/api/cases/${filed.body.caseNo}`, undefined, me);
        return r.status === 200 && r.body;
      }, 'the case');
      check('CaseView', view);
      check('CaseList', (await http(stack, 'GET', '/api/cases', undefined, me)).body);
      const material = await http(stack, 'POST', `/api/cases/${filed.body.caseNo}/materials`, { materialName: '照片', fileName: 'a.png', contentType: 'image/png', dataBase64: samplePng().toString('base64') }, me);
      check('Material', material.body);
      check('AuditChainCheck', (await http(stack, 'GET', '/api/audit/verify', undefined, { authorization: `Bearer ${login.body.token}` })).body);
      // And a schema does refuse what it should not accept.
      const loose = ajv.getSchema('openapi#/components/schemas/FiledCase');
      expect(loose?.({ caseNo: 'x', created: 'yes' })).to.equal(false);
    });
  });
});
