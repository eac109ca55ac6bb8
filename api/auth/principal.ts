/**
 * Who is calling. Every request gets exactly one principal: a signed-in staff member, a signed-in
 * applicant, an integrator (API key + request signature), or anonymous. A credential that is
 * present but wrong is a 401, never a silent fall-back to anonymous.
 */
import type { Request, RequestHandler } from 'express';
import type { AssuranceLevel } from '../../adapters/assurance';
import type { Db } from '../../lib/db';
import { AppError, forbidden, unauthorised } from '../../lib/errors';
import type { Actor } from '../../workflows/definitions';
import { authenticateApiKey } from './api-keys';
import { sha256Hex } from './secrets';

export type Principal =
  | { kind: 'staff'; id: string; name: string; department: string; roles: string[]; regionCode: string; level: DepartmentLevel; mustChangePassword?: boolean }
  | { kind: 'applicant'; idNumber: string; name: string; assuranceLevel: AssuranceLevel }
  | { kind: 'integrator'; keyId: string; name: string; scopes: string[]; ratePerMinute: number }
  | { kind: 'anonymous' };

export type DepartmentLevel = 'province' | 'city' | 'county' | 'township';
export type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;
export type ApplicantPrincipal = Extract<Principal, { kind: 'applicant' }>;
export type IntegratorPrincipal = Extract<Principal, { kind: 'integrator' }>;

const principals = new WeakMap<Request, Principal>();

export function principalOf(req: Request): Principal {
  return principals.get(req) ?? { kind: 'anonymous' };
}

/** A short, stable reference for logs, audit rows and idempotency scopes. */
export function principalRef(p: Principal): string {
  switch (p.kind) {
    case 'staff': return `staff:${p.id}`;
    case 'applicant': return `applicant:${p.idNumber}`;
    case 'integrator': return `key:${p.keyId}`;
    default: return 'anonymous';
  }
}

export interface AuthDeps {
  db: Db;
  secretKey: string;
}

interface SessionRow {
  kind: 'staff' | 'applicant';
  subject: string;
  name: string;
  assurance_level: AssuranceLevel | null;
  expires_at: Date;
  revoked_at: Date | null;
}

/** Reads the credential, if any, and records the principal for the request. */
export function authenticate(deps: AuthDeps): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    if (!header) return next();
    const [scheme, value] = header.split(' ', 2);
    if (scheme === 'Bearer' && value) {
      principals.set(req, await sessionPrincipal(deps.db, value));
    } else if (scheme === 'ApiKey' && value) {
      principals.set(req, await authenticateApiKey(deps, req, value));
    } else {
      throw unauthorised('the Authorization header must be "Bearer <token>" or "ApiKey <id>.<token>"');
    }
    next();
  };
}

/**
 * The session and, for staff, who they are now (roles, department, disabled), in one query: every
 * signed-in request asks it, so it is one round trip to the database, not two.
 */
async function sessionPrincipal(db: Db, token: string): Promise<Principal> {
  if (token.length > 100) throw unauthorised('the token is not valid');
  const s = await db('sessions as s')
    .leftJoin('staff_users as u', (j) => void j.on('u.id', 's.subject').andOnVal('s.kind', '=', 'staff').andOnVal('u.disabled', '=', false))
    .leftJoin('departments as d', 'd.code', 'u.department_code')
    .where('s.token_hash', sha256Hex(token))
    .first<(SessionRow & Partial<StaffRow>) | undefined>('s.kind', 's.subject', 's.name', 's.assurance_level', 's.expires_at', 's.revoked_at',
      'u.id', 'u.department_code', 'u.roles', 'd.region_code', 'd.level', 'u.must_change_password', db.raw('u.name as staff_name'));
  if (!s || s.revoked_at) throw unauthorised('the token is not valid; sign in again');
  if (s.expires_at.getTime() <= Date.now()) throw unauthorised('the session has expired; sign in again');
  if (s.kind === 'applicant') return { kind: 'applicant', idNumber: s.subject, name: s.name, assuranceLevel: s.assurance_level ?? 'basic' };
  if (!s.id || !s.department_code || !s.roles || !s.region_code || !s.level) throw unauthorised('this staff account is disabled');
  return staffPrincipal({ id: s.id, name: s.staff_name ?? s.name, department_code: s.department_code, roles: s.roles, region_code: s.region_code, level: s.level, must_change_password: s.must_change_password ?? false });
}

interface StaffRow { id: string; name: string; department_code: string; roles: string[]; region_code: string; level: DepartmentLevel; must_change_password: boolean; staff_name: string }

function staffPrincipal(row: Omit<StaffRow, 'staff_name'>): StaffPrincipal {
  return {
    kind: 'staff', id: row.id, name: row.name, department: row.department_code, roles: row.roles, regionCode: row.region_code, level: row.level,
    ...(row.must_change_password ? { mustChangePassword: true } : {}),
  };
}

export async function staffById(db: Db, id: string): Promise<StaffPrincipal | undefined> {
  const row = await db('staff_users as u')
    .join('departments as d', 'd.code', 'u.department_code')
    .where({ 'u.id': id, 'u.disabled': false })
    .first<Omit<StaffRow, 'staff_name'> | undefined>('u.id', 'u.name', 'u.department_code', 'u.roles', 'd.region_code', 'd.level', 'u.must_change_password');
  return row ? staffPrincipal(row) : undefined;
}

/** Routes a staff member whose password must be changed may still use: change it, see who they are, sign out. */
const openWhilePasswordMustChange = new Set(['POST /auth/password', 'GET /auth/me', 'POST /auth/logout']);

/** A staff member with a password to change (a seeded or administrator-set one) does nothing else first: 403 password-change-required. */
export const passwordChangeGate: RequestHandler = (req, _res, next) => {
  const p = principalOf(req);
  if (p.kind === 'staff' && p.mustChangePassword && !openWhilePasswordMustChange.has(`${req.method} ${req.path.replace(/\/$/, '')}`)) {
    throw new AppError(403, 'password-change-required', 'Password change required', 'this account\'s password was set for you; change it first (POST /api/auth/password)');
  }
  next();
};

/** The staff member calling, optionally holding one of `roles`; 401 for anyone else signed out, 403 otherwise. */
export function requireStaff(req: Request, roles?: readonly string[]): StaffPrincipal {
  const p = principalOf(req);
  if (p.kind === 'anonymous') throw unauthorised('sign in as staff first');
  if (p.kind !== 'staff') throw forbidden('this is for staff only');
  if (roles && !p.roles.some((r) => roles.includes(r))) throw forbidden(`this needs one of the roles: ${roles.join(', ')}`);
  return p;
}

export function actorOf(p: StaffPrincipal): Actor {
  return { userId: p.id, department: p.department, roles: p.roles };
}

export function requireApplicant(req: Request): ApplicantPrincipal {
  const p = principalOf(req);
  if (p.kind === 'anonymous') throw unauthorised('sign in first');
  if (p.kind !== 'applicant') throw forbidden('this is for applicants only');
  return p;
}

export function requireIntegrator(req: Request, scope: string): IntegratorPrincipal {
  const p = principalOf(req);
  if (p.kind === 'anonymous') throw unauthorised('an API key is needed');
  if (p.kind !== 'integrator') throw forbidden('this is for integrators only');
  if (!p.scopes.includes(scope)) throw forbidden(`this API key lacks the scope "${scope}"`);
  return p;
}

/** Anyone signed in, of the given kinds. */
export function requireSignedIn(req: Request): Exclude<Principal, { kind: 'anonymous' }> {
  const p = principalOf(req);
  if (p.kind === 'anonymous') throw unauthorised('sign in first');
  return p;
}

/**
 * Region prefix of a jurisdiction: a province sees its two-digit prefix, a city four, a county
 * or township its whole six-digit code (行政区划代码).
 */
export function jurisdictionPrefix(p: StaffPrincipal): string {
  return p.level === 'province' ? p.regionCode.slice(0, 2) : p.level === 'city' ? p.regionCode.slice(0, 4) : p.regionCode;
}
