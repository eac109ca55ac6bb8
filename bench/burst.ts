/**
 * The midnight burst: many open cases whose case warnings (预警) fall due at the same instant, as
 * they do when a holiday ends or at midnight of a busy day. One case of the supervision
 * benchmark's item is filed over HTTP; its recorded workflow input is the template for `cases`
 * more, started straight on the engine as instant cases (accepted at once) that all share one
 * filing instant, against a worker whose compressed calendar (supervision-worker.ts) puts every
 * case's warning at the same moment, `leadMs` after the burst began (long enough to start them
 * all). Measured: how long after that instant each warning's row landed in supervision_events
 * (its `recorded_at`), and how long until the last one; the swept cases' warnings are recorded by
 * the supervision sweep, so no case workflow wakes at the instant.
 *
 * Each case's first review step gets the case's limit (burstImplementation), and the worker's
 * calendar puts deadlines at the start of a compressed day, as real ones fall at midnight, so the
 * steps opened on the first day (however long the cases took to start) warn at the case warning's
 * instant too: a midnight brings both, and they are measured apart (`steps`).
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../lib/db';
import type { CaseInput } from '../workflows/definitions';
import { Department, ItemCode } from '../workflows/search-attributes';
import { warnAfterDays } from '../workflows/supervision';
import { readFormFolder } from '../lib/forms';
import type { Auth } from './staff-auth';
import { pool, summarise, type Summary } from './stats';
import { supervisionItem } from './supervision-item';

export interface BurstResult {
  cases: number;
  /** Cases started per second while starting. */
  startRate: number;
  /** From the start to every case accepted, and to the instant, s. */
  readySeconds: number;
  leadSeconds: number;
  /** Warnings due at the instant / recorded within the wait. */
  expected: number;
  recorded: number;
  /** Instant → row in supervision_events, ms. */
  latency: Summary;
  /** Instant → the last warning's row, s. */
  allWithinSeconds: number | null;
  /** The first steps' warnings due at the same instant: recorded, instant → row, the last. */
  steps?: { expected: number; recorded: number; latency: Summary; allWithinSeconds: number | null };
}

/** The burst's promise and its first step's limit (working days): with the item's rule (warn 3 days ahead), both warn after one day. */
const BURST_LIMIT_DAYS = 4;

/**
 * The template's implementation as the burst runs it: an instant case (accepted at once) with a
 * short promise, and a first review step with the same limit, so the case's warning and its first
 * step's fall at the same instant (the start of a compressed day, as real deadlines fall at
 * midnight).
 */
function burstImplementation(template: CaseInput): { impl: CaseInput['implementation']; warnDays: number } {
  const impl = template.implementation;
  const [first, ...rest] = impl.process.steps;
  if (!('limitDays' in first)) throw new Error(`the burst's item starts with a ${first.type} step, which has no limit of its own`);
  const steps = [{ ...first, limitDays: BURST_LIMIT_DAYS }, ...rest];
  const out = { ...impl, caseType: 'instant' as const, promisedLimitDays: BURST_LIMIT_DAYS, process: { ...impl.process, steps } };
  const warnDays = warnAfterDays(BURST_LIMIT_DAYS, impl.supervision);
  const stepRule = 'supervision' in first ? first.supervision : undefined;
  if (warnAfterDays(BURST_LIMIT_DAYS, stepRule ?? impl.supervision) !== warnDays) throw new Error('the burst\'s first step warns on another day than its case');
  return { impl: out, warnDays };
}

export async function runBurst(o: {
  client: Client; db: Db; taskQueue: string; template: CaseInput; cases: number; concurrency: number;
  /** The worker's compressed calendar: days of dayMs from epochMs (burstDays). */
  dayMs: number; epochMs: number;
  onProgress?: (done: number, total: number) => void;
  /** Called a second before the instant, once every case is accepted: the burst's own measurement window begins. */
  atInstant?: () => Promise<void>;
}): Promise<BurstResult> {
  const { impl, warnDays } = burstImplementation(o.template);
  const began = Date.now();
  // Every case is filed and opens its first step on the calendar's first day; its warning and its
  // step's fall at the start of day warnDays + 1.
  const dayMs = o.dayMs;
  const filedAt = new Date(began).toISOString();
  const instant = o.epochMs + (warnDays + 1) * dayMs;
  const prefix = o.template.caseNo.slice(0, 14);
  const caseNumbers = Array.from({ length: o.cases }, (_, i) => `${prefix}${String(90_000_000 + i).padStart(8, '0')}`);
  let started = 0;
  await pool(o.cases, o.concurrency, async (i) => {
    const input: CaseInput = { ...o.template, caseNo: caseNumbers[i], filedAt, implementation: impl };
    await o.client.workflow.start('caseWorkflow', {
      workflowId: input.caseNo, taskQueue: o.taskQueue, args: [input],
      typedSearchAttributes: [{ key: ItemCode, value: impl.itemCode }, { key: Department, value: impl.department }],
    });
    started += 1;
    if (started % 100 === 0) o.onProgress?.(started, o.cases * 2);
  });
  const startSeconds = (Date.now() - began) / 1000;
  // Ready: every case accepted (its first workflow tasks done), so what follows is the burst alone.
  for (;;) {
    const [{ n }] = await o.db('cases').whereIn('case_no', caseNumbers).whereNotNull('accepted_at').count<{ n: string }[]>('* as n');
    if (Number(n) >= o.cases) break;
    // A case accepted after the first compressed day would open its step on another day, due at another instant.
    if (Date.now() > o.epochMs + dayMs) throw new Error(`only ${n} of ${o.cases} cases were accepted within the first compressed day (${(dayMs / 1000).toFixed(0)} s): give a longer --burst-lead-s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const readySeconds = (Date.now() - began) / 1000;
  if (o.atInstant) {
    await new Promise((r) => setTimeout(r, Math.max(0, instant - 1000 - Date.now())));
    await o.atInstant();
  }
  // Three minutes, or 60 ms a case for a big burst, before giving up on the ones not recorded.
  const waitUntil = instant + Math.max(180_000, o.cases * 60);
  const warnings = (scope: 'case' | 'step') => o.db('supervision_events').where({ scope, level: 'warning', cause: scope === 'case' ? 'promised-limit-near' : 'step-limit-near' })
    .andWhere('case_no', '>=', caseNumbers[0]).andWhere('case_no', '<=', caseNumbers[caseNumbers.length - 1]).select<{ recorded_at: Date }[]>('recorded_at');
  let rows: { recorded_at: Date }[];
  let stepRows: { recorded_at: Date }[];
  for (;;) {
    [rows, stepRows] = await Promise.all([warnings('case'), warnings('step')]);
    o.onProgress?.(o.cases + Math.round(((rows.length + stepRows.length) / 2 / o.cases) * o.cases), o.cases * 2);
    if ((rows.length >= o.cases && stepRows.length >= o.cases) || Date.now() > waitUntil) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const latencies = rows.map((r) => r.recorded_at.getTime() - instant);
  const stepLatencies = stepRows.map((r) => r.recorded_at.getTime() - instant);
  return {
    steps: {
      expected: o.cases, recorded: stepRows.length, latency: summarise(stepLatencies),
      allWithinSeconds: stepRows.length >= o.cases ? Math.max(...stepLatencies) / 1000 : null,
    },
    cases: o.cases,
    startRate: o.cases / startSeconds,
    readySeconds,
    leadSeconds: (instant - began) / 1000,
    expected: o.cases,
    recorded: rows.length,
    latency: summarise(latencies),
    allWithinSeconds: rows.length >= o.cases ? Math.max(...latencies) / 1000 : null,
  };
}

export interface BurstFloorResult {
  cases: number;
  leadSeconds: number;
  /** Workflows closed within the wait. */
  recorded: number;
  /** Instant → the workflow closed (its timer fired, its local activity ran), ms. */
  latency: Summary;
  allWithinSeconds: number | null;
}

/**
 * The burst's floor: as many bare workflows (floor-workflow.ts, burstFloorWorkflow) as the burst
 * has cases, all woken at one instant on the floor's worker, each running one empty local
 * activity. How long until the last has closed is what the engine alone needs on this machine.
 */
export async function runBurstFloor(o: { client: Client; taskQueue: string; cases: number; concurrency: number; idPrefix: string; onProgress?: (done: number, total: number) => void }): Promise<BurstFloorResult> {
  const began = Date.now();
  // Long enough to start them all (bare starts run at several hundred a second here).
  const leadMs = 10_000 + o.cases * 8;
  const instant = began + leadMs;
  const ids = Array.from({ length: o.cases }, (_, i) => `${o.idPrefix}-${i}`);
  await pool(o.cases, o.concurrency, async (i) => {
    await o.client.workflow.start('burstFloorWorkflow', { workflowId: ids[i], taskQueue: o.taskQueue, args: [instant] });
  });
  if (Date.now() > instant) throw new Error(`starting ${o.cases} bare workflows took longer than their ${leadMs / 1000} s lead`);
  const waitUntil = instant + 300_000;
  // The bench's dev server is its own: every burstFloorWorkflow on it is this floor's.
  const query = `WorkflowType = 'burstFloorWorkflow'`;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const { count } = await o.client.workflow.count(`${query} AND ExecutionStatus = 'Running'`);
    o.onProgress?.(o.cases - count, o.cases);
    if (count === 0 || Date.now() > waitUntil) break;
  }
  const closed: number[] = [];
  for await (const w of o.client.workflow.list({ query: `${query} AND ExecutionStatus = 'Completed'` })) {
    if (w.closeTime && w.workflowId.startsWith(`${o.idPrefix}-`)) closed.push(w.closeTime.getTime() - instant);
  }
  return {
    cases: o.cases, leadSeconds: leadMs / 1000, recorded: closed.length, latency: summarise(closed),
    allWithinSeconds: closed.length >= o.cases ? Math.max(...closed) / 1000 : null,
  };
}

/** The compressed day the burst's worker counts with, for a lead time: the instant falls `leadMs` after the calendar's epoch. */
export function burstDayMs(template: CaseInput, leadMs: number): number {
  return Math.ceil(leadMs / (burstImplementation(template).warnDays + 1));
}

/** Files one case of the supervision item at the window over HTTP; its recorded workflow input is the burst's template. */
export async function fileTemplate(baseUrl: string, db: Db, auth: Auth): Promise<CaseInput> {
  const hall = await db('departments as d').join('implementations as i', 'i.department_code', 'd.code').where('i.code', supervisionItem.implementationCode).first<{ hall_code: string }>('d.hall_code');
  const clerk = await db('staff_users').where({ department_code: hall.hall_code }).whereRaw("'clerk' = any(roles)").first<{ id: string }>('id');
  const res = await fetch(`${baseUrl}/api/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await auth.staff(clerk.id)) },
    body: JSON.stringify({ implementationCode: supervisionItem.implementationCode, channel: 'window', applicant: { kind: 'person', name: '张三', idNumber: '330106199003073514' }, formData: readFormFolder(supervisionItem.form).example, delivery: { method: 'window' } }),
  });
  const body = (await res.json()) as { caseNo?: string };
  if (!res.ok || !body.caseNo) throw new Error(`filing the burst's template case: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  const filing = await db('case_filings').where({ case_no: body.caseNo }).first<{ input: CaseInput }>('input');
  return filing.input;
}
