/**
 * Simulated provincial integrated platform (全省一体化政务服务平台): it receives the case nodes
 * onewindow publishes (once per Idempotency-Key), lists a day's nodes for the reconciliation, and
 * on demand files a case on its portal, which it pushes to onewindow as a signed
 * `province.case-filed` callback.
 *
 * Control (besides the kit's faults, log, outbox):
 *   GET  /_control/nodes?caseNo=    { nodes }: the nodes held, in the order they arrived
 *   POST /_control/nodes/delete     { nodeId }: loses one node (for the reconciliation)
 *   POST /_control/portal-cases     { implementationCode, applicant, formData, delivery? }: files a case on the portal
 */
import crypto from 'node:crypto';
import type { Router } from 'express';
import { chinaDate } from '../adapters/certificate-seal';
import type { DayList, NodeRecord, ProvincialFiling } from '../adapters/province';
import { SimulatorControl } from './control-client';
import { HttpProblem, int, notFound, object, str } from './http-problem';
import { IdempotencyStore, requireKey } from './idempotency';
import { body, startSimulator, type Delivery, type RunningSimulator, type Simulator, type SimulatorOptions } from './kit';

/** A node as held, with when it arrived. */
export type HeldNode = NodeRecord & { receivedAt: string };

export class ProvinceControl extends SimulatorControl {
  async nodes(caseNo?: string): Promise<HeldNode[]> {
    return (await this.send<{ nodes: HeldNode[] }>('GET', `/nodes${caseNo ? `?caseNo=${encodeURIComponent(caseNo)}` : ''}`)).nodes;
  }

  async deleteNode(nodeId: string): Promise<void> {
    await this.send('POST', '/nodes/delete', { nodeId });
  }

  /** Files a case on the provincial portal; answers once its callback was sent. */
  async fileOnPortal(c: Omit<ProvincialFiling, 'provincialCaseNo'>): Promise<{ provincialCaseNo: string; deliveries: Delivery[] }> {
    return await this.send('POST', '/portal-cases', c);
  }
}

class Exchange {
  /** Held nodes in arrival order. */
  nodes: HeldNode[] = [];
  readonly once = new IdempotencyStore<{ nodeId: string; receivedAt: string }>();
  private serial = crypto.randomInt(0, 90_000_000);

  save() {
    return { nodes: this.nodes, once: this.once.save(), serial: this.serial };
  }

  load(data: unknown): void {
    const d = data as ReturnType<Exchange['save']>;
    this.nodes = d.nodes;
    this.once.load(d.once);
    this.serial = d.serial;
  }

  nextCaseNo(): string {
    return `ZJ${chinaDate(new Date()).replaceAll('-', '')}${String(++this.serial).padStart(8, '0')}`;
  }
}

function routes(r: Router, sim: Simulator, x: Exchange): void {
  r.post('/exchange/nodes', (req, res) => {
    const b = body(req);
    const { value, replayed } = x.once.run(`node\n${requireKey(req)}`, b, () => {
      const record = {
        ...b, nodeId: str(b, 'nodeId'), caseNo: str(b, 'caseNo', { pattern: /^[0-9]{22}$/ }), seq: int(b, 'seq', 1), node: str(b, 'node'), at: str(b, 'at'),
      } as NodeRecord;
      if (Number.isNaN(Date.parse(record.at))) throw new HttpProblem(400, 'bad-request', '字段 at 应为时间');
      const receivedAt = new Date().toISOString();
      x.nodes.push({ ...record, receivedAt });
      sim.effect('node.received', { nodeId: record.nodeId, caseNo: record.caseNo, seq: record.seq, node: record.node });
      return { nodeId: record.nodeId, receivedAt };
    });
    res.status(replayed ? 200 : 201).json(value);
  });

  r.get('/exchange/days/:day', (req, res) => {
    const day = req.params.day;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new HttpProblem(400, 'bad-request', '日期格式应为 YYYY-MM-DD');
    const nodeIds = x.nodes.filter((n) => chinaDate(new Date(n.at)) === day).map((n) => n.nodeId);
    const list: DayList = { day, count: nodeIds.length, nodeIds };
    res.json(list);
  });
}

function control(r: Router, sim: Simulator, x: Exchange): void {
  r.get('/nodes', (req, res) => {
    const caseNo = typeof req.query.caseNo === 'string' ? req.query.caseNo : undefined;
    res.json({ nodes: caseNo ? x.nodes.filter((n) => n.caseNo === caseNo) : x.nodes });
  });
  r.post('/nodes/delete', (req, res) => {
    const nodeId = str(body(req), 'nodeId');
    const before = x.nodes.length;
    x.nodes = x.nodes.filter((n) => n.nodeId !== nodeId);
    if (x.nodes.length === before) throw notFound(`节点 ${nodeId} `);
    // Lost whole: the platform no longer knows the key either, so a re-send is stored again.
    x.once.forget(`node\nexchange.node/${nodeId}`);
    sim.effect('node.lost', { nodeId });
    sim.changed();
    res.json({ deleted: nodeId });
  });
  r.post('/portal-cases', async (req, res) => {
    const b = body(req);
    const applicant = object(b.applicant, 'applicant');
    const filing: ProvincialFiling = {
      provincialCaseNo: x.nextCaseNo(),
      implementationCode: str(b, 'implementationCode'),
      applicant: { kind: applicant.kind === 'legal_person' ? 'legal_person' : 'person', name: str(applicant, 'name'), idNumber: str(applicant, 'idNumber'), ...(typeof applicant.phone === 'string' ? { phone: applicant.phone } : {}) },
      formData: object(b.formData, 'formData'),
      ...(b.delivery !== undefined ? { delivery: object(b.delivery, 'delivery') as ProvincialFiling['delivery'] } : {}),
    };
    sim.effect('portal.case-filed', { provincialCaseNo: filing.provincialCaseNo, implementationCode: filing.implementationCode });
    const deliveries = await sim.emit('province.case-filed', filing.provincialCaseNo, filing);
    res.status(201).json({ provincialCaseNo: filing.provincialCaseNo, deliveries });
  });
}

/** Starts the provincial platform simulator. */
export async function startProvinceSimulator(opts: SimulatorOptions): Promise<RunningSimulator<ProvinceControl>> {
  const x = new Exchange();
  const state = { save: () => x.save(), load: (data: unknown) => x.load(data) };
  const started = await startSimulator({ name: 'province', options: opts, state, routes: (r, sim) => routes(r, sim, x), control: (r, sim) => control(r, sim, x) });
  return { url: started.url, close: started.close, control: new ProvinceControl(started.url) };
}
