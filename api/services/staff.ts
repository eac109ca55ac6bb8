/** Staff members as other staff see them (to hand a task to a colleague). */
import type { Db } from '../../lib/db';

/** A staff member's id, department and roles, or undefined for an unknown id. */
export async function staffMember(db: Db, id: string): Promise<{ userId: string; department: string; roles: string[] } | undefined> {
  const user = await db('staff_users').where({ id }).first<{ id: string; department_code: string; roles: string[] } | undefined>();
  return user && { userId: user.id, department: user.department_code, roles: user.roles };
}
