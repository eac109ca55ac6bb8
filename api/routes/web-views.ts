/**
 * Read-only views the web app needs and the other routes do not give in one call: the inbox
 * with each case's supervision level and counts, a paginated case search, the departments,
 * and the certificates an applicant already holds (to replace materials, 减材料).
 * Reads only: every change still goes through the case and catalogue routes.
 */
import { Router, type Request } from 'express';
import type { CertificatePlatform } from '../../adapters/certificates';
import type { Db } from '../../lib/db';
import { badRequest } from '../../lib/errors';
import { requireStaff } from '../auth/principal';
import { pageQuery } from '../params';
import { clerkRoles, handlerRoles } from '../services/access';
import { caseSearch, departmentList, inboxView } from '../services/web-views';

const levels = ['normal', 'warning', 'overdue'];

/** A calendar day, YYYY-MM-DD, that exists. */
function dayParam(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  const ok = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
  if (!ok) throw badRequest(`${name} must be a date (YYYY-MM-DD)`, [{ pointer: `/query/${name}`, detail: 'must match format "date"' }]);
  return v;
}

function shortText(req: Request, name: string, pattern?: RegExp): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > 100 || (pattern && !pattern.test(v))) throw badRequest(`${name} is not a valid filter`);
  return v;
}


export function webViewRoutes(db: Db, certificates?: CertificatePlatform): Router {
  const r = Router();

  r.get('/views/departments', async (_req, res) => {
    res.json({ departments: await departmentList(db) });
  });

  /** The caller's open tasks with the case's supervision level; counts per level over all of them. */
  r.get('/views/inbox', async (req, res) => {
    const actor = requireStaff(req);
    const level = shortText(req, 'level');
    if (level && !levels.includes(level)) throw badRequest(`level must be one of ${levels.join(', ')}`);
    const q = shortText(req, 'q');
    const page = pageQuery(req);
    res.json(await inboxView(db, actor, { level, q, page }));
  });

  /** Cases by number, item, applicant, filing day, department, status or supervision level, newest first, a page at a time. */
  r.get('/views/cases', async (req, res) => {
    const p = requireStaff(req, [...clerkRoles, ...handlerRoles, 'supervisor']);
    const q = shortText(req, 'q');
    const department = shortText(req, 'department', /^[A-Za-z0-9_-]+$/);
    const status = shortText(req, 'status', /^[a-z_]+$/);
    const level = shortText(req, 'level');
    if (level && !levels.includes(level)) throw badRequest(`level must be one of ${levels.join(', ')}`);
    const applicant = shortText(req, 'applicant');
    const itemCode = shortText(req, 'itemCode', /^[A-Za-z0-9._-]+$/);
    const filedFrom = dayParam(req, 'filedFrom');
    const filedTo = dayParam(req, 'filedTo');
    if (filedFrom && filedTo && filedFrom > filedTo) throw badRequest('filedFrom is after filedTo', [{ pointer: '/query/filedFrom', detail: 'must not be after filedTo' }]);
    const page = pageQuery(req);
    res.json(await caseSearch(db, p, { q, department, status, level, applicant, itemCode, filedFrom, filedTo, page }));
  });

  /** Certificates the applicant already holds, for the window's "use the certificate instead". */
  r.get('/views/certificates', async (req, res) => {
    requireStaff(req, clerkRoles);
    const holder = shortText(req, 'holder', /^[0-9A-Z]{18}$/);
    if (!holder) throw badRequest('holder must be an 18-character ID number or credit code');
    if (!certificates) return res.json({ certificates: [], available: false });
    const list = await certificates.listByHolder(holder);
    res.json({
      available: true,
      certificates: list.map((c) => ({ number: c.number, type: c.type, holderName: c.holder.name, issuer: c.issuer.name, validFrom: c.validFrom, validUntil: c.validUntil })),
    });
  });

  return r;
}
