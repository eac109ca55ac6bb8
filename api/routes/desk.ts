/**
 * The working lists beside the inbox, and the documents of a case:
 * - 已办 `GET /views/handled`: tasks the staff member completed, newest first;
 * - 办结 `GET /views/finished`: finished cases of the staff member's department (or hall);
 * - 我的办件 `GET /views/my-cases`: an applicant's cases with their status and next step;
 * - 草稿箱 `/drafts`: window applications saved before filing, resumable by the clerk who saved them;
 * - 文书 `/cases/{caseNo}/documents`: numbered documents of the case (api/services/documents.ts), and
 *   each one already issued as an A4 PDF (`/documents/{kind}/pdf`, api/services/document-pdf.ts).
 * Drafts and document numbers are the only writes here; a case itself changes only through its workflow.
 */
import { Router, type Request } from 'express';
import type { Db } from '../../lib/db';
import { AppError, badRequest, conflict, notFound } from '../../lib/errors';
import { principalOf, requireApplicant, requireStaff } from '../auth/principal';
import { caseNoParam, pageQuery } from '../params';
import { actorName, auditFullView, caseAccess, clerkRoles } from '../services/access';
import {
  applicantCases, countDrafts, deleteDraft, draftItemName, draftView, finishedCases, handledTasks, insertDraft, listDrafts, ownDraftRow, pageSize, updateDraft, type DraftBody,
} from '../services/desk';
import { documentKinds, issueDocument, issuedDocument, issuedDocuments, type DocumentKind } from '../services/documents';
import { documentPdf, type PdfFont } from '../services/document-pdf';
import { bodyValidator } from '../validate';

/** A clerk keeps at most this many drafts; older ones are filed or deleted first. */
export const maxDraftsPerClerk = 50;

function textParam(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > 100) throw badRequest(`${name} is not a valid filter`, [{ pointer: `/query/${name}`, detail: 'must NOT have more than 100 characters' }]);
  return v;
}

const draftBody = bodyValidator<DraftBody>('DraftRequest', {
  type: 'object', additionalProperties: false, required: ['implementationCode', 'applicant', 'formData'],
  properties: {
    implementationCode: { type: 'string', minLength: 1, maxLength: 64 },
    applicant: {
      type: 'object', additionalProperties: false,
      properties: { kind: { enum: ['person', 'legal_person'] }, name: { type: 'string', maxLength: 100 }, idNumber: { type: 'string', maxLength: 18 }, phone: { type: 'string', maxLength: 20 } },
    },
    formData: { type: 'object' },
  },
});

/** What an applicant does next, by the case's status (the web app words it). */
export function nextStepOf(status: string, rated: boolean): string {
  switch (status) {
    case 'awaiting_correction': return 'correct';
    case 'awaiting_payment': return 'pay';
    case 'delivering': return 'receive';
    case 'completed': return rated ? 'none' : 'rate';
    case 'closed': case 'not_accepted': case 'withdrawn': case 'voided': case 'lapsed': return 'none';
    default: return 'wait';
  }
}

function documentKindParam(raw: string): DocumentKind {
  if (!(documentKinds as readonly string[]).includes(raw)) throw notFound(`document kind ${raw.slice(0, 40)}`);
  return raw as DocumentKind;
}

/** Content-Disposition of a download: the Chinese name per RFC 5987 (filename*), with an ASCII name for old clients. */
export function attachment(asciiName: string, name: string): string {
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${asciiName}"; filename*=UTF-8''${encoded}`;
}

export function deskRoutes(db: Db, pdfFont: PdfFont): Router {
  const r = Router();

  /** 已办: tasks I completed, newest first. */
  r.get('/views/handled', async (req, res) => {
    const me = requireStaff(req);
    const q = textParam(req, 'q');
    const page = pageQuery(req);
    res.json(await handledTasks(db, me, { q, page }));
  });

  /** 办结: finished cases of my department, or of my hall for clerks. */
  r.get('/views/finished', async (req, res) => {
    const me = requireStaff(req);
    const q = textParam(req, 'q');
    const page = pageQuery(req);
    res.json(await finishedCases(db, me, { q, page }));
  });

  /** 我的办件: the applicant's cases (own, filed by them, or of the company they represent), newest first. */
  r.get('/views/my-cases', async (req, res) => {
    const me = requireApplicant(req);
    const page = pageQuery(req);
    const { rows, total } = await applicantCases(db, me.idNumber, page);
    res.json({ cases: rows.map((c) => ({ ...c, nextStep: nextStepOf(c.status, c.rated) })), page, pageSize, total });
  });

  // ---- 草稿箱
  const ownDraft = async (req: Request) => {
    const me = requireStaff(req, clerkRoles);
    const id = req.params.id;
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw notFound(`draft ${String(id).slice(0, 40)}`);
    const row = await ownDraftRow(db, me.id, id);
    if (!row) throw notFound(`draft ${id}`);
    return { me, row };
  };
  const itemOf = async (code: string) => {
    const name = await draftItemName(db, code);
    if (!name) throw new AppError(422, 'validation-failed', 'The submitted data is not valid', `no implementation entry ${code}`, [{ pointer: '/implementationCode', detail: 'no such implementation entry' }]);
    return name;
  };

  r.get('/drafts', async (req, res) => {
    const me = requireStaff(req, clerkRoles);
    res.json({ drafts: await listDrafts(db, me.id, maxDraftsPerClerk) });
  });

  r.post('/drafts', async (req, res) => {
    const me = requireStaff(req, clerkRoles);
    const body = draftBody(req.body);
    const itemName = await itemOf(body.implementationCode);
    if (await countDrafts(db, me.id) >= maxDraftsPerClerk) throw conflict('too-many-drafts', `a clerk keeps at most ${maxDraftsPerClerk} drafts; file or delete one first`);
    res.status(201).json(draftView(await insertDraft(db, me, body, itemName)));
  });

  r.get('/drafts/:id', async (req, res) => {
    const { row } = await ownDraft(req);
    res.json(draftView(row));
  });

  r.put('/drafts/:id', async (req, res) => {
    const { me, row } = await ownDraft(req);
    const body = draftBody(req.body);
    const itemName = await itemOf(body.implementationCode);
    res.json(draftView(await updateDraft(db, me.id, String(row.id), body, itemName)));
  });

  r.delete('/drafts/:id', async (req, res) => {
    const { me, row } = await ownDraft(req);
    await deleteDraft(db, me.id, String(row.id));
    res.status(204).end();
  });

  // ---- 文书
  r.get('/cases/:caseNo/documents', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    await caseAccess(db, principalOf(req), caseNo);
    res.json({ documents: await issuedDocuments(db, caseNo) });
  });

  r.post('/cases/:caseNo/documents/:kind', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    const kind = documentKindParam(req.params.kind);
    const p = principalOf(req);
    const access = await caseAccess(db, p, caseNo);
    res.json(await issueDocument(db, access, caseNo, kind, actorName(p)));
  });

  /** The PDF of a document already issued; reading never numbers one (409 document-not-issued). */
  r.get('/cases/:caseNo/documents/:kind/pdf', async (req, res) => {
    const caseNo = caseNoParam(req.params.caseNo);
    const kind = documentKindParam(req.params.kind);
    const p = principalOf(req);
    const access = await caseAccess(db, p, caseNo);
    const view = await issuedDocument(db, access, caseNo, kind);
    const pdf = await documentPdf(view, pdfFont);
    // A file that leaves the system with the applicant's data, as a material download is.
    if (access.full) await auditFullView(db, p, caseNo, `document ${kind} (PDF)`);
    res.set('content-disposition', attachment(`${kind}-${caseNo}.pdf`, `${view.title}-${view.number.replace(/\s+/g, '')}.pdf`));
    res.set('cache-control', 'private, no-store');
    res.type('application/pdf').send(pdf);
  });

  return r;
}
