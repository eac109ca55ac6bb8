/** Task routes: the inbox (待办) and completing a task. */
import { Router } from 'express';
import { badRequest } from '../../lib/errors';
import { requireStaff } from '../staff';
import { bodyValidator } from '../validate';
import { completeTask, inbox, type CaseDeps } from '../services/cases';
import type { TaskAction } from '../../workflows/definitions';

const completeBody = bodyValidator<{ action: TaskAction; opinion: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['action', 'opinion'],
  properties: {
    action: { type: 'string', enum: ['approve', 'refuse'] },
    opinion: { type: 'string', maxLength: 2000 },
  },
});

export function taskRoutes(deps: CaseDeps): Router {
  const r = Router();

  r.get('/tasks', async (req, res) => {
    const actor = await requireStaff(deps.db, req);
    const status = req.query.status ?? 'open';
    if (status !== 'open' && status !== 'done') throw badRequest('status must be "open" or "done"');
    const tasks = await inbox(deps.db, { department: actor.department, roles: actor.roles, status, limit: 100 });
    res.json({ tasks });
  });

  r.post('/tasks/:taskId/complete', async (req, res) => {
    const actor = await requireStaff(deps.db, req);
    if (req.params.taskId.length > 96) throw badRequest('task id too long');
    res.json(await completeTask(deps, req.params.taskId, actor, completeBody(req.body)));
  });

  return r;
}
