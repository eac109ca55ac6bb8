/**
 * The provincial integrated platform's case-data exchange (全省一体化政务服务平台 办件数据交换,
 * 同源发布): each main node of a case is pushed as one record, keyed by its node id (the
 * `Idempotency-Key`), so a node pushed again (a retry after a lost answer) is held once there.
 * A day's list of node ids held there serves the daily reconciliation. The other direction (a
 * case filed on the provincial portal) arrives as a signed callback, `province.case-filed`.
 */
import { idempotencyKey, PlatformHttp, type PlatformConfig } from './http';

/** A node record: the fields are those of lib/exchange/nodes.ts `ExchangeRecord`. */
export interface NodeRecord {
  nodeId: string;
  caseNo: string;
  seq: number;
  node: string;
  at: string;
  [field: string]: unknown;
}

/** What the provincial side holds for one China day (by the nodes' time). */
export interface DayList {
  day: string;
  count: number;
  nodeIds: string[];
}

/** A case filed on the provincial portal, as its callback carries it. */
export interface ProvincialFiling {
  provincialCaseNo: string;
  implementationCode: string;
  applicant: { kind: 'person' | 'legal_person'; name: string; idNumber: string; phone?: string };
  formData: Record<string, unknown>;
  delivery?: { method: 'window' | 'courier' | 'kiosk'; address?: { name: string; phone: string; address: string } };
}

export interface ProvincialExchange {
  pushNode(record: NodeRecord): Promise<{ nodeId: string; receivedAt: string }>;
  dayList(day: string): Promise<DayList>;
}

export class ProvincialExchangeClient implements ProvincialExchange {
  private readonly http: PlatformHttp;

  constructor(config: PlatformConfig) {
    this.http = new PlatformHttp('province', config);
  }

  async pushNode(record: NodeRecord): Promise<{ nodeId: string; receivedAt: string }> {
    return await this.http.call('POST', '/exchange/nodes', { body: record, idempotencyKey: idempotencyKey('exchange.node', record.nodeId) });
  }

  async dayList(day: string): Promise<DayList> {
    return await this.http.call('GET', `/exchange/days/${encodeURIComponent(day)}`);
  }
}
