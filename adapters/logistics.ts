/**
 * Logistics (物流/EMS): a courier booked for a case's result once per key; tracking events
 * (accepted 揽收, in transit 运输中, delivered 签收) come as signed callbacks `logistics.<status>`
 * and can be queried.
 */
import { AdapterRefusal } from './errors';
import { idempotencyKey, PlatformHttp, type PlatformConfig } from './http';

export const trackingStatuses = ['booked', 'accepted', 'in_transit', 'delivered'] as const;

export type TrackingStatus = (typeof trackingStatuses)[number];

export interface Address {
  name: string;
  phone: string;
  address: string;
}

export interface Booking {
  waybillNo: string;
  caseNo: string;
  status: TrackingStatus;
  bookedAt: string;
}

export interface Tracking {
  waybillNo: string;
  status: TrackingStatus;
  events: { status: TrackingStatus; at: string; location: string }[];
}

/** One waybill in the courier's daily list, for reconciliation. */
export interface WaybillRecord {
  waybillNo: string;
  caseNo: string;
  status: TrackingStatus;
  bookedAt: string;
  deliveredAt: string | null;
}

export interface LogisticsPlatform {
  /** Books once per key: a repeat returns the same waybill. */
  book(b: { caseNo: string; sender: Address; recipient: Address; item: string }, key: string): Promise<Booking>;
  track(waybillNo: string): Promise<Tracking>;
  /** The waybills booked on a day (China time), as the courier has them, for reconciliation. */
  waybills(date: string): Promise<WaybillRecord[]>;
}

const platform = 'logistics';

export class LogisticsClient implements LogisticsPlatform {
  private readonly http: PlatformHttp;

  constructor(config: PlatformConfig) {
    this.http = new PlatformHttp(platform, config);
  }

  async book(b: { caseNo: string; sender: Address; recipient: Address; item: string }, key: string): Promise<Booking> {
    for (const a of [b.sender, b.recipient]) {
      if (!/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/.test(a.phone)) throw new AdapterRefusal(platform, 'invalid-phone', `电话号码格式不正确：${a.phone}`);
    }
    return await this.http.call('POST', '/bookings', { body: b, idempotencyKey: idempotencyKey('logistics.book', key) });
  }

  async track(waybillNo: string): Promise<Tracking> {
    return await this.http.call('GET', `/waybills/${encodeURIComponent(waybillNo)}`);
  }

  async waybills(date: string): Promise<WaybillRecord[]> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new AdapterRefusal(platform, 'invalid-date', '对账日期格式应为 YYYY-MM-DD');
    return (await this.http.call<{ waybills: WaybillRecord[] }>('GET', '/waybills', { query: { date } })).waybills;
  }
}
