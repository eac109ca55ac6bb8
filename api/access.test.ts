/**
 * Sign-in, integrator keys, webhooks, privacy and the audit chain, over real HTTP against the
 * whole stack (API, worker, Temporal, PostgreSQL, simulators).
 */
import { expect } from 'chai';
import crypto from 'node:crypto';
import http_ from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { RateLimiter } from './auth/rate-limit';
import { asApplicant, asIntegrator, asStaff, eventually, http, newApiKey, secretKey, platformSecret, smsCodeOf, sharedStack, type Stack } from '../test/harness';
import { readFormFolder } from '../lib/forms';
import { webhookSignature } from '../lib/webhooks';
import { samplePng } from '../test/sample-files';

const zhang = { idNumber: '330106199003073514', name: '张三', phone: '13800138000' };
const form = () => readFormFolder({ key: 'individual-business-registration', version: 1 }).example;

describe('access over HTTP: sign-in, API keys, webhooks, privacy, audit chain, zones', () => {
  let stack: Stack;
  before(async () => {
    stack = await sharedStack();
  });
  after(async () => {
    await stack?.stop();
  });

  it('when staff sign in, then a right password gives a session and a wrong one is refused and audited', async () => {
    const wrong = await http(stack, 'POST', '/api/auth/login', { username: 'approver-li', password: 'guess' });
    expect(wrong.status).to.equal(401);
    expect(wrong.contentType).to.contain('application/problem+json');
    const unknown = await http(stack, 'POST', '/api/auth/login', { username: 'nobody', password: 'guess' });
    expect(unknown.status).to.equal(401);
    expect(unknown.body.detail).to.equal(wrong.body.detail); // no hint whether the user exists
    const me = await http(stack, 'GET', '/api/auth/me', undefined, await asStaff(stack, 'approver-li'));
    expect(me.body).to.include({ kind: 'staff', id: 'approver-li', department: 'xh-scjg' });
    const refusals = await stack.db('audit_log').where({ action: 'auth.refused' }).pluck('actor');
    expect(refusals).to.include.members(['staff:approver-li', 'staff:nobody']);
    const stored = await stack.db('staff_users').where({ id: 'approver-li' }).first<{ password_hash: string }>('password_hash');
    expect(stored.password_hash).to.match(/^scrypt\$32768\$8\$1\$/);
  });

  it('when an applicant signs in by SMS, then a wrong code is refused, the right one gives basic assurance, and sign-out ends it', async () => {
    const sent = await http(stack, 'POST', '/api/auth/applicant/sms', zhang);
    expect(sent.status).to.equal(201);
    expect(sent.body.maskedPhone).to.equal('138****8000');
    const wrong = await http(stack, 'POST', '/api/auth/applicant/login', { requestId: sent.body.requestId, code: '000000' === (await smsCodeOf(stack, sent.body.requestId)) ? '111111' : '000000' });
    expect(wrong.status).to.equal(401);
    const ok = await http(stack, 'POST', '/api/auth/applicant/login', { requestId: sent.body.requestId, code: await smsCodeOf(stack, sent.body.requestId) });
    expect(ok.status).to.equal(200);
    expect(ok.body.applicant).to.deep.equal({ idNumber: zhang.idNumber, name: zhang.name, assuranceLevel: 'basic' });
    const again = await http(stack, 'POST', '/api/auth/applicant/login', { requestId: sent.body.requestId, code: await smsCodeOf(stack, sent.body.requestId) });
    expect(again.status, 'a code is used once').to.equal(401);
    const auth = { authorization: `Bearer ${ok.body.token}` };
    expect((await http(stack, 'GET', '/api/auth/me', undefined, auth)).body).to.include({ kind: 'applicant', assuranceLevel: 'basic' });
    expect((await http(stack, 'POST', '/api/auth/logout', undefined, auth)).status).to.equal(204);
    expect((await http(stack, 'GET', '/api/auth/me', undefined, auth)).status).to.equal(401);
    const wrongName = await http(stack, 'POST', '/api/auth/applicant/sms', { ...zhang, name: '张四' });
    expect(wrongName.status).to.equal(401);
    const wrongPhone = await http(stack, 'POST', '/api/auth/applicant/sms', { ...zhang, phone: '13900000000' });
    expect(wrongPhone.status).to.equal(401);
  });

  it('when an applicant files online, then the case is theirs: they list and see it, and nobody else\'s', async () => {
    const me = await asApplicant(stack, zhang);
    const filed = await http(stack, 'POST', '/api/cases', { implementationCode: 'XK-330000-00001.xh-scjg', channel: 'online', applicant: { kind: 'person', ...zhang }, formData: form() }, me);
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    // 食品经营许可 asks for 中级 (intermediate): an SMS sign-in (basic) is not enough online.
    const tooLow = await http(stack, 'POST', '/api/cases', { implementationCode: 'XK-330000-00003.xh-scjg', channel: 'online', applicant: { kind: 'person', ...zhang }, formData: {} }, me);
    expect(tooLow.status, JSON.stringify(tooLow.body)).to.equal(403);
    expect(tooLow.body.type).to.match(/assurance-too-low$/);
    const forSomeoneElse = await http(stack, 'POST', '/api/cases', { implementationCode: 'XK-330000-00001.xh-scjg', channel: 'online', applicant: { kind: 'person', name: '刘建军', idNumber: '330106198503122410' }, formData: form() }, me);
    expect(forSomeoneElse.status).to.equal(403);
    const mine = await eventually(async () => {
      const r = await http(stack, 'GET', '/api/cases', undefined, me);
      return r.body.cases.find((c: { caseNo: string }) => c.caseNo === filed.body.caseNo) && r.body;
    }, 'the case in my list');
    expect(mine.cases.every((c: { applicant: { idNumber: string } }) => c.applicant.idNumber === '3301**********3514')).to.equal(true);
    const other = await asApplicant(stack, { idNumber: '330106198503122410', name: '刘建军', phone: '13588036751' });
    expect((await http(stack, 'GET', `/api/cases/${filed.body.caseNo}`, undefined, other)).status).to.equal(404);
    expect((await http(stack, 'GET', '/api/cases', undefined, other)).body.cases.map((c: { caseNo: string }) => c.caseNo)).not.to.include(filed.body.caseNo);
  });

  it('when lists and views are read, then personal data is masked except for those handling the case, and each full view is audited', async () => {
    const clerk = await asStaff(stack, 'clerk-wang');
    const filed = await http(stack, 'POST', '/api/cases', { implementationCode: 'XK-330000-00001.xh-scjg', channel: 'window', applicant: { kind: 'person', ...zhang }, formData: form() }, clerk);
    const caseNo: string = filed.body.caseNo;
    await eventually(async () => (await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, clerk)).status === 200, 'the case row');
    const list = await http(stack, 'GET', '/api/cases?limit=5', undefined, clerk);
    const listed = list.body.cases.find((c: { caseNo: string }) => c.caseNo === caseNo);
    expect(listed.applicant).to.include({ idNumber: '3301**********3514', phone: '138****8000' });
    const full = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, clerk);
    expect(full.body.applicant.idNumber).to.equal(zhang.idNumber);
    const sup = await asStaff(stack, 'supervisor-zhao');
    const masked = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, sup);
    expect(masked.body.applicant.idNumber).to.equal('3301**********3514');
    expect(JSON.stringify(masked.body)).not.to.contain(zhang.idNumber);
    const revealed = await http(stack, 'GET', `/api/cases/${caseNo}?reveal=true`, undefined, sup);
    expect(revealed.body.applicant.idNumber).to.equal(zhang.idNumber);
    const views = await stack.db('audit_log').where({ case_no: caseNo, action: 'privacy.full-view' }).pluck('actor');
    expect(views).to.include.members(['staff:clerk-wang', 'staff:supervisor-zhao']);
    const filedAudit = await stack.db('audit_log').where({ case_no: caseNo, action: 'case.filed' }).first<{ detail: unknown }>('detail');
    expect(JSON.stringify(filedAudit.detail)).not.to.contain(zhang.idNumber);
  });

  it('when an integrator uses its key, then signed requests work, webhooks are signed, retried and logged, and a revoked key stops', async () => {
    const key = await newApiKey(stack, ['cases:file', 'cases:read', 'webhooks']);
    // A receiver that fails the first delivery and takes the second.
    const received: { headers: http_.IncomingHttpHeaders; body: string }[] = [];
    let calls = 0;
    const receiver = http_.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      req.on('end', () => {
        if (req.url === '/all') return void res.writeHead(204).end(); // the subscription to everything
        calls++;
        if (calls === 1) return void res.writeHead(500).end('not yet');
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    }).listen(0, '127.0.0.1');
    await new Promise((r) => receiver.once('listening', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const sub = await http(stack, 'POST', '/api/integrations/webhooks', { url, events: ['case.filed'] }, asIntegrator(key, 'POST', '/api/integrations/webhooks', { url, events: ['case.filed'] }));
      expect(sub.status, JSON.stringify(sub.body)).to.equal(201);
      const everything = { url: url.replace(/\/hook$/, '/all'), events: ['*'] };
      const all = await http(stack, 'POST', '/api/integrations/webhooks', everything, asIntegrator(key, 'POST', '/api/integrations/webhooks', everything));
      expect(all.status, JSON.stringify(all.body)).to.equal(201);
      const application = { implementationCode: 'XK-330000-00001.xh-scjg', channel: 'online', applicant: { kind: 'person', ...zhang }, formData: form() };
      const filed = await http(stack, 'POST', '/api/cases', application, asIntegrator(key, 'POST', '/api/cases', application));
      expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
      const caseNo: string = filed.body.caseNo;

      const delivered = await eventually(() => Promise.resolve(received.find((r) => (JSON.parse(r.body) as { caseNo: string }).caseNo === caseNo)), 'the webhook delivery', 20_000);
      const event = JSON.parse(delivered.body) as { type: string; caseNo: string; data: { applicant?: { idNumber: string } } };
      expect(event.type).to.equal('case.filed');
      const ts = String(delivered.headers['x-ow-timestamp']);
      expect(delivered.headers['x-ow-signature']).to.equal(webhookSignature(sub.body.secret as string, ts, delivered.body));
      expect(delivered.body).not.to.contain(zhang.idNumber);
      // The receiver has the body before the dispatcher has its answer and logs it: the log is read until it has.
      const entry = await eventually(async () => {
        const log = await http(stack, 'GET', `/api/integrations/webhooks/${sub.body.id}/deliveries`, undefined, asIntegrator(key, 'GET', `/api/integrations/webhooks/${sub.body.id}/deliveries`));
        const e = (log.body.deliveries as { caseNo: string; state: string; attemptLog: { status: number }[] }[]).find((d) => d.caseNo === caseNo);
        return e?.state === 'pending' ? undefined : e;
      }, 'the delivery logged as answered');
      expect(entry).to.include({ state: 'delivered', attempts: 2, lastStatus: 204 });
      expect(entry.attemptLog.map((a: { status: number }) => a.status)).to.deep.equal([500, 204]);
      // The subscription to everything has every event of the case queued once, in the case's order
      // (a workflow task's events go in one statement), once the case waits for the window.
      await eventually(async () => (await stack.db('tasks').where({ case_no: caseNo, kind: 'precheck' }).first()) !== undefined, 'the pre-check task');
      const events = (await stack.db('case_events').where({ case_no: caseNo }).orderBy('seq').pluck('type')) as string[];
      const queued = (await stack.db('webhook_deliveries').where({ subscription_id: all.body.id, case_no: caseNo }).orderBy('id').pluck('event_type')) as string[];
      expect(events.length).to.be.greaterThan(2);
      expect(queued).to.deep.equal(events.map((t) => `case.${t}`));

      // Reading its own case; another integrator cannot.
      const own = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, asIntegrator(key, 'GET', `/api/cases/${caseNo}`));
      expect(own.status).to.equal(200);
      const otherKey = await newApiKey(stack, ['cases:read']);
      expect((await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, asIntegrator(otherKey, 'GET', `/api/cases/${caseNo}`))).status).to.equal(404);

      const revoked = await http(stack, 'POST', `/api/admin/api-keys/${key.id}/revoke`, undefined, await asStaff(stack, 'ops-jiang'));
      expect(revoked.status).to.equal(204);
      expect((await http(stack, 'GET', '/api/cases', undefined, asIntegrator(key, 'GET', '/api/cases'))).status).to.equal(401);
      const listed = await http(stack, 'GET', '/api/admin/api-keys', undefined, await asStaff(stack, 'ops-jiang'));
      expect(JSON.stringify(listed.body)).not.to.contain(key.token);
    } finally {
      receiver.close();
    }
  });

  it('when an integrator exceeds its rate, then it gets 429 with Retry-After', async () => {
    const key = await newApiKey(stack, ['cases:read'], 3);
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await http(stack, 'GET', '/api/cases', undefined, asIntegrator(key, 'GET', '/api/cases'));
      statuses.push(r.status);
      retryAfter ??= r.headers['retry-after'];
    }
    expect(statuses).to.deep.equal([200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).to.be.greaterThan(0);
  });

  it('when an audit row is changed behind the API\'s back, then the chain check finds it, and holds again once it is put back', async () => {
    const sup = await asStaff(stack, 'supervisor-zhao');
    const ok = await http(stack, 'GET', '/api/audit/verify', undefined, sup);
    expect(ok.body.ok, JSON.stringify(ok.body)).to.equal(true);
    expect(ok.body.rows).to.be.greaterThan(0);
    const victim = await stack.db('audit_log').orderBy('chain_seq').offset(Math.floor(ok.body.rows / 2)).first<{ id: string; chain_seq: string; detail: unknown }>('id', 'chain_seq', 'detail');
    await stack.db.raw('alter table audit_log disable trigger audit_log_append_only');
    try {
      await stack.db('audit_log').where({ id: victim.id }).update({ detail: JSON.stringify({ forged: true }) });
      const broken = await http(stack, 'GET', '/api/audit/verify', undefined, sup);
      expect(broken.body.ok).to.equal(false);
      expect(broken.body.brokenAt).to.deep.equal({ seq: Number(victim.chain_seq), reason: 'content-changed' });
    } finally {
      await stack.db('audit_log').where({ id: victim.id }).update({ detail: JSON.stringify(victim.detail) });
      await stack.db.raw('alter table audit_log enable trigger audit_log_append_only');
    }
    expect((await http(stack, 'GET', '/api/audit/verify', undefined, sup)).body.ok).to.equal(true);
    // And the API itself can never change it.
    const err = await stack.db('audit_log').where({ id: victim.id }).update({ actor: 'x' }).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.contain('append-only');
  });

  it('when the Internet zone is served on its own port, then staff routes are not there and staff tokens are refused', async () => {
    const pub = createApp({ db: stack.db, client: stack.client, taskQueue: stack.taskQueue, platformSecret, secretKey, zone: 'public', limiter: new RateLimiter() }).listen(0, '127.0.0.1');
    await new Promise((r) => pub.once('listening', r));
    try {
      const base = `http://127.0.0.1:${(pub.address() as AddressInfo).port}`;
      expect((await fetch(`${base}/api/implementations`)).status).to.equal(200);
      expect((await fetch(`${base}/api/tasks`)).status).to.equal(404);
      expect((await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).to.equal(404);
      expect((await fetch(`${base}/api/supervision/cases`)).status).to.equal(404);
      const staff = await asStaff(stack, 'clerk-wang');
      expect((await fetch(`${base}/api/cases`, { headers: staff })).status).to.equal(403);
    } finally {
      pub.close();
    }
  });

  it('when materials are uploaded, then a PNG is kept with its digest, and path tricks, wrong types and strangers are refused', async () => {
    const clerk = await asStaff(stack, 'clerk-wang');
    const filed = await http(stack, 'POST', '/api/cases', { implementationCode: 'XK-330000-00001.xh-scjg', channel: 'window', applicant: { kind: 'person', ...zhang }, formData: form() }, clerk);
    const caseNo: string = filed.body.caseNo;
    await eventually(async () => (await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, clerk)).status === 200, 'the case row');
    const png = samplePng();
    const upload = (o: Record<string, unknown>, who = clerk) => http(stack, 'POST', `/api/cases/${caseNo}/materials`, { materialName: '经营场所证明', fileName: '场所照片.png', contentType: 'image/png', dataBase64: png.toString('base64'), ...o }, who);
    for (const fileName of ['../../etc/passwd.png', '..\\boot.png', 'a/b.png', '.hidden.png', 'x\u0001.png', 'con|.png']) {
      const bad = await upload({ fileName });
      expect(bad.status, fileName).to.equal(422);
      expect(bad.body.errors[0].pointer).to.equal('/fileName');
    }
    // NUL never reaches the route: the door refuses it for every request (400 bad-text).
    const nul = await upload({ fileName: 'x\u0000.png' });
    expect(nul.status).to.equal(400);
    expect(nul.body.errors[0].pointer).to.equal('/fileName');
    expect((await upload({ contentType: 'application/pdf', fileName: 'a.pdf' })).body.errors[0].detail).to.contain('not a application/pdf');
    expect((await upload({ dataBase64: 'not base64!!' })).status).to.equal(422);
    expect(await stack.db('case_materials').where({ case_no: caseNo }).count<{ n: string }[]>('* as n').then((r) => Number(r[0].n))).to.equal(0);
    const ok = await upload({});
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    expect(ok.body.sha256).to.equal(crypto.createHash('sha256').update(png).digest('hex'));
    const list = await http(stack, 'GET', `/api/cases/${caseNo}/materials`, undefined, clerk);
    expect(list.body.materials.map((m: { fileName: string }) => m.fileName)).to.deep.equal(['场所照片.png']);
    const file = await fetch(`${stack.baseUrl}/api/cases/${caseNo}/materials/${ok.body.id}`, { headers: clerk });
    expect(file.headers.get('content-type')).to.equal('image/png');
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).to.equal(true);
    const stranger = await asApplicant(stack, { idNumber: '330106198503122410', name: '刘建军', phone: '13588036751' });
    expect((await upload({}, stranger)).status).to.equal(404);
    const supView = await fetch(`${stack.baseUrl}/api/cases/${caseNo}/materials/${ok.body.id}`, { headers: await asStaff(stack, 'supervisor-zhao') });
    expect(supView.status).to.equal(403);
  });

  it('when a POST is repeated with its Idempotency-Key, then the first answer comes back and nothing happens twice', async () => {
    const ops = await asStaff(stack, 'ops-jiang');
    const key = `key-${crypto.randomUUID()}`;
    const first = await http(stack, 'POST', '/api/admin/api-keys', { name: 'idem', scopes: ['cases:read'] }, { ...ops, 'idempotency-key': key });
    const second = await http(stack, 'POST', '/api/admin/api-keys', { name: 'idem', scopes: ['cases:read'] }, { ...ops, 'idempotency-key': key });
    expect(second.status).to.equal(201);
    expect(second.body.id).to.equal(first.body.id);
    expect(second.headers['idempotent-replayed']).to.equal('true');
    expect(await stack.db('api_keys').where({ name: 'idem' }).count<{ n: string }[]>('* as n').then((r) => Number(r[0].n))).to.equal(1);
    const changed = await http(stack, 'POST', '/api/admin/api-keys', { name: 'idem2', scopes: ['cases:read'] }, { ...ops, 'idempotency-key': key });
    expect(changed.status).to.equal(409);
  });
});
