/** Task routes: the inbox (待办) and completing a task. */
import { Router } from 'express';
import { badRequest } from '../../lib/errors';
import { intQuery, queryString } from '../params';
import { staffActor } from '../staff';
import { bodyValidator } from '../validate';
import { assignTask, completeTask, inbox, type CaseDeps, type CompleteTaskBody } from '../services/cases';
import { staffMember } from '../services/staff';

const completeBody = bodyValidator<CompleteTaskBody>('CompleteRequest', {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'opinion'],
  properties: {
    action: { type: 'string', enum: ['accept', 'reject', 'approve', 'return', 'correction', 'suspend', 'refuse', 'void', 'handover', 'answer', 'retry', 'skip'] },
    opinion: { type: 'string', maxLength: 2000 },
    missingMaterialsReason: { type: 'string', minLength: 1, maxLength: 500, description: 'with accept: why the case is accepted while a required material of its checklist is missing (without it such an acceptance is refused, 422 materials-missing)' },
    problems: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 500 } },
    returnTo: { type: 'string', maxLength: 40 },
    procedure: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'reason', 'expectedDays'],
      properties: {
        type: { enum: ['hearing', 'inspection', 'appraisal', 'expert-review', 'public-notice', 'tender'] },
        reason: { type: 'string', minLength: 1, maxLength: 1000 },
        expectedDays: { type: 'integer', minimum: 1, maximum: 365 },
      },
    },
  },
});
const reassignBody = bodyValidator<{ to: string }>('ReassignRequest', {
  type: 'object', additionalProperties: false, required: ['to'], properties: { to: { type: 'string', minLength: 1, maxLength: 64 } },
});

export function taskRoutes(deps: CaseDeps): Router {
  const r = Router();

  r.get('/tasks', async (req, res) => {
    const actor = staffActor(req);
    const status = queryString(req, 'status', { oneOf: ['open', 'done'] }) ?? 'open';
    res.json(await inbox(deps.db, {
      department: actor.department,
      roles: actor.roles,
      status: status as 'open' | 'done',
      due: queryString(req, 'due', { oneOf: ['overdue', 'soon', 'normal'] }) as 'overdue' | 'soon' | 'normal' | undefined,
      assignee: queryString(req, 'assignee', { oneOf: ['mine', 'unclaimed'] }) as 'mine' | 'unclaimed' | undefined,
      role: queryString(req, 'role', { oneOf: actor.roles }),
      userId: actor.userId,
      limit: intQuery(req, 'limit', 50, 1, 200),
      offset: intQuery(req, 'offset', 0, 0, 100_000),
    }));
  });

  r.post('/tasks/:taskId/complete', async (req, res) => {
    const actor = staffActor(req);
    if (req.params.taskId.length > 96) throw badRequest('task id too long');
    res.json(await completeTask(deps, req.params.taskId, actor, completeBody(req.body)));
  });

  for (const op of ['claim', 'release'] as const) {
    r.post(`/tasks/:taskId/${op}`, async (req, res) => {
      const actor = staffActor(req);
      res.json(await assignTask(deps, req.params.taskId, actor, op));
    });
  }

  r.post('/tasks/:taskId/reassign', async (req, res) => {
    const actor = staffActor(req);
    const { to } = reassignBody(req.body);
    const user = await staffMember(deps.db, to);
    if (!user) throw badRequest(`unknown staff user "${to}"`);
    res.json(await assignTask(deps, req.params.taskId, actor, 'reassign', user));
  });

  return r;
}
