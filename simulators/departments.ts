/**
 * Simulated department systems (部门自建系统), several in one server: department `code` lives
 * under `/departments/<code>` with its own secret (the simulator's secret unless configured).
 * It receives pushed cases once per case and step, answers verification requests, and sends
 * signed milestone and result callbacks when told to:
 *   POST /_control/milestone { department, caseNo, stepId, round?, milestone }
 *   POST /_control/result    { department, caseNo, stepId, round?, outcome, opinion? }   (round: default the latest pushed)
 *   POST /_control/problems  { value, detail }   a value the verification will object to
 * Each dispatch keeps its milestones and result as they are made, whether or not the callback
 * reached onewindow; GET /departments/<code>/cases/<caseNo>/steps/<stepId>?round= (signed; round
 * default 1) answers with what the department has so far, or 404 `dispatch-not-found` for a case,
 * step and round it never received.
 */
import crypto from 'node:crypto';
import type { Request, Router } from 'express';
import type { DepartmentCallbackData, DepartmentVerification, DispatchStatus, Receipt } from '../adapters/departments';
import { checkCitizenId, checkCreditCode } from '../lib/identity';
import { SimulatorControl } from './control-client';
import { HttpProblem, int, list, notFound, object, optStr, str } from './http-problem';
import { IdempotencyStore, requireKey } from './idempotency';
import { body, startSimulator, type Delivery, type RunningSimulator, type Simulator, type SimulatorOptions } from './kit';

export interface DepartmentSimulatorOptions extends SimulatorOptions {
  /** Department code → its own secret; other codes use `secret`. */
  secrets?: Readonly<Record<string, string>>;
  /** Values the verification objects to, with why (e.g. a revoked licence number). */
  problems?: Readonly<Record<string, string>>;
}

export class DepartmentControl extends SimulatorControl {
  /** The base URL of one department's system, for the client's directory. */
  departmentUrl(code: string): string {
    return `${this.url}/departments/${encodeURIComponent(code)}`;
  }

  async milestone(m: { department: string; caseNo: string; stepId: string; milestone: string }): Promise<Delivery[]> {
    return (await this.send<{ deliveries: Delivery[] }>('POST', '/milestone', m)).deliveries;
  }

  async result(m: { department: string; caseNo: string; stepId: string; outcome: 'approved' | 'refused'; opinion?: string }): Promise<Delivery[]> {
    return (await this.send<{ deliveries: Delivery[] }>('POST', '/result', m)).deliveries;
  }

  async addProblem(value: string, detail: string): Promise<void> {
    await this.send('POST', '/problems', { value, detail });
  }
}

function verifyItems(items: unknown[], problems: Map<string, string>): DepartmentVerification {
  const found: DepartmentVerification['problems'] = [];
  items.forEach((x, i) => {
    const o = object(x, `items[${i}]`);
    const item = str(o, 'name');
    const value = str(o, 'value');
    const known = problems.get(value);
    const format = /身份证|idNumber/i.test(item) ? checkCitizenId(value) : /信用代码|creditCode/i.test(item) ? checkCreditCode(value) : null;
    if (known) found.push({ item, detail: known });
    else if (format) found.push({ item, detail: format });
  });
  return { ok: found.length === 0, problems: found };
}

type Dispatch = DispatchStatus & { department: string };

/** What the department systems hold: each dispatch received (by department, case, step and round) with its progress. */
class Registry {
  readonly dispatches = new Map<string, Dispatch>();
  readonly once = new IdempotencyStore<Receipt>();

  static key(department: string, caseNo: string, stepId: string, round: number): string {
    return `${department}\n${caseNo}\n${stepId}\n${round}`;
  }

  /** The dispatch of a round; without one, the latest round received. */
  get(department: string, caseNo: string, stepId: string, round?: number): Dispatch | undefined {
    if (round !== undefined) return this.dispatches.get(Registry.key(department, caseNo, stepId, round));
    let latest: Dispatch | undefined;
    for (const d of this.dispatches.values()) {
      if (d.department === department && d.caseNo === caseNo && d.stepId === stepId && (!latest || d.round > latest.round)) latest = d;
    }
    return latest;
  }

  save() {
    return { dispatches: [...this.dispatches.values()], once: this.once.save() };
  }

  load(data: unknown): void {
    const d = data as ReturnType<Registry['save']>;
    this.dispatches.clear();
    for (const x of d.dispatches) this.dispatches.set(Registry.key(x.department, x.caseNo, x.stepId, x.round), x);
    this.once.load(d.once);
  }
}

function routes(r: Router, registry: Registry, problems: Map<string, string>, sim: Simulator): void {
  const { once } = registry;

  r.post('/departments/:code/cases', (req, res) => {
    const b = body(req);
    const department = req.params.code;
    const { value, replayed } = once.run(`${department}\n${requireKey(req)}`, b, () => {
      const caseNo = str(b, 'caseNo');
      const stepId = str(b, 'stepId');
      object(b.applicant, 'applicant');
      object(b.formData, 'formData');
      const receipt: Receipt = { receiptNo: `SJ-${crypto.randomUUID().slice(0, 8).toUpperCase()}`, department, receivedAt: new Date().toISOString() };
      // A step run again after a return is pushed again as a new round: a new dispatch, reviewed afresh.
      const round = b.round === undefined ? 1 : int(b, 'round', 1);
      registry.dispatches.set(Registry.key(department, caseNo, stepId, round), { department, caseNo, stepId, round, receiptNo: receipt.receiptNo, receivedAt: receipt.receivedAt, milestones: [], result: null });
      sim.effect('case.received', { department, caseNo, stepId, itemCode: str(b, 'itemCode'), receiptNo: receipt.receiptNo });
      return receipt;
    });
    res.status(replayed ? 200 : 201).json(value);
  });

  r.get('/departments/:code/cases/:caseNo/steps/:stepId', (req, res) => {
    const { round } = req.query;
    if (round !== undefined && (typeof round !== 'string' || !/^[1-9]\d{0,5}$/.test(round))) throw new HttpProblem(400, 'bad-request', 'round 应为正整数');
    const n = round === undefined ? 1 : Number(round);
    const d = registry.get(req.params.code, req.params.caseNo, req.params.stepId, n);
    if (!d) throw new HttpProblem(404, 'dispatch-not-found', `部门 ${req.params.code} 未收到办件 ${req.params.caseNo}（环节 ${req.params.stepId}${n > 1 ? `，第 ${n} 轮` : ''}）`);
    const { department: _department, ...status } = d;
    res.json(status satisfies DispatchStatus);
  });

  r.post('/departments/:code/verify', (req, res) => {
    const b = body(req);
    str(b, 'caseNo');
    res.json(verifyItems(list(b, 'items'), problems));
  });
}

function controlRoutes(r: Router, registry: Registry, problems: Map<string, string>, sim: Simulator, secretOf: (code: string) => string): void {
  const callback = async (req: Request, data: (b: ReturnType<typeof body>) => Omit<DepartmentCallbackData, 'caseNo' | 'stepId' | 'at'>) => {
    const b = body(req);
    const department = str(b, 'department');
    const caseNo = str(b, 'caseNo');
    const stepId = str(b, 'stepId');
    const dispatch = registry.get(department, caseNo, stepId, b.round === undefined ? undefined : int(b, 'round', 1));
    if (!dispatch) throw notFound(`部门 ${department} 收到的办件 ${caseNo}（环节 ${stepId}）`);
    const payload: DepartmentCallbackData = { caseNo, stepId, ...(dispatch.round > 1 ? { round: dispatch.round } : {}), ...data(b), at: new Date().toISOString() };
    // Kept by the department before it tells onewindow, so a status query finds it even if the callback never arrives.
    if (payload.type === 'milestone') dispatch.milestones.push({ milestone: payload.milestone!, at: payload.at });
    else dispatch.result = { outcome: payload.outcome!, opinion: payload.opinion ?? '', at: payload.at };
    sim.effect(`department.${payload.type}`, { department, caseNo, stepId });
    return await sim.emit(`department.${payload.type}`, `${caseNo}/${stepId}`, payload, { secret: secretOf(department), sender: department });
  };

  r.post('/milestone', async (req, res) => {
    res.json({ deliveries: await callback(req, (b) => ({ type: 'milestone', milestone: str(b, 'milestone') })) });
  });
  r.post('/result', async (req, res) => {
    res.json({
      deliveries: await callback(req, (b) => {
        const outcome = str(b, 'outcome');
        if (outcome !== 'approved' && outcome !== 'refused') throw new HttpProblem(400, 'bad-request', 'outcome 应为 approved 或 refused');
        return { type: 'result', outcome, opinion: optStr(b, 'opinion') ?? '' };
      }),
    });
  });
  r.post('/problems', (req, res) => {
    const b = body(req);
    problems.set(str(b, 'value'), str(b, 'detail'));
    res.json({ problems: Object.fromEntries(problems) });
  });
}

/** Starts the department systems simulator; `control.departmentUrl(code)` is each system's base URL. */
export async function startDepartmentSimulator(opts: DepartmentSimulatorOptions): Promise<RunningSimulator<DepartmentControl>> {
  const registry = new Registry();
  const problems = new Map(Object.entries(opts.problems ?? {}));
  const secretOf = (code: string) => opts.secrets?.[code] ?? opts.secret;
  const started = await startSimulator({
    name: 'departments',
    options: opts,
    state: registry,
    routes: (r, sim) => routes(r, registry, problems, sim),
    control: (r, sim) => controlRoutes(r, registry, problems, sim, secretOf),
    callbackSecretFor: (sender) => secretOf(sender),
    secretFor: (req) => {
      const code = /^\/departments\/([^/]+)\//.exec(req.path)?.[1];
      return code === undefined ? undefined : secretOf(decodeURIComponent(code));
    },
  });
  return { url: started.url, close: started.close, control: new DepartmentControl(started.url) };
}
