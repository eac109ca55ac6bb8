import { expect } from 'chai';
import type { RunningSimulator } from '../simulators/kit';
import { startMessagingSimulator, type MessagingControl } from '../simulators/messaging';
import { AdapterRefusal } from './errors';
import { NotifierClient } from './messaging';

const secret = 'messaging-secret';
const fast = { timeoutMs: 600, retry: { attempts: 4, initialDelayMs: 10, maxDelayMs: 40 } };

describe('notifier adapter against the messaging simulator', () => {
  let sim: RunningSimulator<MessagingControl>;
  let notifier: NotifierClient;

  before(async () => {
    sim = await startMessagingSimulator({ secret, hangMs: 2_000 });
    notifier = new NotifierClient({ baseUrl: sim.url, secret, ...fast });
  });
  after(() => sim.close());
  beforeEach(() => sim.control.reset());

  it('when an SMS and an in-app message are sent, then the gateway records both with their content', async () => {
    await notifier.sms({ phone: '13588036751', template: 'case-accepted', params: { caseNo: '330106202503030000000001' } }, 'n-1');
    await notifier.inApp({ userId: 'applicant-liu', title: '办件已受理', body: '您的户口迁移申请已受理。', caseNo: '330106202503030000000001' }, 'n-2');
    const sent = await sim.control.sent();
    expect(sent.map((e) => e.what)).to.deep.equal(['sms.sent', 'in-app.sent']);
    expect(sent[0].detail).to.deep.include({ phone: '13588036751', template: 'case-accepted' });
    expect(sent[1].detail).to.include({ userId: 'applicant-liu', title: '办件已受理' });
  });

  it('when the gateway fails, then times out, then answers, then exactly one SMS is sent', async () => {
    await sim.control.setFaults({ failNext: 1, timeoutNext: 1 });
    const first = await notifier.sms({ phone: '13588036751', template: 'fee-due', params: {} }, 'n-3');
    expect(await notifier.sms({ phone: '13588036751', template: 'fee-due', params: {} }, 'n-3')).to.deep.equal(first);
    expect(await sim.control.sent()).to.have.length(1);
  });

  it('when the phone number is malformed, then the client refuses without a request', async () => {
    expect(await notifier.sms({ phone: '0571-8888', template: 'x', params: {} }, 'n-4').catch((e: unknown) => e)).to.be.instanceOf(AdapterRefusal).and.include({ code: 'invalid-phone' });
    expect(await sim.control.requests()).to.have.length(0);
  });
});
