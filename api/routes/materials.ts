/**
 * Application materials (申请材料): uploaded as JSON with the file in base64, checked (name, type,
 * size, and the content parsed as a whole file of its type: lib/file-check.ts), kept in PostgreSQL with their SHA-256, listed and downloaded
 * by whoever may see the case. A file name with a path in it, a type that does not match the
 * content, or a case that is already decided: refused, nothing stored.
 *
 * The checklist (api/services/materials.ts): an upload that names a material of the case's
 * entry (`materialId`) marks it uploaded; `PUT /cases/{caseNo}/checklist/{materialId}` records
 * paper received, an e-certificate, or missing.
 */
import { Router } from 'express';
import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import { AppError, conflict, notFound, validationFailed, type FieldProblem } from '../../lib/errors';
import { principalOf, principalRef } from '../auth/principal';
import { caseNoParam } from '../params';
import { auditFullView, caseAccess, caseHandling } from '../services/access';
import { bodyValidator } from '../validate';
import { fileContentProblem, type CheckedType } from '../../lib/file-check';
import type { CertificatePlatform } from '../../adapters/certificates';
import { checklist, materialStates, pinnedMaterials, setMaterialState, type StateChange } from '../services/materials';

/** The largest file taken, and the JSON body that carries it (base64 is 4/3 of the bytes). */
export const maxMaterialBytes = 5 * 1024 * 1024;
export const materialBodyLimit = '7mb';

const types: Record<string, { ext: RegExp; magic: (b: Buffer) => boolean }> = {
  'application/pdf': { ext: /\.pdf$/i, magic: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  'image/jpeg': { ext: /\.(jpe?g)$/i, magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  'image/png': { ext: /\.png$/i, magic: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
};

const materialIdSchema = { type: 'string', pattern: '^[a-z][a-z0-9-]{0,39}$' };

const uploadBody = bodyValidator<{ materialName: string; materialId?: string; fileName: string; contentType: string; dataBase64: string }>('MaterialUploadRequest', {
  type: 'object', additionalProperties: false, required: ['materialName', 'fileName', 'contentType', 'dataBase64'],
  properties: {
    materialName: { type: 'string', minLength: 1, maxLength: 200 },
    materialId: { ...materialIdSchema, description: 'the material of the case\'s checklist this file is (it is then marked uploaded)' },
    fileName: { type: 'string', minLength: 1, maxLength: 200 },
    contentType: { enum: Object.keys(types) },
    dataBase64: { type: 'string', minLength: 4, maxLength: Math.ceil(maxMaterialBytes / 3) * 4 },
  },
});

/** Why a file name is unsafe to keep, or undefined. */
export function fileNameProblem(name: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the file name has control characters';
  if (/[/\\]/.test(name)) return 'the file name may not contain a path (/ or \\)';
  if (name.includes('..') || name.startsWith('.')) return 'the file name may not start with a dot or contain ".."';
  if (/[<>:"|?*]/.test(name)) return 'the file name has a character not allowed in file names (< > : " | ? *)';
  if (name.trim() !== name) return 'the file name may not start or end with spaces';
  return undefined;
}

const closed = ['completed', 'closed', 'not_accepted', 'withdrawn', 'voided', 'decided', 'lapsed'];

const stateBody = bodyValidator<StateChange>('MaterialStateRequest', {
  type: 'object', additionalProperties: false, required: ['state'],
  properties: {
    state: { enum: [...materialStates], description: 'paper: received at a window (clerks only); uploaded: a file is stored for it; certificate: replaced by an e-certificate (certificateNo); missing' },
    certificateNo: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z-]+$' },
  },
});

export function materialRoutes(db: Db, certificates?: CertificatePlatform): Router {
  const r = Router();

  r.post('/cases/:caseNo/materials', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    const p = principalOf(req);
    await caseHandling(db, p, caseNo);
    const body = uploadBody(req.body);
    const problems: FieldProblem[] = [];
    const nameProblem = fileNameProblem(body.fileName);
    if (nameProblem) problems.push({ pointer: '/fileName', detail: nameProblem });
    else if (!types[body.contentType].ext.test(body.fileName)) problems.push({ pointer: '/fileName', detail: `a ${body.contentType} file name ends in ${types[body.contentType].ext.source.replace(/[\\$()?|]/g, '')}` });
    const data = Buffer.from(body.dataBase64, 'base64');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body.dataBase64) || data.toString('base64').replace(/=+$/, '') !== body.dataBase64.replace(/=+$/, '')) {
      problems.push({ pointer: '/dataBase64', detail: 'not valid base64' });
    } else if (data.length > maxMaterialBytes) {
      problems.push({ pointer: '/dataBase64', detail: `the file is larger than ${maxMaterialBytes / 1024 / 1024} MiB` });
    } else if (!types[body.contentType].magic(data)) {
      problems.push({ pointer: '/dataBase64', detail: `the content is not a ${body.contentType} file` });
    } else {
      const contentProblem = fileContentProblem(body.contentType as CheckedType, data);
      if (contentProblem) problems.push({ pointer: '/dataBase64', detail: contentProblem });
    }
    if (body.materialId !== undefined && !(await pinnedMaterials(db, caseNo)).some((m) => m.id === body.materialId)) {
      problems.push({ pointer: '/materialId', detail: `本案的材料清单中没有“${body.materialId}”` });
    }
    if (problems.length) throw validationFailed(problems);
    // Filed but not projected yet (the moment after filing): still open, the upload is taken.
    const row = await db('cases').where({ case_no: caseNo }).first<{ status: string } | undefined>('status');
    if (row && closed.includes(row.status)) throw conflict('case-closed', `case ${caseNo} is ${row.status}; materials can no longer be added`);
    const id = `mat_${crypto.randomBytes(9).toString('base64url')}`;
    const sha256 = crypto.createHash('sha256').update(data).digest('hex');
    const by = principalRef(p);
    await db.transaction(async (trx) => {
      await trx('case_materials').insert({ id, case_no: caseNo, material_id: body.materialId ?? null, material_name: body.materialName, file_name: body.fileName, content_type: body.contentType, size: data.length, sha256, content: data, uploaded_by: by });
      if (body.materialId) {
        // A file makes a missing material uploaded; paper or a certificate already recorded stays as it is.
        const state = await trx('case_material_states').where({ case_no: caseNo, material_id: body.materialId }).first<{ state: string } | undefined>('state');
        if (!state) await trx('case_material_states').insert({ case_no: caseNo, material_id: body.materialId, state: 'uploaded', set_by: by });
        else if (state.state === 'missing') await trx('case_material_states').where({ case_no: caseNo, material_id: body.materialId }).update({ state: 'uploaded', waiver_reason: null, set_by: by, set_at: trx.fn.now() });
      }
      await trx('audit_log').insert({ actor: by, action: 'case.material-uploaded', case_no: caseNo, detail: JSON.stringify({ id, materialId: body.materialId ?? null, materialName: body.materialName, size: data.length, sha256 }) });
    });
    res.status(201).location(`/api/cases/${caseNo}/materials/${id}`).json({ id, ...(body.materialId ? { materialId: body.materialId } : {}), materialName: body.materialName, fileName: body.fileName, contentType: body.contentType, size: data.length, sha256 });
  });

  r.get('/cases/:caseNo/materials', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    await caseAccess(db, principalOf(req), caseNo);
    res.json({
      materials: await db('case_materials').where({ case_no: caseNo }).orderBy('uploaded_at')
        .select('id', 'material_id as materialId', 'material_name as materialName', 'file_name as fileName', 'content_type as contentType', 'size', 'sha256', 'uploaded_at as uploadedAt'),
    });
  });

  r.get('/cases/:caseNo/materials/:id', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    const p = principalOf(req);
    const access = await caseAccess(db, p, caseNo);
    if (!access.full) throw new AppError(403, 'forbidden', 'Not allowed', 'materials carry personal data; open the case with ?reveal=true first');
    const m = await db('case_materials').where({ case_no: caseNo, id: req.params.id.slice(0, 40) })
      .first<{ file_name: string; content_type: string; content: Buffer } | undefined>('file_name', 'content_type', 'content');
    if (!m) throw notFound(`material ${req.params.id}`);
    await auditFullView(db, p, caseNo, `material ${req.params.id}`);
    res.set('x-content-type-options', 'nosniff');
    res.set('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(m.file_name)}`);
    res.type(m.content_type).send(m.content);
  });

  /** The checklist: every material the case's entry asks for, with its state and files. */
  r.get('/cases/:caseNo/checklist', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    await caseAccess(db, principalOf(req), caseNo);
    res.json(await checklist(db, caseNo));
  });

  r.put('/cases/:caseNo/checklist/:materialId', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    const p = principalOf(req);
    await caseHandling(db, p, caseNo);
    const materialId = req.params.materialId;
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(materialId)) throw notFound(`material "${materialId.slice(0, 40)}"`);
    const change = stateBody(req.body);
    const row = await db('cases').where({ case_no: caseNo }).first<{ status: string } | undefined>('status');
    if (row && closed.includes(row.status)) throw conflict('case-closed', `case ${caseNo} is ${row.status}; its checklist can no longer change`);
    res.json(await setMaterialState(db, certificates, p, caseNo, materialId, change));
  });

  return r;
}
