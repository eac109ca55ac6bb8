/**
 * 中级 online: an applicant signed in by SMS (初级) raises the session by a live face check on the
 * identity platform, then files an item that needs 中级. Only the person who started a check can
 * use it, only once, only when it passed; a failed one says why and raises nothing.
 */
import { expect } from 'chai';
import { readFormFolder } from '../lib/forms';
import { asApplicant, http, sharedStack, type Stack } from '../test/harness';

const liu = { idNumber: '330106198503122410', name: '刘建军', phone: '13588036751' };
const chen = { idNumber: '330106198406182120', name: '陈秀兰', phone: '13957112046' };
/** 公共场所卫生许可 needs 中级. */
const hygiene = { code: 'XK-330000-00005.xh-wjj', form: 'public-place-hygiene-licence' };

describe('applicant face check: from 初级 to 中级 for online filing', function () {
  this.timeout(120_000);
  let stack: Stack;
  before(async () => {
    stack = await sharedStack();
  });
  after(async () => {
    await stack?.stop();
  });

  const me = async (auth: Record<string, string>) => (await http(stack, 'GET', '/api/auth/me', undefined, auth)).body as { assuranceLevel: string };
  const fileOnline = (auth: Record<string, string>, who: typeof liu) => http(stack, 'POST', '/api/cases', {
    implementationCode: hygiene.code, channel: 'online', applicant: { kind: 'person', idNumber: who.idNumber, name: who.name, phone: who.phone }, formData: readFormFolder({ key: hygiene.form, version: 1 }).example,
  }, auth);

  it('when the face check passes, then the session is 中级 and the item that needs it can be filed online; the check is used once and only by its owner', async () => {
    const auth = await asApplicant(stack, liu);
    expect((await me(auth)).assuranceLevel).to.equal('basic');
    const refused = await fileOnline(auth, liu);
    expect(refused.status).to.equal(403);
    expect(refused.body.type).to.match(/assurance-too-low$/);

    const started = await http(stack, 'POST', '/api/auth/applicant/face-check', undefined, auth);
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const { checkId } = started.body as { checkId: string; url: string };
    expect(started.body.url).to.match(/^https:\/\//);
    const poll = (as: Record<string, string>) => http(stack, 'GET', `/api/auth/applicant/face-check/${checkId}`, undefined, as);
    expect((await poll(auth)).body).to.deep.equal({ status: 'pending', assuranceLevel: 'basic' });

    // Someone else's session cannot see or use the check, even once it has passed.
    const other = await asApplicant(stack, chen);
    expect((await poll(other)).status).to.equal(404);
    await stack.sims.identity.control.finishFaceCheck(checkId, 'pass');
    expect((await poll(other)).status).to.equal(404);
    expect((await me(other)).assuranceLevel).to.equal('basic');
    // Nor does the check pass for an SMS code.
    expect((await http(stack, 'POST', '/api/auth/applicant/login', { requestId: `face:${checkId}`, code: '123456' })).status).to.equal(401);

    expect((await poll(auth)).body).to.deep.equal({ status: 'passed', assuranceLevel: 'intermediate' });
    expect((await me(auth)).assuranceLevel).to.equal('intermediate');
    expect((await poll(auth)).body).to.deep.equal({ status: 'passed', assuranceLevel: 'intermediate' });
    const raised = await stack.db('audit_log').where({ action: 'auth.assurance-raised' }).orderBy('id', 'desc').first<{ actor: string; detail: unknown }>();
    expect(raised.actor).to.equal('applicant:3301**********2410');

    const filed = await fileOnline(auth, liu);
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    // A new sign-in starts at 初级 again.
    expect((await me(await asApplicant(stack, liu))).assuranceLevel).to.equal('basic');
  });

  it('when the face check fails, then the answer says why and the session stays 初级', async () => {
    const auth = await asApplicant(stack, chen);
    const started = await http(stack, 'POST', '/api/auth/applicant/face-check', undefined, auth);
    const checkId = started.body.checkId as string;
    await stack.sims.identity.control.finishFaceCheck(checkId, 'fail', '未检测到活体');
    const res = await http(stack, 'GET', `/api/auth/applicant/face-check/${checkId}`, undefined, auth);
    expect(res.body).to.deep.equal({ status: 'failed', assuranceLevel: 'basic', reason: '未检测到活体' });
    expect((await me(auth)).assuranceLevel).to.equal('basic');
    expect((await fileOnline(auth, chen)).status).to.equal(403);
  });

  it('when the check is asked for by a stranger, staff or nobody, or with an id that is no id, then it is refused and nothing changes', async () => {
    const auth = await asApplicant(stack, liu);
    expect((await http(stack, 'POST', '/api/auth/applicant/face-check')).status).to.equal(401);
    expect((await http(stack, 'GET', '/api/auth/applicant/face-check/face-nobody', undefined, auth)).status).to.equal(404);
    expect((await http(stack, 'GET', `/api/auth/applicant/face-check/${encodeURIComponent('face:../../x')}`, undefined, auth)).status).to.be.oneOf([400, 404]);
    expect((await me(auth)).assuranceLevel).to.equal('basic');
  });
});
