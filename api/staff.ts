/**
 * Who is acting. Until staff sign-in lands (issue 7), a staff member is named by the
 * `X-Staff-User` header and their department and roles are read from the database, so the
 * workflow's validators check the real department and role.
 */
import type { Request } from 'express';
import type { Db } from '../lib/db';
import { unauthorised } from '../lib/errors';
import type { Actor } from '../workflows/definitions';

export async function requireStaff(db: Db, req: Request): Promise<Actor> {
  const id = req.get('x-staff-user');
  if (!id) throw unauthorised('name the staff member in the X-Staff-User header');
  const user = await db('staff_users').where({ id }).first<{ id: string; department_code: string; roles: string[] } | undefined>();
  if (!user) throw unauthorised(`unknown staff user "${id}"`);
  return { userId: user.id, department: user.department_code, roles: user.roles };
}
