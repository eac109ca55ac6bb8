/**
 * Sign-in's reads and writes (staff passwords, sessions, SMS challenges) and their audit rows,
 * for `api/routes/auth.ts`. The route decides; this module is the only one that touches the tables.
 */
import { meetsLevel, type AssuranceLevel } from '../../adapters/assurance';
import type { Db } from '../../lib/db';
import { maskIdNumber } from '../../lib/privacy';
import { hashPassword, newToken, sha256Hex } from '../auth/secrets';

/** Opens a session for a staff member or an applicant: a new bearer token (stored hashed) and an audit row. */
export async function openSession(db: Db, minutes: number, s: { kind: 'staff' | 'applicant'; subject: string; name: string; assuranceLevel?: AssuranceLevel }) {
  const token = newToken();
  const expiresAt = new Date(Date.now() + minutes * 60_000);
  await db('sessions').insert({ token_hash: sha256Hex(token), kind: s.kind, subject: s.subject, name: s.name, assurance_level: s.assuranceLevel ?? null, expires_at: expiresAt });
  await db('audit_log').insert({ actor: `${s.kind}:${s.kind === 'applicant' ? maskIdNumber(s.subject) : s.subject}`, action: 'auth.signed-in', detail: JSON.stringify({ kind: s.kind, assuranceLevel: s.assuranceLevel ?? null }) });
  return { token, expiresAt: expiresAt.toISOString() };
}

/** The stored password hash of an account (a disabled one has none). */
export async function passwordHashOf(db: Db, staffId: string, options: { enabledOnly: boolean }): Promise<string | null | undefined> {
  const q = db('staff_users').where({ id: staffId });
  if (options.enabledOnly) void q.where({ disabled: false });
  const row = await q.first<{ password_hash: string | null } | undefined>('password_hash');
  return row?.password_hash;
}

/** Writes one sign-in event (refusals included) to the audit log. */
export async function auditSignIn(db: Db, actor: string, action: string, detail: Record<string, unknown>): Promise<void> {
  await db('audit_log').insert({ actor, action, detail: JSON.stringify(detail) });
}

/** Sets a new password, ends every other session of the account (all but `keepTokenHash`), audited; one transaction. */
export async function changePassword(db: Db, staffId: string, newPassword: string, keepTokenHash: string): Promise<void> {
  const hash = await hashPassword(newPassword);
  await db.transaction(async (trx) => {
    await trx('staff_users').where({ id: staffId }).update({ password_hash: hash, must_change_password: false, password_changed_at: trx.fn.now() });
    await trx('sessions').where({ kind: 'staff', subject: staffId }).whereNull('revoked_at').whereNot({ token_hash: keepTokenHash }).update({ revoked_at: trx.fn.now() });
    await trx('audit_log').insert({ actor: `staff:${staffId}`, action: 'auth.password-changed', detail: JSON.stringify({ otherSessionsEnded: true }) });
  });
}

/** Remembers an SMS challenge sent for an applicant's sign-in. */
export async function rememberChallenge(db: Db, c: { requestId: string; idNumber: string; name: string; expiresAt: string }): Promise<void> {
  await db('login_challenges').insert({ request_id: c.requestId, id_number: c.idNumber, name: c.name, expires_at: new Date(c.expiresAt) });
}

/** An SMS challenge not used yet. */
export async function pendingChallenge(db: Db, requestId: string): Promise<{ id_number: string; name: string; expires_at: Date } | undefined> {
  return db('login_challenges').where({ request_id: requestId }).whereNull('used_at').first<{ id_number: string; name: string; expires_at: Date } | undefined>();
}

/** Marks a challenge used; false when another request used it first. */
export async function useChallenge(db: Db, requestId: string): Promise<boolean> {
  const used = await db('login_challenges').where({ request_id: requestId }).whereNull('used_at').update({ used_at: db.fn.now() });
  return used > 0;
}

/** A sign-in proof (SMS request or face check) whether used or not, for its owner's later questions. */
export async function challengeOf(db: Db, requestId: string): Promise<{ id_number: string; name: string; expires_at: Date; used_at: Date | null } | undefined> {
  return db('login_challenges').where({ request_id: requestId }).first<{ id_number: string; name: string; expires_at: Date; used_at: Date | null } | undefined>();
}

/** Raises an applicant session's assurance level (never lowers it); answers the level it has now. */
export async function raiseAssurance(db: Db, token: string, to: AssuranceLevel): Promise<AssuranceLevel> {
  const row = await db('sessions').where({ token_hash: sha256Hex(token), kind: 'applicant' }).first<{ assurance_level: AssuranceLevel | null } | undefined>('assurance_level');
  const have = row?.assurance_level ?? 'basic';
  if (meetsLevel(have, to)) return have;
  const raised = await db('sessions').where({ token_hash: sha256Hex(token), kind: 'applicant' }).update({ assurance_level: to }).returning<{ subject: string }[]>('subject');
  await db('audit_log').insert({ actor: `applicant:${maskIdNumber(raised[0]?.subject ?? '')}`, action: 'auth.assurance-raised', detail: JSON.stringify({ from: have, to, by: 'face-check' }) });
  return to;
}

/** Ends the session of a bearer token. */
export async function endSession(db: Db, token: string): Promise<void> {
  await db('sessions').where({ token_hash: sha256Hex(token) }).update({ revoked_at: db.fn.now() });
}
