/**
 * Who may see and act on which case. The filing row (written before the workflow starts) names
 * the case's department, its hall, the applicant and who filed it, so the checks hold from the
 * first moment of a case.
 *
 * - applicant: cases where they are the applicant, cases they filed (for a legal person, as its
 *   representative or authorised agent), and cases of a legal person they represent;
 * - integrator: only cases filed with its own key (scope cases:read);
 * - clerk / caseworker: cases of their hall or department;
 * - approver, reviewer, head, inspector: cases of their department, or with a task in it;
 * - supervisor: every case in their jurisdiction (their region and below), read-only;
 * - anyone else: none.
 *
 * Personal data is shown in full to the applicant, the integrator that filed, and staff who
 * handle the case; supervisors see it masked unless they ask to reveal it. Every full view by
 * staff or an integrator is written to the audit log.
 */
import type { Db } from '../../lib/db';
import { forbidden, notFound, unauthorised } from '../../lib/errors';
import { maskIdNumber } from '../../lib/privacy';
import { jurisdictionPrefix, principalRef, type Principal, type StaffPrincipal } from '../auth/principal';

export const handlerRoles = ['approver', 'reviewer', 'head', 'inspector'];
export const clerkRoles = ['clerk', 'caseworker'];

export interface CaseScope {
  caseNo: string;
  department: string;
  hall: string;
  regionCode: string;
  applicantId: string;
  /** A legal person's representative, as the filing names it (checked against the legal-person base). */
  legalRepresentativeId: string | null;
  filedByKind: string | null;
  filedBy: string | null;
  /**
   * The version of the case's view (cases.view_version) as it stood when access was checked, read
   * in the same query; absent before the case is in the read model.
   */
  viewVersion?: string;
}

export interface CaseAccess {
  scope: CaseScope;
  /** Handles the case (may act on it); false for read-only supervision. */
  handles: boolean;
  /** May see personal data unmasked. */
  full: boolean;
}

export async function caseScope(db: Db, caseNo: string): Promise<CaseScope | undefined> {
  const row = await db('case_filings as f')
    .join('departments as d', 'd.code', db.raw(`f.input->'implementation'->>'department'`))
    .leftJoin('cases as c', 'c.case_no', 'f.case_no')
    .where('f.case_no', caseNo)
    .first<{ department: string; hall: string | null; region_code: string; applicant_id: string; legal_representative_id: string | null; filed_by_kind: string | null; filed_by: string | null; view_version: string | null } | undefined>(
      db.raw(`f.input->'implementation'->>'department' as department`),
      db.raw(`f.input->'implementation'->'window'->>'department' as hall`),
      'd.region_code',
      db.raw(`f.input->'applicant'->>'idNumber' as applicant_id`),
      db.raw(`f.input->'applicant'->'legalRepresentative'->>'idNumber' as legal_representative_id`),
      'f.filed_by_kind', 'f.filed_by', 'c.view_version',
    );
  if (!row) return undefined;
  return {
    caseNo, department: row.department, hall: row.hall ?? row.department, regionCode: row.region_code, applicantId: row.applicant_id, legalRepresentativeId: row.legal_representative_id, filedByKind: row.filed_by_kind, filedBy: row.filed_by,
    ...(row.view_version === null ? {} : { viewVersion: String(row.view_version) }),
  };
}

async function hasTaskIn(db: Db, caseNo: string, department: string): Promise<boolean> {
  const row = await db('tasks').where({ case_no: caseNo, department_code: department }).first<{ id: string } | undefined>('id');
  return row !== undefined;
}

export function inJurisdiction(p: StaffPrincipal, regionCode: string): boolean {
  return p.roles.includes('supervisor') && regionCode.startsWith(jurisdictionPrefix(p));
}

/**
 * The caller's access to a case, or a 4xx: 401 signed out, 404 for an applicant or integrator
 * asking about someone else's case (its existence is not revealed), 403 for staff outside it.
 */
export async function caseAccess(db: Db, p: Principal, caseNo: string): Promise<CaseAccess> {
  if (p.kind === 'anonymous') throw unauthorised('sign in to see a case');
  const scope = await caseScope(db, caseNo);
  if (!scope) throw notFound(`case ${caseNo}`);
  switch (p.kind) {
    case 'applicant':
      if (scope.applicantId !== p.idNumber && scope.legalRepresentativeId !== p.idNumber && !(scope.filedByKind === 'applicant' && scope.filedBy === p.idNumber)) {
        throw notFound(`case ${caseNo}`);
      }
      return { scope, handles: true, full: true };
    case 'integrator':
      if (scope.filedByKind !== 'integrator' || scope.filedBy !== p.keyId || !p.scopes.includes('cases:read')) throw notFound(`case ${caseNo}`);
      return { scope, handles: true, full: true };
    case 'staff': {
      const ownUnit = scope.department === p.department || scope.hall === p.department;
      if (p.roles.some((r) => clerkRoles.includes(r)) && ownUnit) return { scope, handles: true, full: true };
      if (p.roles.some((r) => handlerRoles.includes(r)) && (scope.department === p.department || await hasTaskIn(db, caseNo, p.department))) {
        return { scope, handles: true, full: true };
      }
      if (inJurisdiction(p, scope.regionCode)) return { scope, handles: false, full: false };
      throw forbidden(`case ${caseNo} is outside your department and jurisdiction`);
    }
  }
}

/** Access that may act on the case (not just read it). */
export async function caseHandling(db: Db, p: Principal, caseNo: string): Promise<CaseAccess> {
  const a = await caseAccess(db, p, caseNo);
  if (!a.handles) throw forbidden('supervisors read cases and urge or order; they do not act on them');
  return a;
}

/** Records a full view of personal data by staff or an integrator. */
export async function auditFullView(db: Db, p: Principal, caseNo: string, what: string): Promise<void> {
  if (p.kind !== 'staff' && p.kind !== 'integrator') return;
  await db('audit_log').insert({ actor: principalRef(p), action: 'privacy.full-view', case_no: caseNo, detail: JSON.stringify({ what }) });
}

export function actorName(p: Principal): string {
  if (p.kind === 'applicant') return `applicant:${maskIdNumber(p.idNumber)}`;
  return principalRef(p);
}
