import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CertificateClient } from '../adapters/certificates';
import { DepartmentSystemsClient } from '../adapters/departments';
import { IdentityClient } from '../adapters/identity';
import { LogisticsClient } from '../adapters/logistics';
import { NotifierClient } from '../adapters/messaging';
import { PaymentClient } from '../adapters/payment';
import { freePort } from '../lib/servers';
import { startCallbackSink, type CallbackSink } from './callback-sink';
import { startAllSimulators, type AllSimulators } from './run-all';
import { startPaymentSimulator } from './payment';

const secret = 'persist-secret';
const caseNo = '330106202611290000000777';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('simulators keep their platform data under the data folder across a restart', function () {
  this.timeout(30_000);
  let dir: string;
  let all: AllSimulators | undefined;
  let sink: CallbackSink | undefined;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onewindow-sims-'));
  });
  after(async () => {
    await all?.close();
    await sink?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when orders, waybills, dispatches, certificates, face checks and messages are made and the simulators restart, then each is still there over HTTP, keys are not reused, and callbacks the API never took are sent after the restart', async () => {
    // The API is down throughout the first run: every callback waits in the outbox.
    const apiPort = await freePort();
    const options = { secret, callbackBaseUrl: `http://127.0.0.1:${apiPort}/api`, dataDir: dir, callbackRetry: { quickAttempts: 1, initialDelayMs: 100, maxDelayMs: 200 } };
    all = await startAllSimulators(options);
    const clients = (a: AllSimulators) => ({
      payment: new PaymentClient({ baseUrl: a.urls.payment, secret }),
      logistics: new LogisticsClient({ baseUrl: a.urls.logistics, secret }),
      departments: new DepartmentSystemsClient({ 'hz-jtys': { baseUrl: a.departments.control.departmentUrl('hz-jtys'), secret } }),
      certificates: new CertificateClient({ baseUrl: a.urls.certificates, secret }),
      identity: new IdentityClient({ baseUrl: a.urls.identity, secret }),
      messaging: new NotifierClient({ baseUrl: a.urls.messaging, secret }),
    });
    let c = clients(all);
    const orderRequest = { caseNo, payer: { name: '张三', idNumber: '11010519491231002X' }, amountFen: 2_000, description: '工本费', expiresAt: new Date(Date.now() + 86_400_000).toISOString() };
    const order = await c.payment.createOrder(orderRequest, `${caseNo}/fee`);
    const paid = await all.payment.control.pay(order.orderId);
    expect(paid.deliveries[0]).to.include({ outcome: 'failed', retrying: true });
    const address = { name: '张三', phone: '13800138000', address: '西湖区文三路100号' };
    const booking = await c.logistics.book({ caseNo, sender: { name: '政务服务中心', phone: '0571-87654321', address: '西湖区' }, recipient: address, item: '营业执照' }, `${caseNo}/delivery`);
    await all.logistics.control.advance(booking.waybillNo, 'delivered');
    const pushed = { caseNo, stepId: 'transport-system', itemCode: 'XK-330000-00007', acceptedAt: new Date().toISOString(), applicant: { kind: 'person' as const, name: '张三', idNumber: '11010519491231002X' }, formData: {} };
    const receipt = await c.departments.pushCase('hz-jtys', pushed);
    await all.departments.control.result({ department: 'hz-jtys', caseNo, stepId: 'transport-system', outcome: 'approved', opinion: '符合条件' });
    const cert = await c.certificates.issue({ type: '营业执照', holder: { name: '张三', idNumber: '11010519491231002X' }, issuer: 'xh-scjg', fields: { 名称: '张三小吃店' }, validFrom: '2026-11-29', validUntil: null }, `${caseNo}/certificate`);
    const face = await c.identity.startFaceCheck({ caseNo, person: { idNumber: '11010519491231002X', name: '张三' } }, `${caseNo}/face-check/1`);
    const sms = await c.messaging.sms({ phone: '13800138000', template: 'payment-notice', params: {} }, `${caseNo}-sms-1`);
    await all.close();
    all = undefined;
    for (const p of ['identity', 'certificates', 'payment', 'logistics', 'departments', 'messaging']) {
      expect(fs.existsSync(path.join(dir, 'simulators', `${p}.json`)), p).to.equal(true);
    }
    expect(fs.readdirSync(path.join(dir, 'simulators')).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);

    // The API is back; the simulators start again (on new ports) from the same folder.
    sink = await startCallbackSink({ secret, port: apiPort });
    all = await startAllSimulators(options);
    c = clients(all);
    expect(await c.payment.getOrder(order.orderId)).to.deep.include({ status: 'paid', paidAt: paid.order.paidAt });
    // A retried create with the same key gets the same order, not a second one.
    expect((await c.payment.createOrder(orderRequest, `${caseNo}/fee`)).orderId).to.equal(order.orderId);
    expect(await all.payment.control.effects('order.created')).to.have.length(0);
    expect(await c.logistics.track(booking.waybillNo)).to.deep.include({ status: 'delivered' });
    expect(await c.departments.pushCase('hz-jtys', pushed)).to.deep.equal(receipt);
    expect((await c.departments.dispatchStatus('hz-jtys', { caseNo, stepId: 'transport-system' }))?.result).to.include({ outcome: 'approved' });
    // Sealed before the restart, verified after it: the seal keys were kept.
    expect((await c.certificates.verify(await c.certificates.get(cert.number))).verdict).to.equal('genuine');
    expect(await c.identity.getFaceCheck(face.checkId)).to.include({ status: 'pending', caseNo });
    expect(await c.messaging.sms({ phone: '13800138000', template: 'payment-notice', params: {} }, `${caseNo}-sms-1`)).to.deep.equal(sms);
    expect(await all.messaging.control.sent()).to.have.length(0);
    // New numbers go on from where they were, not from a new random start that could repeat one.
    const second = await c.payment.createOrder({ ...orderRequest, caseNo: '330106202611290000000778' }, 'another-fee');
    expect(Number(second.orderId.slice(-8))).to.equal(Number(order.orderId.slice(-8)) + 1);

    // The callbacks the API never took arrive now, each once, with their event sequence kept.
    const s = sink;
    for (let i = 0; i < 100 && !['payment.paid', 'logistics.delivered', 'department.result'].every((t) => s.applied(t).length > 0); i++) await sleep(50);
    expect(s.applied('payment.paid').map((e) => [e.subject, e.seq])).to.deep.equal([[order.orderId, 1]]);
    expect(s.applied('logistics.delivered').map((e) => [e.subject, e.seq])).to.deep.equal([[booking.waybillNo, 3]]);
    expect(s.applied('department.result').map((e) => e.subject)).to.deep.equal([`${caseNo}/transport-system`]);
    const refund = await c.payment.refund({ orderId: order.orderId, reason: '撤回' }, `${caseNo}/refund`);
    expect(refund.orderId).to.equal(order.orderId);
    expect(s.applied('payment.refunded').map((e) => e.seq)).to.deep.equal([2]);
  });

  it('when a simulator is started without a data folder, then it writes nothing and starts empty each time', async () => {
    const cwdFiles = fs.readdirSync(process.cwd());
    const first = await startPaymentSimulator({ secret });
    const client = new PaymentClient({ baseUrl: first.url, secret });
    const order = await client.createOrder({ caseNo, payer: { name: '张三', idNumber: '11010519491231002X' }, amountFen: 1, description: 'x', expiresAt: new Date(Date.now() + 60_000).toISOString() }, 'memory-only');
    await first.close();
    const again = await startPaymentSimulator({ secret });
    try {
      const err = await new PaymentClient({ baseUrl: again.url, secret }).getOrder(order.orderId).catch((e: unknown) => e);
      expect(err).to.have.property('status', 404);
    } finally {
      await again.close();
    }
    expect(fs.readdirSync(process.cwd())).to.deep.equal(cwdFiles);
  });
});
