/**
 * The case's materials checklist (申请材料清单): every material the pinned entry asks for, with
 * its state on the case — paper received at a window, uploaded file(s), replaced by an
 * e-certificate (减材料), or missing — and the files a correction reply attached beside the
 * problem of the notice each answers. The state is the clerk's or the applicant's record; an
 * e-certificate the workflow fetched by itself counts unless someone recorded otherwise.
 *
 * Acceptance (受理) is refused here, before the update reaches the workflow, while a required
 * material is missing, unless the clerk records why (行政许可法 Art. 32: accept only what is
 * complete and in due form, or say why).
 */
import type { Db } from '../../lib/db';
import { AppError, forbidden, notFound, validationFailed, type FieldProblem } from '../../lib/errors';
import type { CertificatePlatform } from '../../adapters/certificates';
import { isExpired } from '../../adapters/certificate-seal';
import { AdapterRefusal } from '../../adapters/errors';
import type { PinnedMaterial } from '../../workflows/definitions';
import { principalRef, type Principal } from '../auth/principal';

export const materialStates = ['paper', 'uploaded', 'certificate', 'missing'] as const;
export type MaterialState = (typeof materialStates)[number];

export interface MaterialFile {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedAt: string;
}

export interface ChecklistEntry {
  materialId: string;
  name: string;
  required: boolean;
  certificateType: string | null;
  state: MaterialState;
  /** Who set the state; null when nobody did and it follows from the files or the workflow's e-certificate. */
  setBy: string | null;
  setAt: string | null;
  certificateNo: string | null;
  waiverReason: string | null;
  files: MaterialFile[];
}

export interface CorrectionFile extends MaterialFile {
  materialId: string | null;
  /** The problem of the correction notice this file answers. */
  answersProblem: string;
  repliedAt: string;
}

export interface Checklist {
  caseNo: string;
  materials: ChecklistEntry[];
  /** Required materials not received: acceptance needs a recorded reason while this is not empty. */
  missingRequired: string[];
  /** Files of correction replies, each beside the problem it answers. */
  corrections: CorrectionFile[];
  /** Files uploaded without naming a material of the checklist. */
  otherFiles: (MaterialFile & { materialName: string })[];
}

/** The materials the case's pinned entry asks for (written with the filing, before the workflow starts); callers check access, which 404s an unknown case, first. */
export async function pinnedMaterials(db: Db, caseNo: string): Promise<PinnedMaterial[]> {
  const row = await db('case_filings').where({ case_no: caseNo })
    .first<{ materials: PinnedMaterial[] | null } | undefined>(db.raw(`input->'implementation'->'materials' as materials`));
  // A case started outside the API (no filing row) asks for nothing the API knows of.
  return row?.materials ?? [];
}

interface FileRow {
  id: string; material_id: string | null; material_name: string; file_name: string; content_type: string; size: number; sha256: string;
  uploaded_at: Date; answers_problem: string | null; replied_at: Date | null;
}

const fileOf = (f: FileRow): MaterialFile => ({ id: f.id, fileName: f.file_name, contentType: f.content_type, size: f.size, sha256: f.sha256, uploadedAt: f.uploaded_at.toISOString() });

export async function checklist(db: Db, caseNo: string): Promise<Checklist> {
  const [pinned, states, files, replaced] = await Promise.all([
    pinnedMaterials(db, caseNo),
    db('case_material_states').where({ case_no: caseNo })
      .select<{ material_id: string; state: MaterialState; certificate_no: string | null; waiver_reason: string | null; set_by: string; set_at: Date }[]>('*'),
    db('case_materials').where({ case_no: caseNo }).orderBy('uploaded_at')
      .select<FileRow[]>('id', 'material_id', 'material_name', 'file_name', 'content_type', 'size', 'sha256', 'uploaded_at', 'answers_problem', 'replied_at'),
    db('certificate_replacements').where({ case_no: caseNo }).select<{ material_id: string; certificate_no: string }[]>('material_id', 'certificate_no'),
  ]);
  const known = new Set(pinned.map((m) => m.id));
  const materials = pinned.map((m): ChecklistEntry => {
    const set = states.find((s) => s.material_id === m.id);
    const own = files.filter((f) => f.material_id === m.id && !f.answers_problem).map(fileOf);
    const answered = files.filter((f) => f.material_id === m.id && f.answers_problem).map(fileOf);
    const cert = replaced.find((r) => r.material_id === m.id);
    const base = { materialId: m.id, name: m.name, required: m.required, certificateType: m.certificateType ?? null, files: [...own, ...answered] };
    if (set) return { ...base, state: set.state, setBy: set.set_by, setAt: set.set_at.toISOString(), certificateNo: set.certificate_no, waiverReason: set.waiver_reason };
    const state: MaterialState = cert ? 'certificate' : own.length + answered.length > 0 ? 'uploaded' : 'missing';
    return { ...base, state, setBy: null, setAt: null, certificateNo: cert?.certificate_no ?? null, waiverReason: null };
  });
  return {
    caseNo,
    materials,
    missingRequired: materials.filter((m) => m.required && m.state === 'missing').map((m) => m.materialId),
    corrections: files.filter((f) => f.answers_problem && f.replied_at)
      .map((f) => ({ ...fileOf(f), materialId: f.material_id, answersProblem: f.answers_problem as string, repliedAt: (f.replied_at as Date).toISOString() })),
    otherFiles: files.filter((f) => !f.answers_problem && (!f.material_id || !known.has(f.material_id))).map((f) => ({ ...fileOf(f), materialName: f.material_name })),
  };
}

export interface StateChange {
  state: MaterialState;
  certificateNo?: string;
}

/**
 * Records one material's state. Paper is received by a clerk at a window; "uploaded" needs a
 * file stored for the material; an e-certificate must exist, be of the material's type, be held
 * by the applicant (or a legal person's representative) and be valid today.
 */
export async function setMaterialState(
  db: Db, certificates: CertificatePlatform | undefined, p: Principal, caseNo: string, materialId: string, change: StateChange,
): Promise<ChecklistEntry> {
  const material = (await pinnedMaterials(db, caseNo)).find((m) => m.id === materialId);
  if (!material) throw notFound(`material "${materialId}" in the checklist of case ${caseNo}`);
  const problems: FieldProblem[] = [];
  if (change.state === 'paper' && p.kind !== 'staff') throw forbidden('纸质材料由窗口工作人员当面收取后登记');
  if (change.state !== 'certificate' && change.certificateNo !== undefined) problems.push({ pointer: '/certificateNo', detail: '只有“电子证照替代”需要填写证照编号' });
  if (change.state === 'uploaded') {
    const file = await db('case_materials').where({ case_no: caseNo, material_id: materialId }).first<{ id: string } | undefined>('id');
    if (!file) problems.push({ pointer: '/state', detail: `“${material.name}”还没有上传文件，请先上传` });
  }
  if (change.state === 'certificate') {
    if (!material.certificateType) problems.push({ pointer: '/state', detail: `“${material.name}”不能用电子证照替代` });
    else if (!change.certificateNo) problems.push({ pointer: '/certificateNo', detail: '请填写电子证照编号' });
    else problems.push(...await certificateProblems(db, certificates, caseNo, material, change.certificateNo));
  }
  if (problems.length) throw validationFailed(problems);
  const by = principalRef(p);
  await db.transaction(async (trx) => {
    await trx('case_material_states')
      .insert({ case_no: caseNo, material_id: materialId, state: change.state, certificate_no: change.certificateNo ?? null, waiver_reason: null, set_by: by, set_at: trx.fn.now() })
      .onConflict(['case_no', 'material_id'])
      .merge();
    await trx('audit_log').insert({ actor: by, action: 'case.material-state', case_no: caseNo, detail: JSON.stringify({ materialId, state: change.state, certificateNo: change.certificateNo ?? null }) });
  });
  const entry = (await checklist(db, caseNo)).materials.find((m) => m.materialId === materialId);
  return entry as ChecklistEntry;
}

async function certificateProblems(db: Db, certificates: CertificatePlatform | undefined, caseNo: string, material: PinnedMaterial, number: string): Promise<FieldProblem[]> {
  if (!certificates) throw new AppError(503, 'certificates-unavailable', 'E-certificate platform not configured', '电子证照库暂不可用，请收取纸质材料');
  const holders = await db('case_filings').where({ case_no: caseNo })
    .first<{ applicant_id: string; representative_id: string | null }>(db.raw(`input->'applicant'->>'idNumber' as applicant_id`), db.raw(`input->'applicant'->'legalRepresentative'->>'idNumber' as representative_id`));
  let doc;
  try {
    doc = await certificates.get(number);
  } catch (err) {
    // Any refusal (unknown number, a malformed one) means there is no such certificate to use.
    if (err instanceof AdapterRefusal) return [{ pointer: '/certificateNo', detail: `电子证照库中没有编号为 ${number} 的证照` }];
    throw err;
  }
  if (doc.type !== material.certificateType) return [{ pointer: '/certificateNo', detail: `该证照是${doc.type}，此材料需要${material.certificateType}` }];
  if (doc.holder.idNumber !== holders?.applicant_id && doc.holder.idNumber !== holders?.representative_id) return [{ pointer: '/certificateNo', detail: '该证照的持证人不是本案申请人' }];
  if (isExpired(doc, new Date())) return [{ pointer: '/certificateNo', detail: `该证照已于 ${doc.validUntil ?? ''} 过期，请提交有效证件` }];
  return [];
}

/** The 422 of an acceptance while required materials are missing and no reason is recorded. */
export function materialsMissing(list: Checklist): AppError {
  const names = list.materials.filter((m) => list.missingRequired.includes(m.materialId)).map((m) => m.name);
  return new AppError(422, 'materials-missing', '必需材料不齐，不能受理',
    `以下必需材料尚未收取：${names.join('、')}。请收取或上传后再受理；确需先行受理的，请填写理由（missingMaterialsReason）`,
    [{ pointer: '/missingMaterialsReason', detail: `缺少必需材料：${names.join('、')}` }]);
}

/** After an acceptance with missing materials, the clerk's reason stays beside each of them. */
export async function recordWaiver(db: Db, by: string, caseNo: string, materialIds: string[], reason: string): Promise<void> {
  if (materialIds.length === 0) return;
  await db.transaction(async (trx) => {
    for (const materialId of materialIds) {
      await trx('case_material_states')
        .insert({ case_no: caseNo, material_id: materialId, state: 'missing', waiver_reason: reason, set_by: by, set_at: trx.fn.now() })
        .onConflict(['case_no', 'material_id'])
        .merge(['waiver_reason', 'set_by', 'set_at']);
    }
    await trx('audit_log').insert({ actor: by, action: 'case.accepted-with-missing-materials', case_no: caseNo, detail: JSON.stringify({ materialIds, reason }) });
  });
}

export interface CorrectionFileRef {
  id: string;
  /** Index of the problem (0-based) in the correction notice this file answers. */
  problem: number;
}

/**
 * Checks the files a correction reply names: uploaded to this case, not yet part of an earlier
 * reply, each answering a problem of the open notice. Returns what to write once the reply is
 * taken by the case.
 */
export async function checkCorrectionFiles(db: Db, caseNo: string, files: CorrectionFileRef[], problems: string[]): Promise<{ id: string; problem: string }[]> {
  const out: FieldProblem[] = [];
  const ids = files.map((f) => f.id);
  const rows = ids.length ? await db('case_materials').where({ case_no: caseNo }).whereIn('id', ids).select<{ id: string; replied_at: Date | null }[]>('id', 'replied_at') : [];
  files.forEach((f, i) => {
    const row = rows.find((r) => r.id === f.id);
    if (!row) out.push({ pointer: `/files/${i}/id`, detail: `本案没有编号为 ${f.id} 的已上传文件` });
    else if (row.replied_at) out.push({ pointer: `/files/${i}/id`, detail: '该文件已随此前的补正提交' });
    if (f.problem >= problems.length) out.push({ pointer: `/files/${i}/problem`, detail: `补正告知只有 ${problems.length} 项` });
    if (ids.indexOf(f.id) !== i) out.push({ pointer: `/files/${i}/id`, detail: '同一文件只能提交一次' });
  });
  if (out.length) throw validationFailed(out);
  return files.map((f) => ({ id: f.id, problem: problems[f.problem] }));
}

/** Attaches a taken correction reply's files to the case, each beside its problem. */
export async function attachCorrectionFiles(db: Db, caseNo: string, files: { id: string; problem: string }[]): Promise<void> {
  if (files.length === 0) return;
  const at = new Date();
  await db.transaction(async (trx) => {
    for (const f of files) await trx('case_materials').where({ case_no: caseNo, id: f.id }).update({ answers_problem: f.problem.slice(0, 500), replied_at: at });
  });
}
