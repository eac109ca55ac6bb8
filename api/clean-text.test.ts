/**
 * Text is clean at the door (`clean-text.ts`): NUL, lone surrogates and non-characters in the
 * body (names and values), the query string and the path, bodies nested too deeply, malformed
 * `%` escapes and bodies that are not encoded as they claim are a 400 naming the field, before
 * any route runs; the case they were aimed at keeps working. Against the real stack.
 */
import { expect } from 'chai';
import zlib from 'node:zlib';
import { bodyProblems, maxDepth, textProblem } from './clean-text';
import { readFormFolder } from '../lib/forms';
import { asIntegrator, asStaff, eventually, http, newApiKey, sharedStack, type Stack } from '../test/harness';

/** `depth` objects inside one another, built without recursion. */
function nested(depth: number, leaf: unknown = 1): unknown {
  let v: unknown = leaf;
  for (let i = 1; i < depth; i++) v = { a: v };
  return depth === 0 ? leaf : { a: v };
}

describe('clean text: the checks themselves', () => {
  it('when text has NUL, a lone surrogate or a non-character, then it is named; marks, emoji and CJK extension characters pass', () => {
    for (const bad of ['a\u0000', '\ud800', 'x\udfff', '\udc00\ud800', '\ufffe', '\uffff', '\ufdd0', '\ufdef', '\u{1fffe}', '\u{2ffff}', '\u{10ffff}']) {
      expect(textProblem(bad), JSON.stringify(bad)).to.be.a('string');
    }
    for (const good of ['', '张三', '\u200f\u202eRTL\u202c', '\u200b\u200c\u200d\ufeff', '😀👩‍👩‍👧', '𠀀𪚥', '\t\n\r', '\ufdcf\ufdf0\ufffd', 'x'.repeat(100_000)]) {
      expect(textProblem(good), JSON.stringify(good)).to.equal(undefined);
    }
  });

  it('when a body nests a hundred thousand levels deep, then the walk names the first level too deep without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    const found = bodyProblems(deep);
    expect(found.tooDeepAt).to.equal('/0'.repeat(maxDepth));
    expect(bodyProblems(nested(maxDepth)).tooDeepAt).to.equal(undefined);
    expect(bodyProblems(nested(maxDepth + 1)).tooDeepAt).to.equal('/a'.repeat(maxDepth));
  });

  it('when names are bad, then the object holding them is named and the name is shown escaped', () => {
    const found = bodyProblems(JSON.parse('{"f": {"a\\u0000b": 1, "ok/~": "\\ud800"}}') as unknown);
    expect(found.text).to.deep.equal([
      { pointer: '/f', detail: 'the field name "a\\u0000b" contains U+0000 (NUL) at character 2, which cannot be stored' },
      { pointer: '/f/ok~1~0', detail: 'contains a lone surrogate U+D800 at character 1: not valid Unicode text' },
    ]);
  });
});

describe('clean text at the door (real stack)', function () {
  this.timeout(120_000);
  let stack: Stack;
  let caseNo: string;
  let taskId: string;
  let clerk: Record<string, string>;
  const form = readFormFolder({ key: 'individual-business-registration', version: 1 }).example;
  const applicant = { kind: 'person', name: '张三', idNumber: '330106199003073514' };

  before(async () => {
    stack = await sharedStack();
    clerk = await asStaff(stack, 'clerk-wang');
    const filed = await http(stack, 'POST', '/api/cases', { implementationCode: 'XK-330000-00001.xh-scjg', channel: 'window', applicant, formData: form }, clerk);
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    caseNo = filed.body.caseNo;
    taskId = await eventually(async () => (await stack.db('tasks').where({ case_no: caseNo, status: 'open' }).first<{ id: string } | undefined>('id'))?.id, 'the pre-check task');
    // The task row can land before the case says it is in pre-check (the worker is shared by all suites).
    await eventually(async () => (await http(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, clerk)).body?.status === 'prechecking', 'the pre-check to start');
  });
  after(async () => {
    await stack?.stop();
  });

  function expect400(res: { status: number; contentType: string; body: any }, type: string, pointer?: string) {
    expect(res.status, JSON.stringify(res.body)).to.equal(400);
    expect(res.contentType).to.contain('application/problem+json');
    expect(res.body.type).to.match(new RegExp(`/${type}$`));
    if (pointer !== undefined) expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).to.include(pointer);
  }

  async function stillLive() {
    const started = Date.now();
    const live = await http(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, clerk);
    expect(live.status, JSON.stringify(live.body)).to.equal(200);
    expect(Date.now() - started).to.be.below(1_000);
    return live.body;
  }

  it('when a withdrawal reason or a task opinion carries a lone surrogate or NUL, then it is a prompt 400 naming the field and the case still answers', async () => {
    const started = Date.now();
    expect400(await http(stack, 'POST', `/api/cases/${caseNo}/withdrawal`, '{"reason":"\\ud800"}', clerk), 'bad-text', '/reason');
    expect400(await http(stack, 'POST', `/api/tasks/${taskId}/complete`, { action: 'correction', opinion: 'a\u0000b', problems: ['缺材料'] }, clerk), 'bad-text', '/opinion');
    expect400(await http(stack, 'POST', `/api/tasks/${taskId}/complete`, { action: 'correction', opinion: 'ok', problems: ['fine', '\ufffe'] }, clerk), 'bad-text', '/problems/1');
    expect(Date.now() - started).to.be.below(5_000);
    expect((await stillLive()).status).to.equal('prechecking');
    // Nothing of it reached the case.
    const events = await stack.db('case_events').where({ case_no: caseNo }).pluck('type');
    expect(events).not.to.include.members(['withdrawn', 'correction-requested']);
  });

  it('when form data has a bad value or a bad field name, then the field (or its object) is named', async () => {
    const res = await http(stack, 'POST', '/api/cases', JSON.stringify({ implementationCode: 'XK-330000-00001.xh-scjg', channel: 'window', applicant, formData: { ...form, businessName: 'x\ufdd0', extra: { 'k\u0000': 1 } } }), clerk);
    expect400(res, 'bad-text');
    expect(res.body.errors).to.deep.include({ pointer: '/formData/businessName', detail: 'contains the non-character U+FDD0 at character 2' });
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).to.include('/formData/extra');
    expect400(await http(stack, 'POST', '/api/cases', JSON.stringify({ implementationCode: 'XK-330000-00001.xh-scjg', channel: 'window', applicant: { ...applicant, name: '张\u{10ffff}' }, formData: form }), clerk), 'bad-text', '/applicant/name');
  });

  it('when the query string or a path parameter has NUL or a non-character, then it is named; a malformed % escape is a 400 too', async () => {
    expect400(await http(stack, 'GET', '/api/implementations?q=%00'), 'bad-text', '/query/q');
    expect400(await http(stack, 'GET', '/api/implementations?q=%EF%BF%BF'), 'bad-text', '/query/q');
    expect400(await http(stack, 'GET', '/api/implementations/%00'), 'bad-text', '/path/code');
    expect400(await http(stack, 'GET', `/api/cases/${caseNo}%EF%BF%BE/live`, undefined, clerk), 'bad-text', '/path/caseNo');
    for (const path of ['/api/cases/%E0%A4%A', '/api/implementations/%ZZ', '/api/cases/%ED%A0%80', '/%', '/api/tasks/%C0%AF/complete']) {
      expect400(await http(stack, 'GET', path, undefined, clerk), 'bad-path-encoding');
    }
    // Percent-encoded text that is fine passes on to the route.
    expect((await http(stack, 'GET', `/api/implementations?q=${encodeURIComponent('营业执照😀\u200b')}`)).status).to.equal(200);
  });

  it('when a body nests too deeply, then it is a 400 (also ten thousand levels inside form data, and a raw body a hundred thousand deep)', async () => {
    const filing = (formData: unknown) => ({ implementationCode: 'XK-330000-00001.xh-scjg', channel: 'window', applicant, formData });
    // Built as text: JSON.stringify itself would overflow on it.
    const deepForm = JSON.stringify(filing({ ...form, x: 'HERE' })).replace('"HERE"', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`);
    expect400(await http(stack, 'POST', '/api/cases', deepForm, clerk), 'too-deeply-nested');
    expect400(await http(stack, 'POST', '/api/cases', `{"reason":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, clerk), 'too-deeply-nested');
    expect400(await http(stack, 'POST', '/api/cases', filing({ ...form, x: nested(maxDepth - 1) }), clerk), 'too-deeply-nested', '/formData' + '/x' + '/a'.repeat(maxDepth - 2));
    // Within the limit, the depth is not what is judged (the form schema is).
    const within = await http(stack, 'POST', '/api/cases', filing({ ...form, x: nested(maxDepth - 3) }), clerk);
    expect(within.body.type ?? '').not.to.match(/too-deeply-nested$/);
    expect(within.status).to.be.below(500);
  });

  it('when a body claims an encoding it does not have, then it is a 400; a real gzip body is read; an unknown encoding is a 415', async () => {
    const body = JSON.stringify({ username: 'clerk-wang', password: 'wrong' });
    const send = (data: Buffer | string, encoding: string) => fetch(`${stack.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: data });
    const fake = await send(body, 'gzip');
    expect(fake.status).to.equal(400);
    expect(((await fake.json()) as { type: string }).type).to.match(/bad-content-encoding$/);
    expect((await send(zlib.gzipSync(body), 'gzip')).status).to.equal(401); // read, and the password is wrong
    expect((await send(body, 'deflate')).status).to.equal(400);
    expect((await send(body, 'compress')).status).to.equal(415);
  });

  it('when an integrator signs a filing with marks, emoji and CJK extension characters, then the signature holds and the text is stored as given', async () => {
    const key = await newApiKey(stack, ['cases:file', 'cases:read']);
    const businessName = '\u202b张记\u200b面馆\u202c😀𠀀';
    const body = JSON.stringify({ implementationCode: 'XK-330000-00001.xh-scjg', channel: 'online', applicant, formData: { ...form, businessName } });
    const res = await http(stack, 'POST', '/api/cases', body, asIntegrator(key, 'POST', '/api/cases', body));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const stored = await eventually(async () => (await stack.db('cases').where({ case_no: res.body.caseNo }).first<{ form_data: { businessName: string } } | undefined>('form_data'))?.form_data, 'the projection');
    expect(stored.businessName).to.equal(businessName);
    // The same filing with a lone surrogate, signed just as well, is refused at the door.
    const bad = body.replace('😀', '\\ud83d');
    expect400(await http(stack, 'POST', '/api/cases', bad, asIntegrator(key, 'POST', '/api/cases', bad)), 'bad-text', '/formData/businessName');
  });
});
