/**
 * Simulated courier (EMS): bookings once per Idempotency-Key with S10 waybill numbers, and
 * tracking driven by POST /_control/advance/:waybill { to? }, which moves the parcel one step
 * (or up to `to`) and sends a signed `logistics.<status>` callback for each step. GET /waybills?date=
 * lists the waybills booked that day (China time), for onewindow's daily reconciliation.
 */
import crypto from 'node:crypto';
import type { Router } from 'express';
import { chinaDate } from '../adapters/certificate-seal';
import { trackingStatuses, type Address, type Booking, type Tracking, type TrackingStatus, type WaybillRecord } from '../adapters/logistics';
import { SimulatorControl } from './control-client';
import { HttpProblem, notFound, object, optStr, str } from './http-problem';
import { IdempotencyStore, requireKey } from './idempotency';
import { body, startSimulator, type Delivery, type RunningSimulator, type Simulator, type SimulatorOptions } from './kit';

export class LogisticsControl extends SimulatorControl {
  /** Moves the parcel one step, or through every step up to `to`. */
  async advance(waybillNo: string, to?: TrackingStatus): Promise<{ tracking: Tracking; deliveries: Delivery[] }> {
    return await this.send('POST', `/advance/${encodeURIComponent(waybillNo)}`, to ? { to } : {});
  }
}

/** UPU S10 check digit over the eight serial digits. */
export function s10CheckDigit(serial: string): number {
  const weights = [8, 6, 4, 2, 3, 5, 9, 7];
  const sum = [...serial].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  const c = 11 - (sum % 11);
  return c === 10 ? 0 : c === 11 ? 5 : c;
}

interface Parcel extends Tracking {
  caseNo: string;
  sender: Address;
  recipient: Address;
  item: string;
  bookedAt: string;
}

const locations: Record<TrackingStatus, string> = {
  booked: '', accepted: '杭州市西湖区政务服务中心揽投部', in_transit: '杭州邮区中心局', delivered: '收件人地址（本人签收）',
};

function address(v: unknown, where: string): Address {
  const o = object(v, where);
  return { name: str(o, 'name'), phone: str(o, 'phone'), address: str(o, 'address') };
}

/** The courier's data: parcels by waybill number, the bookings done per key, the serial of the next waybill. */
class Depot {
  readonly parcels = new Map<string, Parcel>();
  readonly once = new IdempotencyStore<Booking>();
  // Waybill numbers are unique across instances, as on the real courier: a random starting serial.
  serial = 10_000_000 + crypto.randomInt(0, 80_000_000);

  save() {
    return { serial: this.serial, parcels: [...this.parcels.values()], once: this.once.save() };
  }

  load(data: unknown): void {
    const d = data as ReturnType<Depot['save']>;
    this.serial = d.serial;
    this.parcels.clear();
    for (const p of d.parcels) this.parcels.set(p.waybillNo, p);
    this.once.load(d.once);
  }
}

function routes(r: Router, depot: Depot, sim: Simulator): void {
  const { parcels, once } = depot;

  r.post('/bookings', (req, res) => {
    const b = body(req);
    const { value, replayed } = once.run(requireKey(req), b, () => {
      const digits = String(++depot.serial);
      const p: Parcel = {
        waybillNo: `EA${digits}${s10CheckDigit(digits)}CN`, caseNo: str(b, 'caseNo'), sender: address(b.sender, 'sender'),
        recipient: address(b.recipient, 'recipient'), item: str(b, 'item'), status: 'booked', bookedAt: new Date().toISOString(), events: [],
      };
      parcels.set(p.waybillNo, p);
      sim.effect('booking.created', { waybillNo: p.waybillNo, caseNo: p.caseNo });
      return { waybillNo: p.waybillNo, caseNo: p.caseNo, status: p.status, bookedAt: p.bookedAt };
    });
    res.status(replayed ? 200 : 201).json(value);
  });

  r.get('/waybills', (req, res) => {
    const { date } = req.query;
    if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new HttpProblem(400, 'bad-request', '须指定日期 date（YYYY-MM-DD）');
    const waybills: WaybillRecord[] = [...parcels.values()]
      .filter((p) => chinaDate(new Date(p.bookedAt)) === date)
      .map((p) => ({ waybillNo: p.waybillNo, caseNo: p.caseNo, status: p.status, bookedAt: p.bookedAt, deliveredAt: p.events.find((e) => e.status === 'delivered')?.at ?? null }));
    res.json({ waybills });
  });

  r.get('/waybills/:waybillNo', (req, res) => {
    const p = parcels.get(req.params.waybillNo);
    if (!p) throw notFound(`运单 ${req.params.waybillNo} `);
    res.json({ waybillNo: p.waybillNo, status: p.status, events: p.events } satisfies Tracking);
  });
}

function advanceRoute(r: Router, parcels: Map<string, Parcel>, sim: Simulator): void {
  r.post('/advance/:waybillNo', async (req, res) => {
    const p = parcels.get(req.params.waybillNo);
    if (!p) throw notFound(`运单 ${req.params.waybillNo} `);
    const to = optStr(body(req), 'to');
    const from = trackingStatuses.indexOf(p.status);
    const target = to === undefined ? from + 1 : trackingStatuses.indexOf(to as TrackingStatus);
    if (target <= from || target >= trackingStatuses.length) throw new HttpProblem(409, 'cannot-advance', `运单状态为 ${p.status}，不能推进到 ${to ?? '下一步'}`);
    const deliveries: Delivery[] = [];
    for (let i = from + 1; i <= target; i++) {
      const status = trackingStatuses[i];
      const at = new Date().toISOString();
      p.status = status;
      p.events.push({ status, at, location: locations[status] });
      sim.effect(`parcel.${status}`, { waybillNo: p.waybillNo });
      deliveries.push(...(await sim.emit(`logistics.${status}`, p.waybillNo, { waybillNo: p.waybillNo, event: status, at })));
    }
    res.json({ tracking: { waybillNo: p.waybillNo, status: p.status, events: p.events }, deliveries });
  });
}

/** Starts the courier simulator; tracking callbacks go to `callbackUrl`. */
export async function startLogisticsSimulator(opts: SimulatorOptions): Promise<RunningSimulator<LogisticsControl>> {
  const depot = new Depot();
  const started = await startSimulator({ name: 'logistics', options: opts, state: depot, routes: (r, sim) => routes(r, depot, sim), control: (r, sim) => advanceRoute(r, depot.parcels, sim) });
  return { url: started.url, close: started.close, control: new LogisticsControl(started.url) };
}
