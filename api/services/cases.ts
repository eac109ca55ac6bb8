/**
 * Case use cases: file, read, complete a task, rate. The API never changes a case by writing
 * SQL: it starts the case workflow or sends it an update; it reads the projected read model.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import { assuranceLevelNames, isAssuranceLevel, meetsLevel, type AssuranceLevel } from '../../adapters/assurance';
import { AppError, badRequest, conflict, forbidden, notFound, validationFailed } from '../../lib/errors';
import { maskPersonalData } from '../../lib/privacy';
import { jurisdictionPrefix, type Principal } from '../auth/principal';
import { clerkRoles, handlerRoles } from './access';
import { checkCitizenId, checkCreditCode } from '../../lib/identity';
import { pinEntry } from '../../lib/catalogue/pin';
import { calendarSnapshot } from '../../lib/calendar/store';
import { chinaDayOf, dayToIso, type CalendarSnapshot } from '../../lib/calendar/working-days';
import { getForm, toFieldProblems, type FormRef } from '../../lib/forms';
import {
  assignTaskUpdate,
  calendarChangedSignal,
  completeTaskUpdate,
  endSpecialProcedureUpdate,
  evaluateUpdate,
  replyCorrectionUpdate,
  reportPreconditionUpdate,
  requestExtensionUpdate,
  withdrawUpdate,
  type CaseStatus,
  type CorrectionReply,
  type Actor,
  type Applicant,
  type CaseInput,
  type CaseView,
  type CompleteTaskRequest,
  type CompleteTaskResult,
  type DeliveryChoice,
  type EvaluationRequest,
  type PinnedImplementation,
  type PreconditionAnswer,
} from '../../workflows/definitions';
import type { SupervisionLevel } from '../../workflows/supervision';
import { CaseStatus as CaseStatusKey, Department, ItemCode } from '../../workflows/search-attributes';
import { stoppedRefusal } from './stopped';
import { mapTemporalError } from './temporal-errors';
import { caseQueries } from './case-query';
import type { IdentityPlatform } from '../../adapters/identity';
import type { CertificatePlatform } from '../../adapters/certificates';
import { attachCorrectionFiles, checkCorrectionFiles, checklist, materialsMissing, recordWaiver, type CorrectionFileRef } from './materials';
import { AdapterRefusal } from '../../adapters/errors';

export interface CaseDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  /** How soon a new case first asks a platform itself when its callback is late (the workflow's default when absent). */
  followUpFirstAskMs?: number;
  /** Checks that an applicant filing online for a legal person acts for it; without it such filings answer 503. */
  identity?: IdentityPlatform;
  /** The e-certificate platform: whether a simulated filing's precondition (模拟审批) is really missing; without it such filings answer 503. */
  certificates?: CertificatePlatform;
  /** The payment platform's public payment page (PAYMENT_CASHIER_URL); the live view links an open order to it. */
  paymentCashierUrl?: string;
}

export interface FileCaseBody {
  implementationCode: string;
  applicant: Applicant;
  channel: 'online' | 'window';
  formData: Record<string, unknown>;
  delivery?: DeliveryChoice;
  /** 模拟审批: file as a simulated case because a precondition of the entry is missing. */
  simulated?: boolean;
}

interface ImplementationEntry extends Omit<PinnedImplementation, 'code' | 'version' | 'itemCode' | 'itemName' | 'department' | 'window' | 'jointHandling'> {
  form: FormRef;
  jointHandling?: boolean;
}

/** The current published version of an implementation entry, as the case will pin it. */
async function pinPublished(db: Db, code: string): Promise<{ pinned: PinnedImplementation; form: FormRef; regionCode: string; minimumAssurance: AssuranceLevel }> {
  const row = await db('implementation_versions as v')
    .join('implementations as i', 'i.code', 'v.implementation_code')
    .join('service_items as s', 's.code', 'i.item_code')
    .join('departments as d', 'd.code', 'i.department_code')
    .where({ 'v.implementation_code': code, 'v.state': 'published' })
    .first<{ version: number; entry: ImplementationEntry; item_code: string; item_name: string; department_code: string; region_code: string; hall_code: string | null } | undefined>(
      'v.version', 'v.entry', 'i.item_code', 's.name as item_name', 'i.department_code', 'd.region_code', 'd.hall_code',
    );
  if (!row) throw notFound(`a published implementation entry "${code}"`);
  const e = row.entry;
  return {
    pinned: pinEntry({
      code, version: row.version, itemCode: row.item_code, itemName: row.item_name, department: row.department_code,
      window: { department: row.hall_code ?? row.department_code, role: 'clerk' },
    }, e),
    form: e.form,
    regionCode: row.region_code,
    minimumAssurance: isAssuranceLevel(e.authLevel) ? e.authLevel : 'basic',
  };
}

/** The China day as YYYY-MM-DD (made once: building an Intl formatter costs far more than using one). */
const chinaDayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Unified case number: region code (6) + filing date in China time (8) + platform serial (8). */
async function nextCaseNumber(db: Db, regionCode: string, at: Date): Promise<string> {
  const { rows } = await db.raw<{ rows: { n: string }[] }>("select nextval('case_serial')::text as n");
  const day = chinaDayFormat
    .format(at)
    .replaceAll('-', '');
  return `${regionCode}${day}${rows[0].n.padStart(8, '0')}`;
}

function hashOf(value: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export interface FiledCase {
  caseNo: string;
  created: boolean;
}

/**
 * Files a case. With an idempotency key, a repeat of the same request returns the same case
 * (and re-starts its workflow if an earlier attempt stopped before that), a different request
 * with the same key is refused.
 */
/** Who files: staff at a window, an applicant online, or an integrator's system. */
export interface Filer {
  kind: 'staff' | 'applicant' | 'integrator';
  id: string;
  /** An applicant's name as proved at sign-in. */
  name?: string;
  /** The hall a clerk works at; the item must be handled there. */
  hall?: string;
  /** The identity assurance the filer proved for the applicant. */
  assurance: AssuranceLevel;
}

export async function fileCase(deps: CaseDeps, body: FileCaseBody, idempotencyKey: string | undefined, filer: Filer): Promise<FiledCase> {
  const { db } = deps;
  const requestHash = hashOf(body);
  if (idempotencyKey) {
    const prior = await db('case_filings').where({ idempotency_key: idempotencyKey }).first<{ case_no: string; request_hash: string; input: CaseInput } | undefined>();
    if (prior) {
      if (prior.request_hash !== requestHash) {
        throw conflict('idempotency-key-reused', `Idempotency-Key "${idempotencyKey}" was used for a different request`);
      }
      await startCaseWorkflow(deps, prior.input);
      return { caseNo: prior.case_no, created: false };
    }
  }

  const { pinned, form, regionCode, minimumAssurance } = await pinPublished(db, body.implementationCode);
  if (filer.hall !== undefined && pinned.window.department !== filer.hall) {
    throw forbidden(`${body.implementationCode} is accepted at hall ${pinned.window.department}, not at yours (${filer.hall})`);
  }
  // Advanced (高级) is proved during the case by a live check; to file, intermediate is the most asked.
  const needed = meetsLevel(minimumAssurance, 'intermediate') ? 'intermediate' : minimumAssurance;
  if (!meetsLevel(filer.assurance, needed)) {
    throw new AppError(403, 'assurance-too-low', 'Identity assurance too low',
      `this item needs identity assurance "${needed}" (${assuranceLevelNames[needed]}); the applicant has proved "${filer.assurance}" (${assuranceLevelNames[filer.assurance]}). Apply at a window, or verify by face or bank card first`);
  }
  const applicant = await filerActsFor(deps, body.applicant, filer, pinned.itemCode);
  const loaded = await getForm(db, form);
  const problems = loaded.validate(body.formData) ? [] : toFieldProblems(loaded.validate.errors, '/formData');
  const idProblem = body.applicant.kind === 'person' ? checkCitizenId(body.applicant.idNumber) : checkCreditCode(body.applicant.idNumber);
  if (idProblem) problems.push({ pointer: '/applicant/idNumber', detail: idProblem });
  const delivery: DeliveryChoice = body.delivery ?? { method: pinned.delivery[0] };
  if (!pinned.delivery.includes(delivery.method)) problems.push({ pointer: '/delivery/method', detail: `this item delivers by ${pinned.delivery.join(', ')}` });
  if (delivery.method === 'courier' && !delivery.address) problems.push({ pointer: '/delivery/address', detail: 'courier delivery needs a name, phone and address' });
  if (problems.length) throw validationFailed(problems);
  const simulation = body.simulated ? { missing: await missingPreconditions(deps, pinned, applicant) } : undefined;

  const filedAt = new Date();
  const caseNo = await nextCaseNumber(db, regionCode, filedAt);
  const input: CaseInput = {
    caseNo,
    implementation: pinned,
    applicant,
    channel: body.channel,
    formData: body.formData,
    delivery,
    filedAt: filedAt.toISOString(),
    ...(deps.followUpFirstAskMs ? { followUp: { firstAskMs: deps.followUpFirstAskMs } } : {}),
    ...(simulation ? { simulation } : {}),
    // 电子监察: the supervision sweep records this case's warnings and alarms from the clock it publishes.
    supervisedBy: 'sweep',
  };
  const inserted = await db('case_filings')
    .insert({
      idempotency_key: idempotencyKey ?? `auto:${caseNo}`, case_no: caseNo, request_hash: requestHash, input: JSON.stringify(input),
      filed_by_kind: filer.kind, filed_by: filer.id,
    })
    .onConflict('idempotency_key')
    .ignore()
    .returning('case_no');
  if (inserted.length === 0) return fileCase(deps, body, idempotencyKey, filer); // lost a race with the same key
  await startCaseWorkflow(deps, input);
  return { caseNo, created: true };
}

/**
 * An applicant filing online for a legal person must act for it: be its legal representative
 * (per the legal-person base) or an agent (经办人) it has authorised for this item. Checked before
 * the case starts; the filer is written into the application (as the representative or the
 * agent) so the workflow's real-name check covers them too. A clerk at a window vouches for the
 * people in front of them, an integrator's system for its users; those are left as they are.
 */
async function filerActsFor(deps: CaseDeps, applicant: Applicant, filer: Filer, itemCode: string): Promise<Applicant> {
  if (filer.kind !== 'applicant' || applicant.kind !== 'legal_person') return applicant;
  const refuse = (detail: string) => new AppError(403, 'not-acting-for-legal-person', 'Not acting for this legal person', detail);
  if (!filer.name) throw refuse('the signed-in applicant has no proved name');
  if (!deps.identity) throw new AppError(503, 'identity-unavailable', 'Identity platform not configured', 'filing for a legal person online needs IDENTITY_URL');
  const me = { idNumber: filer.id, name: filer.name };
  const creditProblem = checkCreditCode(applicant.idNumber);
  if (creditProblem) throw validationFailed([{ pointer: '/applicant/idNumber', detail: creditProblem }]);
  try {
    const asRep = await deps.identity.verifyLegalPerson({ creditCode: applicant.idNumber, name: applicant.name, legalRepresentative: me });
    if (asRep.result === 'match') return { ...applicant, legalRepresentative: me, agent: undefined };
    if (asRep.result === 'unknown') throw refuse(`${applicant.idNumber} is not in the legal-person base`);
    if (asRep.mismatches.includes('name')) throw refuse(`the name does not match the legal-person base for ${applicant.idNumber}`);
    const auth = await deps.identity.checkAuthorisation({ creditCode: applicant.idNumber, agentIdNumber: filer.id, scope: itemCode });
    if (auth.authorised) {
      // The representative an agent names gets to see the case: it must be the real one.
      if (applicant.legalRepresentative) {
        const named = await deps.identity.verifyLegalPerson({ creditCode: applicant.idNumber, name: applicant.name, legalRepresentative: applicant.legalRepresentative });
        if (named.result !== 'match') throw validationFailed([{ pointer: '/applicant/legalRepresentative', detail: 'this is not the legal representative registered in the legal-person base' }]);
      }
      return { ...applicant, agent: me };
    }
  } catch (err) {
    if (err instanceof AdapterRefusal) throw refuse(err.message);
    throw err;
  }
  throw refuse(`you are neither the legal representative of ${applicant.idNumber} nor an agent it has authorised for item ${itemCode}; ask the legal representative to authorise you, or apply at a window`);
}

/**
 * 模拟审批: the preconditions a simulated filing lacks. Refused when the entry does not allow
 * simulation, and when nothing is missing (every e-certificate precondition is held: file a
 * formal case). A material precondition cannot have been supplied to a case not yet filed: it
 * counts as missing until the applicant supplies it (POST /cases/{caseNo}/precondition).
 */
async function missingPreconditions(deps: CaseDeps, pinned: PinnedImplementation, applicant: Applicant): Promise<string[]> {
  const rule = pinned.simulation;
  if (!rule) throw new AppError(422, 'simulation-not-allowed', 'Simulated approval not allowed', `${pinned.code} does not allow simulated approval (模拟审批): file it as a formal case`);
  const missing: string[] = [];
  for (const p of rule.preconditions) {
    if (p.certificateType) {
      if (!deps.certificates) throw new AppError(503, 'certificates-unavailable', 'E-certificate platform not configured', 'checking a simulated filing\'s preconditions needs CERTIFICATES_URL');
      let held: { type: string }[];
      try {
        held = await deps.certificates.listByHolder(applicant.idNumber, p.certificateType);
      } catch (err) {
        if (err instanceof AdapterRefusal) throw validationFailed([{ pointer: '/applicant/idNumber', detail: err.message }]);
        throw err;
      }
      if (held.some((d) => d.type === p.certificateType)) continue;
    }
    missing.push(p.id);
  }
  if (missing.length === 0) {
    throw conflict('preconditions-present', `every precondition of ${pinned.code} is met (${rule.preconditions.map((p) => p.name).join('、')}): file a formal case, not a simulated one`);
  }
  return missing;
}

export interface PreconditionBody {
  /** Changed form fields since the review (merged over the case's form, which must stay valid). */
  formData?: Record<string, unknown>;
  /** Files uploaded to this case (POST /cases/{caseNo}/materials) that supply a material, e.g. the precondition's. */
  files?: string[];
  note?: string;
}

/** The case (`c`) with the version of its entry it was filed under (`v`). */
function withEntry(db: Db, caseNo: string) {
  return db('cases as c')
    .join('implementation_versions as v', function () {
      this.on('v.implementation_code', '=', 'c.implementation_code').andOn('v.version', '=', 'c.implementation_version');
    })
    .where('c.case_no', caseNo);
}

/**
 * 模拟审批: a precondition has appeared, or the applicant brings changes: the case checks every
 * precondition (asking the e-certificate platform) and answers what is still missing; when none
 * is, it converts. The files named must be this case's uploads of one of the entry's materials.
 */
export async function reportPrecondition(deps: CaseDeps, caseNo: string, body: PreconditionBody, by: string): Promise<PreconditionAnswer> {
  const row = await withEntry(deps.db, caseNo).first<{ entry: { form: FormRef }; simulation_state: string | null } | undefined>('v.entry', 'c.simulation_state');
  if (!row) throw notFound(`case ${caseNo}`);
  if (!row.simulation_state) throw conflict('not-simulated', `case ${caseNo} is not a simulated case (模拟审批)`);
  if (body.formData) {
    const view = await currentView(deps, caseNo);
    const form = await getForm(deps.db, row.entry.form);
    if (!form.validate({ ...view.formData, ...body.formData })) throw validationFailed(toFieldProblems(form.validate.errors, '/formData'));
  }
  const materials: { materialId: string; fileId: string }[] = [];
  if (body.files?.length) {
    const stored = await deps.db('case_materials').where({ case_no: caseNo }).whereIn('id', body.files).select<{ id: string; material_id: string | null }[]>('id', 'material_id');
    const problems = body.files.flatMap((id, i) => {
      const f = stored.find((x) => x.id === id);
      if (!f) return [{ pointer: `/files/${i}`, detail: `file ${id} was not uploaded to case ${caseNo}` }];
      if (!f.material_id) return [{ pointer: `/files/${i}`, detail: `file ${id} was uploaded for no material of the checklist` }];
      materials.push({ materialId: f.material_id, fileId: f.id });
      return [];
    });
    if (problems.length) throw validationFailed(problems);
  }
  const report = { ...(body.formData ? { formData: body.formData } : {}), ...(materials.length ? { materials } : {}), ...(body.note ? { note: body.note } : {}), by };
  return updateCase(deps, caseNo, by, 'reportPrecondition', () => deps.client.workflow.getHandle(caseNo).executeUpdate(reportPreconditionUpdate, { args: [report] }));
}

/**
 * Starts the case's workflow (once: a repeat finds it started), handing it the working-day
 * calendar as it stands now, so that its first workflow task computes the deadlines without
 * asking for it. The filing keeps the input without the calendar.
 */
async function startCaseWorkflow(deps: CaseDeps, input: CaseInput): Promise<void> {
  const readAt = Date.now();
  const calendar = await calendarSnapshot(deps.db);
  try {
    await deps.client.workflow.start('caseWorkflow', {
      workflowId: input.caseNo,
      taskQueue: deps.taskQueue,
      args: [{ ...input, calendar }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: ItemCode, value: input.implementation.itemCode },
        { key: Department, value: input.implementation.department },
        { key: CaseStatusKey, value: 'filed' },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return;
  }
  if (Date.now() - readAt > LATE_START_MS) await tellIfCalendarMoved(deps, input.caseNo, calendar);
}

/**
 * A calendar change tells the cases it can see twice, a minute apart (activities/calendar.ts): a
 * case whose start reached Temporal long after the API read the calendar may have been missed by
 * both, so the API looks again itself once a start took longer than this.
 */
const LATE_START_MS = 20_000;

/** Tells the case the calendar changed when it is no longer the one the case was handed. */
export async function tellIfCalendarMoved(deps: Pick<CaseDeps, 'db' | 'client'>, caseNo: string, handed: CalendarSnapshot): Promise<boolean> {
  const now = await calendarSnapshot(deps.db);
  if (JSON.stringify(now) === JSON.stringify(handed)) return false;
  await deps.client.workflow.getHandle(caseNo).signal(calendarChangedSignal, { from: dayToIso(chinaDayOf(new Date())), reason: '办件启动时工作日历已调整' });
  return true;
}

/**
 * 404 unless the case was filed. The filing row is written before the workflow starts, so this
 * holds even before the case's first projection lands.
 */
export async function assertFiled(db: Db, caseNo: string): Promise<void> {
  const row = await db('case_filings').where({ case_no: caseNo }).first<{ case_no: string } | undefined>('case_no');
  if (!row) throw notFound(`case ${caseNo}`);
}

/** An instant as JSON gives it (`Date#toISOString`: UTC, milliseconds, `Z`), formatted by the database. */
const isoSql = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The case view's parts besides the case row, each gathered into JSON by the database, so the
 * whole view is one round trip (a polled view is read again whenever its version moves). Events
 * come in time order: the supervision sweep's are numbered apart (from SWEEP_SEQ_BASE) and take
 * their place at the instant they fell due.
 */
const caseViewParts = `
  (select coalesce(json_agg(json_build_object('seq', e.seq, 'type', e.type, 'at', ${isoSql('e.at')}, 'actor', e.actor, 'payload', e.payload) order by e.at, e.seq), '[]')
     from case_events e where e.case_no = c.case_no) as view_events,
  (select coalesce(json_agg(json_build_object(
            'taskId', t.id, 'caseNo', t.case_no, 'kind', t.kind, 'stepId', t.step_id, 'stepName', t.step_name, 'department', t.department_code,
            'role', t.role, 'status', t.status, 'assignee', t.assignee, 'actions', t.actions, 'detail', t.detail, 'outcome', t.outcome,
            'dueAt', ${isoSql('t.due_at')}, 'createdAt', ${isoSql('t.created_at')}, 'closedAt', ${isoSql('t.closed_at')}) order by t.created_at, t.id), '[]')
     from tasks t where t.case_no = c.case_no) as view_tasks,
  (select coalesce(json_agg(json_build_object('materialId', r.material_id, 'materialName', r.material_name, 'certificateNo', r.certificate_no,
            'certificateType', r.certificate_type, 'replacedAt', ${isoSql('r.replaced_at')}) order by r.material_id), '[]')
     from certificate_replacements r where r.case_no = c.case_no) as view_certificate_materials,
  f.filed_by_kind as view_filed_by_kind, f.filed_by as view_filed_by,
  (select coalesce(json_object_agg(s.id, s.name), '{}') from staff_users s where s.id in (
      select e.actor from case_events e where e.case_no = c.case_no
      union select who from tasks t, unnest(array[t.assignee, t.outcome->>'by']) as who where t.case_no = c.case_no
      union select f.filed_by where f.filed_by_kind = 'staff')) as view_staff_names`;

export async function getCase(db: Db, caseNo: string) {
  const row = await db('cases as c')
    .leftJoin('case_filings as f', 'f.case_no', 'c.case_no')
    .where('c.case_no', caseNo)
    .first<Record<string, unknown> | undefined>('c.*', db.raw(caseViewParts));
  if (!row) throw notFound(`case ${caseNo}`);
  return {
    ...caseRow(row),
    filedBy: filedByView(row.view_filed_by_kind as string | null, row.view_filed_by as string | null),
    events: row.view_events as { seq: number; type: string; at: string; actor: string | null; payload: Record<string, unknown> }[],
    tasks: row.view_tasks as ReturnType<typeof taskRow>[],
    certificateMaterials: row.view_certificate_materials as { materialId: string; materialName: string; certificateNo: string; certificateType: string; replacedAt: string }[],
    staffNames: row.view_staff_names as Record<string, string>,
  };
}

/** Who filed the case (for whom is `applicant`): a clerk, an applicant online (by ID number, masked like any), or an integrator's key. */
function filedByView(kind: string | null, id: string | null) {
  if (!kind || !id) return null;
  if (kind === 'applicant') return { kind, idNumber: id };
  if (kind === 'staff') return { kind, staffId: id };
  return { kind, keyId: id };
}

export interface CaseListFilter {
  status?: string;
  department?: string;
  itemCode?: string;
  supervisionState?: string;
  filedFrom?: string;
  filedTo?: string;
  cursor?: string;
  limit: number;
}

function encodeCursor(filedAt: Date, caseNo: string): string {
  return Buffer.from(`${filedAt.toISOString()}|${caseNo}`).toString('base64url');
}

export function decodeCursor(cursor: string): { filedAt: Date; caseNo: string } | undefined {
  const [at, caseNo] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const filedAt = new Date(at ?? '');
  if (Number.isNaN(filedAt.getTime()) || !/^[0-9]{22}$/.test(caseNo ?? '')) return undefined;
  return { filedAt, caseNo };
}

/**
 * Cases the caller may see, newest first, with personal data masked; `nextCursor` continues
 * the list (keyset pagination on filing time and case number).
 */
export async function listCases(db: Db, p: Principal, f: CaseListFilter) {
  const q = db('cases as c').orderBy([{ column: 'c.filed_at', order: 'desc' }, { column: 'c.case_no', order: 'desc' }]).limit(f.limit + 1);
  if (p.kind === 'applicant') {
    // Their own cases, the cases they filed (for a company), and their company's as its legal representative.
    void q.where((w) => void w.whereRaw(`c.applicant->>'idNumber' = ?`, [p.idNumber])
      .orWhereRaw(`c.applicant->'legalRepresentative'->>'idNumber' = ?`, [p.idNumber])
      .orWhereIn('c.case_no', db('case_filings').where({ filed_by_kind: 'applicant', filed_by: p.idNumber }).select('case_no')));
  }
  else if (p.kind === 'integrator') void q.whereIn('c.case_no', db('case_filings').where({ filed_by_kind: 'integrator', filed_by: p.keyId }).select('case_no'));
  else if (p.kind === 'staff') {
    // The departments whose cases the caller sees, as constants, so the department index serves the list.
    const codes = (await db('departments').where((w) => {
      void w.whereRaw('false');
      if (p.roles.some((r) => clerkRoles.includes(r))) void w.orWhere('hall_code', p.department).orWhere('code', p.department);
      if (p.roles.some((r) => handlerRoles.includes(r))) void w.orWhere('code', p.department);
      if (p.roles.includes('supervisor')) void w.orWhere('region_code', 'like', `${jurisdictionPrefix(p)}%`);
    }).pluck('code')) as string[];
    void q.whereIn('c.department_code', codes);
  } else void q.whereRaw('false');
  if (f.status) void q.where('c.status', f.status);
  if (f.department) void q.where('c.department_code', f.department);
  if (f.itemCode) void q.where('c.item_code', f.itemCode);
  if (f.supervisionState) void q.where('c.supervision_state', f.supervisionState);
  if (f.filedFrom) void q.where('c.filed_at', '>=', f.filedFrom);
  if (f.filedTo) void q.where('c.filed_at', '<', f.filedTo);
  if (f.cursor) {
    const c = decodeCursor(f.cursor);
    if (!c) throw badRequest('cursor is not one this API gave out');
    void q.whereRaw('(c.filed_at, c.case_no) < (?, ?)', [c.filedAt, c.caseNo]);
  }
  const rows: Record<string, unknown>[] = await q.select('c.*');
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    cases: page.map((r) => maskPersonalData(caseRow(r))),
    nextCursor: rows.length > f.limit && last ? encodeCursor(last.filed_at as Date, last.case_no as string) : null,
  };
}

export interface InboxFilter {
  department: string;
  roles: string[];
  status: 'open' | 'done';
  /** overdue: past due; soon: due within a day; normal: later or no due date. */
  due?: 'overdue' | 'soon' | 'normal';
  /** mine: claimed by the caller; unclaimed: claimed by nobody. */
  assignee?: 'mine' | 'unclaimed';
  /** One of the caller's roles, to see only its tasks. */
  role?: string;
  userId: string;
  limit: number;
  offset: number;
}

/** The inbox (待办) of a department and roles, oldest first, with counts by due state. */
export async function inbox(db: Db, f: InboxFilter) {
  const base = () => db('tasks as t').where('t.department_code', f.department).whereIn('t.role', f.roles).andWhere('t.status', f.status);
  const q = base().join('cases as c', 'c.case_no', 't.case_no').orderBy([{ column: 't.due_at', order: 'asc', nulls: 'last' }, { column: 't.created_at', order: 'asc' }]).limit(f.limit).offset(f.offset);
  const soon = db.raw(`now() + interval '1 day'`);
  if (f.due === 'overdue') void q.where('t.due_at', '<', db.fn.now());
  if (f.due === 'soon') void q.where('t.due_at', '>=', db.fn.now()).andWhere('t.due_at', '<', soon);
  if (f.due === 'normal') void q.where((w) => void w.whereNull('t.due_at').orWhere('t.due_at', '>=', soon));
  if (f.assignee === 'mine') void q.where('t.assignee', f.userId);
  if (f.assignee === 'unclaimed') void q.whereNull('t.assignee');
  if (f.role) void q.where('t.role', f.role);
  const [rows, counts] = await Promise.all([
    q.leftJoin('staff_users as s', 's.id', 't.assignee').select('t.*', 'c.item_name', 'c.item_code', 'c.supervision_state', 's.name as assignee_name'),
    base().first<{ total: string; overdue: string; soon: string }>(
      db.raw('count(*) as total'),
      db.raw(`count(*) filter (where t.due_at < now()) as overdue`),
      db.raw(`count(*) filter (where t.due_at >= now() and t.due_at < now() + interval '1 day') as soon`),
    ),
  ]);
  return {
    tasks: rows.map((r: Record<string, unknown>) => ({ ...taskRow(r), assigneeName: r.assignee_name ?? null, itemName: r.item_name, itemCode: r.item_code, supervisionState: r.supervision_state })),
    counts: { total: Number(counts?.total ?? 0), overdue: Number(counts?.overdue ?? 0), soon: Number(counts?.soon ?? 0) },
  };
}

export type CompleteTaskBody = Omit<CompleteTaskRequest, 'taskId' | 'actor'> & {
  /** With `accept` while required materials are missing: why the clerk accepts anyway (kept beside each missing material). */
  missingMaterialsReason?: string;
};

async function caseOfTask(db: Db, taskId: string): Promise<string> {
  return (await taskOf(db, taskId)).case_no;
}

async function taskOf(db: Db, taskId: string) {
  const task = await db('tasks').where({ id: taskId }).first<{ case_no: string; kind: string; department_code: string; role: string } | undefined>('case_no', 'kind', 'department_code', 'role');
  if (!task) throw notFound(`task ${taskId}`);
  return task;
}

/**
 * Sends an update to a case and maps what comes back; a refusal by the case is recorded in the
 * audit log with its reason before the API answers.
 */
export async function updateCase<T>(deps: CaseDeps, caseNo: string, actor: string, action: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    // The case is in the read model (every caller checks), so a workflow Temporal does not find
    // has closed (or left the cluster by retention), whatever words the server uses for it.
    // A workflow that stopped without the case ending (terminated by an operator, failed) is not a closed case.
    const mapped = (await stoppedRefusal(deps.client, caseNo, err))
      ?? (err instanceof WorkflowNotFoundError ? conflict('case-closed', `${caseNo} is closed and accepts no further actions`) : mapTemporalError(err, caseNo));
    if (mapped instanceof AppError) {
      await deps.db('audit_log').insert({ actor, action: `refused.${action}`, case_no: caseNo, detail: JSON.stringify({ status: mapped.status, reason: mapped.message }) });
    }
    throw mapped;
  }
}

/**
 * Completes a task. Acceptance of a pre-check is refused here (422 materials-missing), before
 * the update reaches the case, while a required material of the stored checklist is missing and
 * the clerk gave no reason; with a reason, the opinion carries it and each missing material keeps it.
 */
export async function completeTask(deps: CaseDeps, taskId: string, actor: Actor, body: CompleteTaskBody): Promise<CompleteTaskResult> {
  const task = await taskOf(deps.db, taskId);
  const caseNo = task.case_no;
  const { missingMaterialsReason, ...request } = body;
  // Kept as written (only a blank one counts as none), so the record says exactly what the clerk wrote.
  const reason = missingMaterialsReason?.trim() ? missingMaterialsReason : undefined;
  if (missingMaterialsReason !== undefined && body.action !== 'accept') throw validationFailed([{ pointer: '/missingMaterialsReason', detail: '只有受理时才需要填写缺少材料的理由' }]);
  let waived: string[] = [];
  // Only for who may accept this task: anyone else still gets the case's own refusal.
  if (body.action === 'accept' && task.kind === 'precheck' && task.department_code === actor.department && actor.roles.includes(task.role)) {
    const list = await checklist(deps.db, caseNo);
    if (list.missingRequired.length > 0) {
      if (!reason) {
        const refusal = materialsMissing(list);
        await deps.db('audit_log').insert({ actor: actor.userId, action: 'refused.completeTask', case_no: caseNo, detail: JSON.stringify({ status: refusal.status, reason: refusal.message }) });
        throw refusal;
      }
      waived = list.missingRequired;
      const names = list.materials.filter((m) => waived.includes(m.materialId)).map((m) => m.name).join('、');
      request.opinion = [request.opinion.trim(), `缺少${names}，先行受理，理由：${reason}`].filter(Boolean).join('。');
    }
  }
  const result = await updateCase(deps, caseNo, actor.userId, 'completeTask', () =>
    deps.client.workflow.getHandle(caseNo).executeUpdate(completeTaskUpdate, { args: [{ ...request, taskId, actor }] }));
  if (waived.length && reason) await recordWaiver(deps.db, actor.userId, caseNo, waived, reason);
  return result;
}

export async function assignTask(deps: CaseDeps, taskId: string, actor: Actor, op: 'claim' | 'release' | 'reassign', assignee?: Actor) {
  const caseNo = await caseOfTask(deps.db, taskId);
  return updateCase(deps, caseNo, actor.userId, `${op}Task`, () =>
    deps.client.workflow.getHandle(caseNo).executeUpdate(assignTaskUpdate, { args: [{ taskId, op, actor, assignee }] }));
}

export async function evaluate(deps: CaseDeps, caseNo: string, body: EvaluationRequest): Promise<void> {
  await assertFiled(deps.db, caseNo); // 404 for an unknown case before asking Temporal
  await updateCase(deps, caseNo, 'applicant', 'evaluate', () => deps.client.workflow.getHandle(caseNo).executeUpdate(evaluateUpdate, { args: [body] }));
}

export type CorrectionReplyBody = CorrectionReply & {
  /** Uploaded files of this case (POST /materials) the reply brings, each with the problem of the notice it answers. */
  files?: CorrectionFileRef[];
};

/**
 * The applicant's correction: the corrected form must pass the item's form schema whole; the
 * files it names must be this case's uploads, each answering a problem of the open notice. Once
 * the case takes the reply, the files are attached beside their problems.
 */
export async function replyCorrection(deps: CaseDeps, caseNo: string, body: CorrectionReplyBody): Promise<CaseStatus> {
  const { files, ...reply } = body;
  const row = await withEntry(deps.db, caseNo).first<{ entry: { form: FormRef } } | undefined>('v.entry');
  if (!row) throw notFound(`case ${caseNo}`);
  const view = reply.formData || files?.length ? await currentView(deps, caseNo) : undefined;
  if (reply.formData && view) {
    const current = view.formData;
    const form = await getForm(deps.db, row.entry.form);
    const merged = { ...current, ...reply.formData };
    if (!form.validate(merged)) throw validationFailed(toFieldProblems(form.validate.errors, '/formData'));
  }
  let attach: { id: string; problem: string }[] = [];
  if (files?.length && view) {
    if (!view.correction) throw conflict('no-correction-open', `case ${caseNo} is not waiting for a correction`);
    attach = await checkCorrectionFiles(deps.db, caseNo, files, view.correction.problems);
    // The case's own record names the files too (全程留痕).
    const names = await deps.db('case_materials').where({ case_no: caseNo }).whereIn('id', attach.map((f) => f.id)).pluck('file_name') as string[];
    reply.materials = [...(reply.materials ?? []), ...names].slice(0, 100);
  }
  const status = await updateCase(deps, caseNo, 'applicant', 'replyCorrection', () => deps.client.workflow.getHandle(caseNo).executeUpdate(replyCorrectionUpdate, { args: [reply] }));
  await attachCorrectionFiles(deps.db, caseNo, attach);
  return status;
}

async function queryView(deps: CaseDeps, caseNo: string) {
  try {
    return await caseQueries(deps.client).view(caseNo);
  } catch (err) {
    throw mapTemporalError(err, caseNo);
  }
}

export async function withdraw(deps: CaseDeps, caseNo: string, reason: string): Promise<CaseStatus> {
  await assertFiled(deps.db, caseNo);
  return updateCase(deps, caseNo, 'applicant', 'withdraw', () => deps.client.workflow.getHandle(caseNo).executeUpdate(withdrawUpdate, { args: [{ reason }] }));
}

export async function requestExtension(deps: CaseDeps, caseNo: string, actor: Actor, reason: string) {
  await assertFiled(deps.db, caseNo);
  return updateCase(deps, caseNo, actor.userId, 'requestExtension', () => deps.client.workflow.getHandle(caseNo).executeUpdate(requestExtensionUpdate, { args: [{ reason, actor }] }));
}

export async function endSpecialProcedure(deps: CaseDeps, caseNo: string, actor: Actor, result: string): Promise<CaseStatus> {
  await assertFiled(deps.db, caseNo);
  return updateCase(deps, caseNo, actor.userId, 'endSpecialProcedure', () => deps.client.workflow.getHandle(caseNo).executeUpdate(endSpecialProcedureUpdate, { args: [{ result, actor }] }));
}

/** What case_live_views keeps of the live view (patch live-view): the view, without the form while it is the form filed. */
type StoredView = Omit<CaseView, 'formData'> & { formData?: Record<string, unknown> };

const fromRow = (row: LiveRow, stored: StoredView): CaseView => ({ ...stored, formData: stored.formData ?? row.form_data });

const readLiveRow = (db: Db, caseNo: string) => db('cases as c').leftJoin('case_live_views as v', 'v.case_no', 'c.case_no').where('c.case_no', caseNo)
  .first<LiveRow | undefined>('v.view as live_view', 'c.form_data', 'c.supervised_by', 'c.supervision_state', 'c.statutory_overdue');

/**
 * The case's view as it stands, for a check before an action (the form a correction merges into,
 * whether a case still runs): the view it keeps in the read model, written before any action on it
 * answered, or, for a case begun before that, its query.
 */
export async function currentView(deps: CaseDeps, caseNo: string): Promise<CaseView> {
  const row = await readLiveRow(deps.db, caseNo);
  return row?.live_view ? fromRow(row, row.live_view) : queryView(deps, caseNo);
}

type LiveRow = { live_view: StoredView | null; form_data: Record<string, unknown>; supervised_by: string | null; supervision_state: SupervisionLevel; statutory_overdue: boolean };

/**
 * The live view of a case (status, open tasks, clock, payment …): the view its workflow keeps in
 * case_live_views with every batch it writes, so reading it never waits on the worker. A case filed a
 * moment ago has no row yet: `awaitRow` (the route's wait for the case's notification) may wait
 * for its first batch. A case begun before the live view was kept, or whose row still is not
 * there, is asked by a query.
 */
export async function liveView(deps: CaseDeps, caseNo: string, awaitRow?: (read: () => Promise<LiveRow | undefined>) => Promise<LiveRow | undefined>) {
  await assertFiled(deps.db, caseNo);
  const read = () => readLiveRow(deps.db, caseNo);
  const [first, steps] = await Promise.all([
    read(),
    // Each step's latest clock (a step run again has a new one), for the steps the sweep supervises.
    deps.db('step_clocks').where({ case_no: caseNo }).distinctOn('step_id').orderBy([{ column: 'step_id' }, { column: 'opened_at', order: 'desc' }]).select<{ step_id: string; level: SupervisionLevel }[]>('step_id', 'level'),
  ]);
  const row = first ?? (awaitRow ? await awaitRow(read) : undefined);
  const base = row?.live_view ? fromRow(row, row.live_view) : await queryView(deps, caseNo);
  // A swept case's clock levels (and its swept steps') are the supervision sweep's record, not the workflow's.
  const stepLevels = { ...base.supervision.steps, ...Object.fromEntries(steps.map((r) => [r.step_id, r.level])) };
  const view = row?.supervised_by === 'sweep' ? { ...base, supervision: { ...base.supervision, level: row.supervision_state, statutoryOverdue: row.statutory_overdue, steps: stepLevels } } : base;
  // An open order links to the payment platform's page, where the applicant pays and comes back.
  if (view.payment?.status === 'open' && deps.paymentCashierUrl) {
    return { ...view, payment: { ...view.payment, cashierUrl: `${deps.paymentCashierUrl}?order=${encodeURIComponent(view.payment.paymentId)}` } };
  }
  return view;
}


function caseRow(r: Record<string, unknown>) {
  return {
    caseNo: r.case_no,
    implementationCode: r.implementation_code,
    implementationVersion: r.implementation_version,
    itemCode: r.item_code,
    itemName: r.item_name,
    department: r.department_code,
    status: r.status,
    channel: r.channel,
    applicant: r.applicant,
    formData: r.form_data,
    currentSteps: r.current_steps,
    supervisionState: r.supervision_state,
    filedAt: r.filed_at,
    acceptedAt: r.accepted_at,
    decision: r.decision,
    statutoryDeadline: r.statutory_deadline,
    promisedDeadline: r.promised_deadline,
    /** A deadline reaching into a year the calendar does not hold yet: it moves when that year is imported. */
    deadlineProvisional: r.deadline_provisional,
    completedAt: r.completed_at,
    updatedAt: r.updated_at,
    /** 模拟审批: null on a formal case. */
    simulation: r.simulation_state ? {
      state: r.simulation_state, simulatedDays: r.simulated_days, formalDays: r.formal_days, preconditionMetAt: r.precondition_met_at, lapseAt: r.simulation_lapse_at,
    } : null,
  };
}

function taskRow(r: Record<string, unknown>) {
  return {
    taskId: r.id,
    caseNo: r.case_no,
    kind: r.kind,
    stepId: r.step_id,
    stepName: r.step_name,
    department: r.department_code,
    role: r.role,
    status: r.status,
    assignee: r.assignee,
    actions: r.actions,
    detail: r.detail,
    outcome: r.outcome,
    dueAt: r.due_at,
    createdAt: r.created_at,
    closedAt: r.closed_at,
  };
}
