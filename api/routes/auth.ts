/**
 * Sign-in. Staff: user id + password (scrypt), answered with a bearer token for a session of
 * SESSION_MINUTES. The province's single sign-on would be a second way to reach the same
 * session: an OIDC callback that maps the token's subject to a staff id and calls
 * `openSession` (see README, "Authentication"). Applicants: ID number + name are checked against
 * the population base, an SMS code goes to the phone registered there, and the code proves the
 * basic assurance level (初级).
 */
import { Router } from 'express';
import type { IdentityPlatform } from '../../adapters/identity';
import { AdapterRefusal } from '../../adapters/errors';
import type { Db } from '../../lib/db';
import { AppError, notFound, unauthorised, validationFailed } from '../../lib/errors';
import { checkCitizenId } from '../../lib/identity';
import { requireApplicant, requireSignedIn, staffById } from '../auth/principal';
import { SignInLimits, tooManyRequests, type RateLimiter } from '../auth/rate-limit';
import { newToken, sha256Hex, verifyPassword } from '../auth/secrets';
import { passwordProblem } from '../../lib/password-policy';
import { bodyValidator } from '../validate';
import { auditSignIn, challengeOf, changePassword, endSession, openSession, passwordHashOf, pendingChallenge, raiseAssurance, rememberChallenge, useChallenge } from '../services/sign-in';

export interface AuthRouteDeps {
  db: Db;
  identity?: IdentityPlatform;
  sessionMinutes: number;
  limiter: RateLimiter;
}

const loginBody = bodyValidator<{ username: string; password: string }>('LoginRequest', {
  type: 'object', additionalProperties: false, required: ['username', 'password'],
  properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 200 } },
});
const passwordBody = bodyValidator<{ currentPassword: string; newPassword: string }>('PasswordChangeRequest', {
  type: 'object', additionalProperties: false, required: ['currentPassword', 'newPassword'],
  properties: { currentPassword: { type: 'string', minLength: 1, maxLength: 200 }, newPassword: { type: 'string', minLength: 1, maxLength: 200 } },
});
const smsBody = bodyValidator<{ idNumber: string; name: string; phone: string }>('SmsRequest', {
  type: 'object', additionalProperties: false, required: ['idNumber', 'name', 'phone'],
  properties: {
    idNumber: { type: 'string', pattern: '^[0-9]{17}[0-9X]$' },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    phone: { type: 'string', pattern: '^1[3-9][0-9]{9}$' },
  },
});
const applicantLoginBody = bodyValidator<{ requestId: string; code: string }>('ApplicantLoginRequest', {
  type: 'object', additionalProperties: false, required: ['requestId', 'code'],
  properties: { requestId: { type: 'string', minLength: 1, maxLength: 100 }, code: { type: 'string', pattern: '^[0-9]{6}$' } },
});

/** A face check kept among the sign-in proofs: its own prefix, so it is never taken for an SMS request (or one for it). */
const faceProof = (checkId: string) => `face:${checkId}`;

function identityOf(deps: AuthRouteDeps): IdentityPlatform {
  if (!deps.identity) throw new AppError(503, 'identity-unavailable', 'Identity platform not configured', 'applicant sign-in needs IDENTITY_URL');
  return deps.identity;
}

export function authRoutes(deps: AuthRouteDeps): Router {
  const r = Router();
  const { db } = deps;
  const limits = new SignInLimits(db, deps.limiter);

  r.post('/auth/login', async (req, res) => {
    const body = loginBody(req.body);
    const account = `staff:${body.username}`;
    await limits.check(req, account);
    const ok = await verifyPassword(body.password, await passwordHashOf(db, body.username, { enabledOnly: true }));
    const staff = ok ? await staffById(db, body.username) : undefined;
    if (!staff) {
      await limits.failed(req, account);
      await auditSignIn(db, `staff:${body.username.slice(0, 50)}`, 'auth.refused', { reason: 'wrong user id or password' });
      throw unauthorised('wrong user id or password');
    }
    await limits.succeeded(req, account);
    const session = await openSession(db, deps.sessionMinutes, { kind: 'staff', subject: staff.id, name: staff.name });
    res.json({
      ...session,
      mustChangePassword: staff.mustChangePassword === true,
      user: { id: staff.id, name: staff.name, department: staff.department, roles: staff.roles, level: staff.level },
    });
  });

  /** A staff member changes their own password: the current one, and a new one that meets the policy. Other sessions end. */
  r.post('/auth/password', async (req, res) => {
    const p = requireSignedIn(req);
    if (p.kind !== 'staff') throw new AppError(403, 'forbidden', 'Forbidden', 'only staff sign in with a password');
    const body = passwordBody(req.body);
    const account = `staff:${p.id}`;
    await limits.check(req, account);
    if (!(await verifyPassword(body.currentPassword, await passwordHashOf(db, p.id, { enabledOnly: false })))) {
      await limits.failed(req, account);
      await auditSignIn(db, `staff:${p.id}`, 'auth.password-change-refused', { reason: 'wrong current password' });
      throw unauthorised('the current password is wrong');
    }
    const problem = passwordProblem(body.newPassword, { id: p.id, name: p.name }) ?? (body.newPassword === body.currentPassword ? 'the new password must differ from the current one' : undefined);
    if (problem) throw validationFailed([{ pointer: '/newPassword', detail: problem }]);
    const header = req.get('authorization') ?? '';
    const current = header.startsWith('Bearer ') ? sha256Hex(header.slice(7)) : '';
    await changePassword(db, p.id, body.newPassword, current);
    res.status(204).end();
  });

  r.post('/auth/applicant/sms', async (req, res) => {
    const body = smsBody(req.body);
    await limits.check(req, `applicant:${body.idNumber}`);
    // Texts to one person's phone are limited whoever asks (10 a minute), so the phone cannot be flooded from many addresses.
    const smsWait = deps.limiter.take(`sms-to:${body.idNumber}`, 10);
    if (smsWait > 0) throw tooManyRequests(smsWait);
    const idProblem = checkCitizenId(body.idNumber);
    if (idProblem) throw new AppError(422, 'validation-failed', 'The submitted data is not valid', idProblem, [{ pointer: '/idNumber', detail: idProblem }]);
    const identity = identityOf(deps);
    const { result } = await identity.verifyPerson({ idNumber: body.idNumber, name: body.name });
    if (result !== 'match') throw unauthorised('the name and ID number do not match the population register');
    let challenge;
    try {
      challenge = await identity.sendSmsCode({ idNumber: body.idNumber, phone: body.phone }, `login:${body.idNumber}:${newToken()}`);
    } catch (err) {
      if (err instanceof AdapterRefusal) throw unauthorised('this phone number is not the one registered for the ID number');
      throw err;
    }
    await rememberChallenge(db, { requestId: challenge.requestId, idNumber: body.idNumber, name: body.name, expiresAt: challenge.expiresAt });
    res.status(201).json(challenge);
  });

  r.post('/auth/applicant/login', async (req, res) => {
    const body = applicantLoginBody(req.body);
    await limits.check(req, `sms:${body.requestId}`);
    const pending = await pendingChallenge(db, body.requestId);
    if (!pending || pending.expires_at.getTime() < Date.now()) throw unauthorised('no such sign-in in progress, or it has expired; ask for a new code');
    let check;
    try {
      check = await identityOf(deps).checkSmsCode({ requestId: body.requestId, code: body.code });
    } catch (err) {
      if (err instanceof AdapterRefusal) throw unauthorised(`the code cannot be checked: ${err.message}`);
      throw err;
    }
    if (!check.verified) {
      await limits.failed(req, `sms:${body.requestId}`);
      throw unauthorised(`wrong code; ${check.attemptsLeft} attempt(s) left`);
    }
    if (!(await useChallenge(db, body.requestId))) throw unauthorised('this code was already used');
    const session = await openSession(db, deps.sessionMinutes, { kind: 'applicant', subject: pending.id_number, name: pending.name, assuranceLevel: check.assuranceLevel });
    res.json({ ...session, applicant: { idNumber: pending.id_number, name: pending.name, assuranceLevel: check.assuranceLevel } });
  });

  // 中级 online: a signed-in applicant raises the session by a live face check on the identity
  // platform (started here, done on the phone, polled here); the check is kept as a sign-in proof
  // of that person, so only its owner can use it, and only once.
  r.post('/auth/applicant/face-check', async (req, res) => {
    const p = requireApplicant(req);
    const wait = deps.limiter.take(`face-check:${p.idNumber}`, 5);
    if (wait > 0) throw tooManyRequests(wait);
    const check = await identityOf(deps).startFaceCheck({ person: { idNumber: p.idNumber, name: p.name } }, `sign-in:${p.idNumber}:${newToken()}`);
    await rememberChallenge(db, { requestId: faceProof(check.checkId), idNumber: p.idNumber, name: p.name, expiresAt: check.expiresAt });
    res.status(201).json({ checkId: check.checkId, url: check.url, expiresAt: check.expiresAt });
  });

  r.get('/auth/applicant/face-check/:checkId', async (req, res) => {
    const p = requireApplicant(req);
    const proof = await challengeOf(db, faceProof(req.params.checkId));
    if (!proof || proof.id_number !== p.idNumber) throw notFound(`face check ${req.params.checkId}`);
    const check = await identityOf(deps).getFaceCheck(req.params.checkId);
    if (check.status !== 'passed') {
      res.json({ status: proof.expires_at.getTime() < Date.now() && check.status === 'pending' ? 'expired' : check.status, assuranceLevel: p.assuranceLevel, ...(check.reason ? { reason: check.reason } : {}) });
      return;
    }
    // Used once: a passed check raises the session that started it (and asking again changes nothing).
    const header = req.get('authorization') ?? '';
    const level = (await useChallenge(db, faceProof(req.params.checkId))) && header.startsWith('Bearer ') ? await raiseAssurance(db, header.slice(7), 'intermediate') : p.assuranceLevel;
    res.json({ status: 'passed', assuranceLevel: level });
  });

  r.get('/auth/me', (req, res) => {
    const p = requireSignedIn(req);
    res.json(p);
  });

  r.post('/auth/logout', async (req, res) => {
    requireSignedIn(req);
    const header = req.get('authorization') ?? '';
    if (header.startsWith('Bearer ')) await endSession(db, header.slice(7));
    res.status(204).end();
  });

  return r;
}

