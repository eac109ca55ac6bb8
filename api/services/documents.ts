/**
 * The documents a case issues (文书), each with its own number: the filing receipt (收件回执),
 * the acceptance, correction and refusal-to-accept notices (受理 / 补正 / 不予受理通知书), the
 * decisions (准予 / 不予行政许可决定书) and the proof of service (送达回证).
 *
 * The content comes from the case's own record — the refusal notice quotes the refusal's
 * reasons, never an earlier correction opinion — and a number is given once per case and kind,
 * counted per department, kind and year, so a reprint shows the same number. The words are
 * written once (document-content.ts) and laid out on A4 by the web app (web/src/pages/documents.tsx)
 * and as a PDF (document-pdf.ts).
 */
import type { Db } from '../../lib/db';
import { AppError, conflict, notProjectedYet } from '../../lib/errors';
import { maskPersonalData } from '../../lib/privacy';
import type { CaseAccess } from './access';
import { getCase } from './cases';
import { documentContent, type DocumentContent } from './document-content';

export const documentKinds = ['receipt', 'accept', 'correction', 'reject', 'approval', 'refusal', 'service'] as const;
export type DocumentKind = (typeof documentKinds)[number];

const titles: Record<DocumentKind, string> = {
  receipt: '收件回执',
  accept: '受理通知书',
  correction: '补正材料告知书',
  reject: '不予受理通知书',
  approval: '准予行政许可决定书',
  refusal: '不予行政许可决定书',
  service: '送达回证',
};

/** The word of each kind in its number, e.g. XH-SCJG 准许〔2026〕000012号. */
const numberWords: Record<DocumentKind, string> = {
  receipt: '收', accept: '受', correction: '补正', reject: '不受', approval: '准许', refusal: '不许', service: '送',
};

interface EventRow { seq: number; type: string; at: Date | string; actor: string | null; payload: Record<string, unknown> }
interface TaskView { kind: string; stepName: string; outcome: { action?: string; opinion?: string; by?: string; problems?: string[] } | null; closedAt: string | Date | null }

export interface DocumentView {
  caseNo: string;
  kind: DocumentKind;
  title: string;
  number: string;
  issuedAt: string;
  issuedBy: string;
  issuer: { department: string; name: string };
  applicant: { name: string; idNumber: string; kind: string };
  itemName: string;
  filedAt: string;
  channel: string;
  /** What the body of each kind needs; absent fields do not apply to the kind. */
  acceptedAt?: string | null;
  promisedLimitDays?: number | null;
  statutoryLimitDays?: number | null;
  promisedDeadline?: string | null;
  problems?: string[];
  replyBy?: string | null;
  reasons?: string;
  decision?: { outcome: string; opinion: string; at: string; by: string | null };
  materials?: { name: string; required: boolean }[];
  uploaded?: { materialName: string; fileName: string }[];
  served?: { title: string; number: string | null };
  delivery?: { method: string; at: string | null; waybillNo: string | null };
  certificateNo?: string | null;
  window?: { name: string; address: string; hours: string; phone?: string } | null;
  supervisionPhone?: string | null;
  /** The words of the document, block by block, as the page and the PDF lay them out. */
  content: DocumentContent;
}

const iso = (v: Date | string | null | undefined): string | null => (v == null ? null : new Date(v).toISOString());

/** Made once: building an Intl formatter costs far more than using one. */
const chinaYearFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' });

function chinaYear(at: Date): number {
  return Number(chinaYearFormat.format(at));
}

/** The case's facts a document body quotes, or why the kind does not apply (yet). */
function bodyOf(kind: DocumentKind, c: Awaited<ReturnType<typeof getCase>>, events: EventRow[], tasks: TaskView[]): Partial<DocumentView> | string {
  const last = (type: string) => [...events].reverse().find((e) => e.type === type);
  const decided = last('decided');
  const decision = decided ? { outcome: String(decided.payload.outcome), opinion: (decided.payload.opinion as string | undefined) ?? '', at: iso(decided.at) as string, by: decided.actor } : undefined;
  const row = c as unknown as Record<string, unknown>;
  switch (kind) {
    case 'receipt':
      return {};
    case 'accept':
      if (!row.acceptedAt) return 'the case has not been accepted';
      return { acceptedAt: iso(row.acceptedAt as string), promisedDeadline: iso(row.promisedDeadline as string | null) };
    case 'correction': {
      const asked = last('correction-requested');
      if (!asked) return 'no correction was requested';
      return { problems: (asked.payload.problems as string[] | undefined) ?? [], replyBy: iso(asked.payload.replyBy as string | undefined) };
    }
    case 'reject': {
      // The refusal's own reasons: the last pre-check that refused, not an earlier correction.
      const refusal = [...tasks].reverse().find((x) => x.kind === 'precheck' && x.outcome?.action === 'reject');
      if (!refusal || row.status !== 'not_accepted') return 'the application was not refused at pre-check';
      return { reasons: refusal.outcome?.opinion ?? '', decision: { outcome: 'not_accepted', opinion: refusal.outcome?.opinion ?? '', at: iso(refusal.closedAt) as string, by: refusal.outcome?.by ?? null } };
    }
    case 'approval':
      if (decision?.outcome !== 'approved') return 'the case has no approval';
      return { decision, acceptedAt: iso(row.acceptedAt as string | null) };
    case 'refusal':
      if (decision?.outcome !== 'refused') return 'the case has no refusal';
      return { decision, reasons: decision.opinion, acceptedAt: iso(row.acceptedAt as string | null) };
    case 'service': {
      if (!decision && row.status !== 'not_accepted') return 'nothing has been decided to serve yet';
      const delivered = last('delivered');
      return {
        decision,
        delivery: { method: (delivered?.payload.method as string | undefined) ?? (delivered?.payload.waybillNo ? 'courier' : 'window'), at: iso(delivered?.at ?? null), waybillNo: (delivered?.payload.waybillNo as string | undefined) ?? null },
        certificateNo: (last('certificate-issued')?.payload.certificateNo as string | undefined) ?? null,
      };
    }
  }
}

/** Which document the proof of service accompanies. */
function servedKind(body: Partial<DocumentView>, status: string): DocumentKind {
  if (status === 'not_accepted') return 'reject';
  return body.decision?.outcome === 'refused' ? 'refusal' : 'approval';
}

async function assignNumber(db: Db, caseNo: string, kind: DocumentKind, department: string, by: string): Promise<{ number: string; issued_at: Date; issued_by: string }> {
  return db.transaction(async (trx) => {
    // One number per case and kind, even when two clerks print at once.
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`document:${caseNo}:${kind}`]);
    const existing = await trx('case_documents').where({ case_no: caseNo, kind }).first<{ number: string; issued_at: Date; issued_by: string } | undefined>('number', 'issued_at', 'issued_by');
    if (existing) return existing;
    const now = new Date();
    const year = chinaYear(now);
    const { rows } = await trx.raw<{ rows: { last: number }[] }>(
      `insert into document_counters (department_code, kind, year, last) values (?, ?, ?, 1)
       on conflict (department_code, kind, year) do update set last = document_counters.last + 1 returning last`, [department, kind, year]);
    const number = `${department.toUpperCase()} ${numberWords[kind]}〔${year}〕${String(rows[0].last).padStart(6, '0')}号`;
    await trx('case_documents').insert({ case_no: caseNo, kind, number, issued_at: now, issued_by: by });
    return { number, issued_at: now, issued_by: by };
  });
}

/**
 * The document of `kind` for a case, numbered on first issue. A kind the case does not have
 * (a refusal notice of an accepted case) is a 409; a reader who may not act on the case
 * (a supervisor) sees only documents already issued.
 */
export async function issueDocument(db: Db, access: CaseAccess, caseNo: string, kind: DocumentKind, by: string): Promise<DocumentView> {
  return documentOf(db, await documentSources(db, caseNo), access, kind, by, true);
}

/**
 * A document already issued, never numbering one: a kind the case does not have, or one not
 * issued yet, is a 409 and nothing changes (the PDF download reads this way).
 */
export async function issuedDocument(db: Db, access: CaseAccess, caseNo: string, kind: DocumentKind): Promise<DocumentView> {
  return documentOf(db, await documentSources(db, caseNo), access, kind, '', false);
}

/**
 * Every document the case has, each numbered on first issue, in `documentKinds` order (the
 * approval archive): the case and what the documents quote are read once for all of them.
 */
export async function issueAllDocuments(db: Db, access: CaseAccess, caseNo: string, by: string): Promise<DocumentView[]> {
  const sources = await documentSources(db, caseNo);
  const docs: DocumentView[] = [];
  for (const kind of documentKinds) {
    try {
      docs.push(await documentOf(db, sources, access, kind, by, true));
    } catch (err) {
      if (!(err instanceof AppError && err.status === 409)) throw err; // a kind this case does not have
    }
  }
  return docs;
}

type Implementation = { code: string; version: number; materials?: { name: string; required: boolean }[]; promisedLimitDays?: number; statutoryLimitDays?: number };

/** What a case's documents quote, read in one go: the case, its filing, department, entry, uploads and the numbers issued. */
interface DocumentSources {
  caseNo: string;
  c: Awaited<ReturnType<typeof getCase>>;
  impl: Implementation | undefined;
  departmentName: string | undefined;
  entry: { windows?: { name: string; address: string; hours: string; phone?: string }[]; supervisionPhone?: string } | undefined;
  uploaded: { materialName: string; fileName: string }[];
  /** Numbers issued so far, by kind (kept up to date as documents are numbered). */
  issued: Map<DocumentKind, { number: string; issued_at: Date; issued_by: string }>;
}

async function documentSources(db: Db, caseNo: string): Promise<DocumentSources> {
  const [c, filing, numbers, uploaded] = await Promise.all([
    // The caller's access was checked on the filing; a case the view does not find is one whose
    // first projection is still on its way (the view is one statement: no separate look first).
    getCase(db, caseNo).catch((err: unknown) => {
      throw err instanceof AppError && err.status === 404 ? notProjectedYet(caseNo) : err;
    }),
    db('case_filings').where({ case_no: caseNo }).first<{ input: { implementation: Implementation } } | undefined>('input'),
    db('case_documents').where({ case_no: caseNo }).select<{ kind: DocumentKind; number: string; issued_at: Date; issued_by: string }[]>('kind', 'number', 'issued_at', 'issued_by'),
    db('case_materials').where({ case_no: caseNo }).orderBy('uploaded_at').select<{ materialName: string; fileName: string }[]>('material_name as materialName', 'file_name as fileName'),
  ]);
  const impl = filing?.input.implementation;
  const department = String((c as unknown as Record<string, unknown>).department);
  const [dept, version] = await Promise.all([
    db('departments').where({ code: department }).first<{ name: string } | undefined>('name'),
    impl ? db('implementation_versions').where({ implementation_code: impl.code, version: impl.version }).first<{ entry: DocumentSources['entry'] } | undefined>('entry') : undefined,
  ]);
  return { caseNo, c, impl, departmentName: dept?.name, entry: version?.entry, uploaded, issued: new Map(numbers.map((n) => [n.kind, n])) };
}

async function documentOf(db: Db, s: DocumentSources, access: CaseAccess, kind: DocumentKind, by: string, issue: boolean): Promise<DocumentView> {
  const { caseNo, c, impl } = s;
  const row = c as unknown as Record<string, unknown>;
  const body = bodyOf(kind, c, c.events, c.tasks as unknown as TaskView[]);
  if (typeof body === 'string') throw conflict('document-not-available', `no ${kind} document for case ${caseNo}: ${body}`);
  const department = String(row.department);
  let issued = s.issued.get(kind);
  if (!issued) {
    if (!issue || !access.handles) throw conflict('document-not-issued', `the ${kind} document of case ${caseNo} has not been issued yet`);
    issued = await assignNumber(db, caseNo, kind, department, by);
    s.issued.set(kind, issued);
  }
  const applicant = row.applicant as { name: string; idNumber: string; kind: string };
  const view: Omit<DocumentView, 'content'> = {
    caseNo, kind, title: titles[kind], number: issued.number, issuedAt: new Date(issued.issued_at).toISOString(), issuedBy: issued.issued_by,
    issuer: { department, name: s.departmentName ?? department },
    applicant: access.full ? { name: applicant.name, idNumber: applicant.idNumber, kind: applicant.kind } : maskPersonalData({ name: applicant.name, idNumber: applicant.idNumber, kind: applicant.kind }),
    itemName: String(row.itemName), filedAt: iso(row.filedAt as string) as string, channel: String(row.channel),
    promisedLimitDays: impl?.promisedLimitDays ?? null, statutoryLimitDays: impl?.statutoryLimitDays ?? null,
    window: s.entry?.windows?.[0] ?? null, supervisionPhone: s.entry?.supervisionPhone ?? null,
    ...body,
  };
  if (kind === 'receipt') {
    view.materials = (impl?.materials ?? []).map((m) => ({ name: m.name, required: m.required }));
    view.uploaded = s.uploaded;
  }
  if (kind === 'service') {
    const served = servedKind(body, String(row.status));
    view.served = { title: titles[served], number: s.issued.get(served)?.number ?? null };
  }
  return { ...view, content: documentContent(view) };
}

/** The documents issued for a case so far. */
export async function issuedDocuments(db: Db, caseNo: string): Promise<{ kind: string; title: string; number: string; issuedAt: string }[]> {
  const rows = await db('case_documents').where({ case_no: caseNo }).orderBy('issued_at').select<{ kind: DocumentKind; number: string; issued_at: Date }[]>('kind', 'number', 'issued_at');
  return rows.map((r) => ({ kind: r.kind, title: titles[r.kind], number: r.number, issuedAt: new Date(r.issued_at).toISOString() }));
}
