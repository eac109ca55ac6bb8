import { expect } from 'chai';
import { startCallbackSink, type CallbackSink } from '../simulators/callback-sink';
import type { RunningSimulator } from '../simulators/kit';
import { startIdentitySimulator, type IdentityControl } from '../simulators/identity';
import { meetsLevel } from './assurance';
import { AdapterRefusal, TransientAdapterError } from './errors';
import { IdentityClient } from './identity';

const secret = 'identity-secret';
const fast = { timeoutMs: 600, retry: { attempts: 4, initialDelayMs: 10, maxDelayMs: 40 } };
const zhang = { idNumber: '330106199003073514', name: '张三' };
const company = { creditCode: '91330106MA2H3K7Q5U', name: '杭州西湖区悦味轩餐饮有限公司', legalRepresentative: { idNumber: '330106197608142018', name: '林建华' } };

describe('identity adapter against the identity simulator', () => {
  let sim: RunningSimulator<IdentityControl>;
  let identity: IdentityClient;

  before(async () => {
    sim = await startIdentitySimulator({ secret, hangMs: 2_000 });
    identity = new IdentityClient({ baseUrl: sim.url, secret, ...fast });
  });
  after(() => sim.close());
  beforeEach(() => sim.control.reset());

  it('when a sample person is checked by ID number and name, then they match; another name mismatches; an unknown valid ID is unknown', async () => {
    expect(await identity.verifyPerson(zhang)).to.deep.equal({ result: 'match' });
    expect(await identity.verifyPerson({ ...zhang, name: '张四' })).to.deep.equal({ result: 'mismatch' });
    expect(await identity.verifyPerson({ idNumber: '440304198507152311', name: '张三' })).to.deep.equal({ result: 'unknown' });
  });

  it('when an ID number or credit code is malformed, then the client refuses it without a request', async () => {
    const badId = await identity.verifyPerson({ ...zhang, idNumber: '330106199003073515' }).catch((e: unknown) => e);
    expect(badId).to.be.instanceOf(AdapterRefusal).and.include({ code: 'invalid-id-number', message: '公民身份号码校验码不正确', status: undefined });
    const badCode = await identity.verifyLegalPerson({ ...company, creditCode: '91330106MA2H3K7Q5V' }).catch((e: unknown) => e);
    expect(badCode).to.be.instanceOf(AdapterRefusal).and.include({ code: 'invalid-credit-code' });
    expect(await sim.control.requests()).to.have.length(0);
  });

  it('when a legal person is checked, then a match, a wrong representative and an unknown company are told apart', async () => {
    expect(await identity.verifyLegalPerson(company)).to.deep.equal({ result: 'match', mismatches: [] });
    expect(await identity.verifyLegalPerson({ ...company, legalRepresentative: zhang })).to.deep.equal({ result: 'mismatch', mismatches: ['legalRepresentative'] });
    expect(await identity.verifyLegalPerson({ ...company, creditCode: '91330106MA2B5RHL0C' })).to.deep.equal({ result: 'unknown', mismatches: [] });
  });

  it('when the right SMS code is entered after a wrong one, then the person reaches assurance level basic', async () => {
    const challenge = await identity.sendSmsCode({ idNumber: zhang.idNumber, phone: '13800138000' }, 'login-1');
    expect(challenge.maskedPhone).to.equal('138****8000');
    const code = await sim.control.smsCode(challenge.requestId);
    const wrong = code === '000000' ? '111111' : '000000';
    expect(await identity.checkSmsCode({ requestId: challenge.requestId, code: wrong })).to.deep.equal({ verified: false, assuranceLevel: 'anonymous', attemptsLeft: 4 });
    const ok = await identity.checkSmsCode({ requestId: challenge.requestId, code });
    expect(ok).to.include({ verified: true, assuranceLevel: 'basic' });
    expect(meetsLevel(ok.assuranceLevel, 'basic')).to.equal(true);
    expect(meetsLevel(ok.assuranceLevel, 'intermediate')).to.equal(false);
  });

  it('when the phone is not the one registered to the person, then the platform refuses and the client does not retry', async () => {
    const err = await identity.sendSmsCode({ idNumber: zhang.idNumber, phone: '13900000000' }, 'login-2').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AdapterRefusal).and.include({ code: 'phone-mismatch', status: 422 });
    expect(await sim.control.requests()).to.have.length(1);
  });

  it('when the platform answers 503 twice, then the client retries and exactly one SMS code is sent', async () => {
    await sim.control.setFaults({ failNext: 2 });
    await identity.sendSmsCode({ idNumber: zhang.idNumber, phone: '13800138000' }, 'login-3');
    expect(await sim.control.requests()).to.have.length(3);
    expect(await sim.control.effects('sms-code.sent')).to.have.length(1);
  });

  it('when the first answer comes after the client timeout, then the retry gets the same challenge and one SMS code is sent', async () => {
    await sim.control.setFaults({ timeoutNext: 1 });
    const challenge = await identity.sendSmsCode({ idNumber: zhang.idNumber, phone: '13800138000' }, 'login-4');
    const sent = await sim.control.effects('sms-code.sent');
    expect(sent).to.have.length(1);
    expect(sent[0].detail.requestId).to.equal(challenge.requestId);
  });

  it('when the platform stays down, then the client gives up with a transient error after its bounded attempts', async () => {
    await sim.control.setFaults({ failNext: 10 });
    expect(await identity.verifyPerson(zhang).catch((e: unknown) => e)).to.be.instanceOf(TransientAdapterError);
    expect(await sim.control.requests()).to.have.length(4);
  });

  it('when the legal representative authorises an agent, then the agent is authorised for that company and scope only', async () => {
    const agent = { idNumber: '330106198406182120', name: '陈秀兰' };
    const a = await identity.authoriseAgent({ creditCode: company.creditCode, legalRepresentative: company.legalRepresentative, agent, scope: ['食品经营许可'], validUntil: '2099-12-31' }, 'auth-1');
    const again = await identity.authoriseAgent({ creditCode: company.creditCode, legalRepresentative: company.legalRepresentative, agent, scope: ['食品经营许可'], validUntil: '2099-12-31' }, 'auth-1');
    expect(again.authorisationId).to.equal(a.authorisationId);
    expect(await sim.control.effects('authorisation.granted')).to.have.length(1);
    expect(await identity.checkAuthorisation({ creditCode: company.creditCode, agentIdNumber: agent.idNumber, scope: '食品经营许可' })).to.deep.include({ authorised: true });
    expect(await identity.checkAuthorisation({ creditCode: company.creditCode, agentIdNumber: agent.idNumber, scope: '道路运输' })).to.deep.equal({ authorised: false });
    expect(await identity.checkAuthorisation({ creditCode: company.creditCode, agentIdNumber: zhang.idNumber })).to.deep.equal({ authorised: false });
  });

  it('when someone other than the legal representative authorises, then the platform refuses', async () => {
    const err = await identity
      .authoriseAgent({ creditCode: company.creditCode, legalRepresentative: zhang, agent: zhang, scope: [], validUntil: '2099-12-31' }, 'auth-2')
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AdapterRefusal).and.include({ code: 'not-legal-representative', status: 403 });
  });

  it('when the client signs with the wrong secret, then the platform refuses it as a bad signature', async () => {
    const forger = new IdentityClient({ baseUrl: sim.url, secret: 'guess', ...fast });
    const err = await forger.verifyPerson(zhang).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AdapterRefusal).and.include({ code: 'bad-signature', status: 401, message: '签名校验失败' });
  });
});

describe('identity adapter: live face checks against the identity simulator', () => {
  let sim: RunningSimulator<IdentityControl>;
  let sink: CallbackSink;
  let identity: IdentityClient;

  before(async () => {
    sink = await startCallbackSink({ secret });
    sim = await startIdentitySimulator({ secret, hangMs: 2_000, callbackUrl: `${sink.url}/callbacks/identity` });
    identity = new IdentityClient({ baseUrl: sim.url, secret, ...fast });
  });
  after(async () => {
    await sim.close();
    await sink.close();
  });
  beforeEach(async () => {
    await sim.control.reset();
    sink.records.length = 0;
  });

  it('when a face check is started and the applicant passes it, then the result comes by signed callback and by polling', async () => {
    const check = await identity.startFaceCheck({ caseNo: '3301062026112100000001', person: zhang }, 'case-1/face-check/1');
    expect(check).to.include({ caseNo: '3301062026112100000001', status: 'pending' });
    expect(await identity.getFaceCheck(check.checkId)).to.include({ status: 'pending' });
    const done = await sim.control.finishFaceCheck(check.checkId, 'pass');
    expect(done.deliveries.map((d) => d.outcome)).to.deep.equal([200]);
    const [event] = sink.applied('identity.face-check');
    expect(event.subject).to.equal(check.checkId);
    expect(event.data).to.deep.include({ checkId: check.checkId, passed: true });
    expect(await identity.getFaceCheck(check.checkId)).to.include({ status: 'passed' });
    // Finished is finished: it cannot be made to fail afterwards.
    expect(await sim.control.finishFaceCheck(check.checkId, 'fail').catch((e: Error) => e.message)).to.contain('409');
  });

  it('when the applicant fails the live check, then the callback says why', async () => {
    const check = await identity.startFaceCheck({ caseNo: '3301062026112100000002', person: zhang }, 'case-2/face-check/1');
    await sim.control.finishFaceCheck(check.checkId, 'fail', '疑似翻拍照片');
    expect(sink.applied('identity.face-check')[0].data).to.deep.include({ passed: false, reason: '疑似翻拍照片' });
    expect(await identity.getFaceCheck(check.checkId)).to.include({ status: 'failed', reason: '疑似翻拍照片' });
  });

  it('when the start is retried after a lost answer, then one face check is started', async () => {
    await sim.control.setFaults({ timeoutNext: 1 });
    const check = await identity.startFaceCheck({ caseNo: '3301062026112100000003', person: zhang }, 'case-3/face-check/1');
    const started = await sim.control.effects('face-check.started');
    expect(started).to.have.length(1);
    expect(started[0].detail.checkId).to.equal(check.checkId);
  });

  it('when the person is unknown or named wrongly, then the platform refuses to start a check', async () => {
    const unknown = await identity.startFaceCheck({ caseNo: 'c', person: { idNumber: '440304198507152311', name: '张三' } }, 'k-1').catch((e: unknown) => e);
    expect(unknown).to.be.instanceOf(AdapterRefusal).and.include({ code: 'unknown-person', status: 404 });
    const wrong = await identity.startFaceCheck({ caseNo: 'c', person: { ...zhang, name: '张四' } }, 'k-2').catch((e: unknown) => e);
    expect(wrong).to.be.instanceOf(AdapterRefusal).and.include({ code: 'person-mismatch', status: 422 });
    expect(await sim.control.effects('face-check.started')).to.have.length(0);
  });
});
