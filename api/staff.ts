/**
 * The signed-in staff member as the workflow's `Actor`: user id, department and roles, read
 * from the database when the session was checked, so the workflow's validators see the real
 * department and role.
 */
import type { Request } from 'express';
import { actorOf, requireStaff } from './auth/principal';
import type { Actor } from '../workflows/definitions';

export function staffActor(req: Request, roles?: readonly string[]): Actor {
  return actorOf(requireStaff(req, roles));
}
