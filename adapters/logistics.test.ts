import { expect } from 'chai';
import type { RunningSimulator } from '../simulators/kit';
import { startCallbackSink, type CallbackSink } from '../simulators/callback-sink';
import { s10CheckDigit, startLogisticsSimulator, type LogisticsControl } from '../simulators/logistics';
import { AdapterRefusal } from './errors';
import { LogisticsClient } from './logistics';

const secret = 'logistics-secret';
const fast = { timeoutMs: 600, retry: { attempts: 4, initialDelayMs: 10, maxDelayMs: 40 } };
const booking = (caseNo: string) => ({
  caseNo, item: '居民身份证（换领）',
  sender: { name: '西湖区政务服务中心', phone: '0571-87654321', address: '杭州市西湖区文三路100号' },
  recipient: { name: '徐婷婷', phone: '15906718342', address: '杭州市西湖区文新街道学院路28号' },
});

describe('logistics adapter against the courier simulator, with signed tracking callbacks', () => {
  let sink: CallbackSink;
  let sim: RunningSimulator<LogisticsControl>;
  let logistics: LogisticsClient;

  before(async () => {
    sink = await startCallbackSink({ secret });
    sim = await startLogisticsSimulator({ secret, hangMs: 2_000, callbackUrl: `${sink.url}/callbacks/logistics` });
    logistics = new LogisticsClient({ baseUrl: sim.url, secret, ...fast });
  });
  after(async () => {
    await sim.close();
    await sink.close();
  });
  beforeEach(async () => {
    await sim.control.reset();
    sink.records.length = 0;
  });

  it('when a courier is booked, then the waybill is an S10 number with a valid check digit and the repeat returns it', async () => {
    const b = await logistics.book(booking('c-1'), 'c-1:deliver');
    const [, serial, check] = /^EA(\d{8})(\d)CN$/.exec(b.waybillNo) ?? [];
    expect(Number(check)).to.equal(s10CheckDigit(serial));
    expect(await logistics.book(booking('c-1'), 'c-1:deliver')).to.deep.equal(b);
    expect(await sim.control.effects('booking.created')).to.have.length(1);
  });

  it('when the platform answers 503 and then a late answer, then the retries book exactly one courier', async () => {
    await sim.control.setFaults({ failNext: 1, timeoutNext: 1 });
    const b = await logistics.book(booking('c-2'), 'c-2:deliver');
    expect((await sim.control.requests()).map((r) => r.detail.fault ?? 'ok')).to.deep.equal(['fail', 'timeout', 'ok']);
    expect((await sim.control.effects('booking.created')).map((e) => e.detail.waybillNo)).to.deep.equal([b.waybillNo]);
  });

  it('when the parcel moves to delivered, then accepted, in transit and delivered callbacks arrive in order and tracking shows them', async () => {
    const b = await logistics.book(booking('c-3'), 'c-3:deliver');
    await sim.control.advance(b.waybillNo);
    await sim.control.advance(b.waybillNo, 'delivered');
    expect(sink.applied().map((e) => e.type)).to.deep.equal(['logistics.accepted', 'logistics.in_transit', 'logistics.delivered']);
    expect(sink.applied('logistics.delivered')[0].data).to.include({ waybillNo: b.waybillNo, event: 'delivered' });
    const t = await logistics.track(b.waybillNo);
    expect(t.status).to.equal('delivered');
    expect(t.events.map((e) => e.status)).to.deep.equal(['accepted', 'in_transit', 'delivered']);
  });

  it('when tracking callbacks come duplicated and in reverse order, then delivered takes effect once and older events are stale', async () => {
    const b = await logistics.book(booking('c-4'), 'c-4:deliver');
    await sim.control.setFaults({ reorderCallbacks: true, duplicateCallbacks: true });
    await sim.control.advance(b.waybillNo, 'delivered');
    await sim.control.flush();
    expect(sink.records.map((r) => `${r.event?.type} ${r.outcome}`)).to.deep.equal([
      'logistics.delivered new', 'logistics.delivered duplicate',
      'logistics.in_transit stale', 'logistics.in_transit duplicate',
      'logistics.accepted stale', 'logistics.accepted duplicate',
    ]);
    expect(sink.applied().map((e) => e.type)).to.deep.equal(['logistics.delivered']);
  });

  it('when the parcel is already delivered, then it cannot be advanced again', async () => {
    const b = await logistics.book(booking('c-5'), 'c-5:deliver');
    await sim.control.advance(b.waybillNo, 'delivered');
    const err = await sim.control.advance(b.waybillNo).catch((e: unknown) => e);
    expect(String(err)).to.contain('cannot-advance');
  });

  it('when a phone number is malformed, then the client refuses the booking without a request', async () => {
    const bad = booking('c-6');
    bad.recipient.phone = '1590671834';
    expect(await logistics.book(bad, 'c-6:deliver').catch((e: unknown) => e)).to.be.instanceOf(AdapterRefusal).and.include({ code: 'invalid-phone' });
    expect(await sim.control.requests()).to.have.length(0);
  });

  it('when a waybill is unknown, then tracking is refused as not found', async () => {
    expect(await logistics.track('EA000000000CN').catch((e: unknown) => e)).to.be.instanceOf(AdapterRefusal).and.include({ status: 404 });
  });

  it('when the day\'s waybills are listed for reconciliation, then each booked that day is there with its status and delivery time; a bad date is refused locally', async () => {
    const b = await logistics.book(booking('c-list'), 'c-list:deliver');
    await sim.control.advance(b.waybillNo, 'delivered');
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const listed = (await logistics.waybills(today)).find((w) => w.waybillNo === b.waybillNo);
    expect(listed).to.include({ caseNo: 'c-list', status: 'delivered' });
    expect(listed?.deliveredAt).to.be.a('string');
    expect(await logistics.waybills('2000-01-01')).to.deep.equal([]);
    const bad = await logistics.waybills('22-11-2026').catch((e: unknown) => e);
    expect(bad).to.be.instanceOf(AdapterRefusal).and.include({ code: 'invalid-date' });
  });
});
