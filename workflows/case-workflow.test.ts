/**
 * Workflow tests on Temporal's Java time-skipping test server, with fake activities that
 * record what the workflow projected.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'chai';
import type { createProjectionActivities } from '../activities/projection';
import type { CaseEventInput, CloseTaskInput, OpenTaskInput } from '../activities/projection';
import { createTimeSkippingEnv } from '../test/time-skipping';
import { workflowBundle } from '../test/harness';
import { caseViewQuery, completeTaskUpdate, evaluateUpdate, type CaseInput } from './definitions';
import type { CaseResult } from './case-workflow';

type CaseActivities = ReturnType<typeof createProjectionActivities>;

function fakeActivities() {
  const events: CaseEventInput[] = [];
  const opened: OpenTaskInput[] = [];
  const closed: CloseTaskInput[] = [];
  const activities: CaseActivities = {
    recordCaseEvent: (ev) => { events.push(ev); return Promise.resolve(); },
    openTask: (t) => { opened.push(t); return Promise.resolve(); },
    closeTask: (t) => { closed.push(t); return Promise.resolve(); },
  };
  return { activities, events, opened, closed };
}

const input = (caseNo: string, steps = 1): CaseInput => ({
  caseNo,
  implementation: {
    code: 'impl-1',
    version: 3,
    itemCode: 'ITEM-1',
    itemName: '测试事项',
    department: 'dept-a',
    evaluationWindowDays: 30,
    process: {
      steps: Array.from({ length: steps }, (_, i) => ({
        type: 'task' as const, id: `s${i + 1}`, name: `第${i + 1}步`, department: 'dept-a', role: 'approver', actions: ['approve' as const, 'refuse' as const],
      })),
    },
  },
  applicant: { kind: 'person', name: '张三', idNumber: '11010519491231002X' },
  channel: 'online',
  formData: { a: 1 },
  filedAt: '2026-03-02T01:00:00.000Z',
});

const approver = { userId: 'u1', department: 'dept-a', roles: ['approver'] };

describe('caseWorkflow (time-skipping test server)', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;

  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  async function withWorker<T>(activities: CaseActivities, taskQueue: string, fn: () => Promise<T>): Promise<T> {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
    return worker.runUntil(fn);
  }

  async function waitForOpenTask(handle: { query: (q: typeof caseViewQuery) => Promise<{ openTasks: { taskId: string }[] }> }) {
    for (let i = 0; i < 100; i++) {
      const view = await handle.query(caseViewQuery);
      if (view.openTasks.length) return view.openTasks[0].taskId;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no task opened');
  }

  it('when nobody rates a completed case, then the 30-day evaluation window closes it', async () => {
    const fake = fakeActivities();
    const result = await withWorker(fake.activities, 'tq-window', async () => {
      const handle = await env.client.workflow.start('caseWorkflow', { taskQueue: 'tq-window', workflowId: 'case-window', args: [input('case-window')] });
      const taskId = await waitForOpenTask(handle);
      const answer = await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId, action: 'approve', opinion: '同意', actor: approver }] });
      expect(answer).to.deep.equal({ taskId, action: 'approve', status: 'approved' });
      const before = await env.currentTimeMs();
      const res = (await handle.result()) as CaseResult;
      const skipped = (await env.currentTimeMs()) - before;
      expect(skipped).to.be.at.least(30 * 24 * 3600 * 1000);
      return res;
    });
    expect(result.decision?.outcome).to.equal('approved');
    expect(result.evaluation).to.equal(null);
    expect(fake.events.map((e) => e.type)).to.deep.equal(['filed', 'task-opened', 'task-completed', 'decided', 'evaluation-window-closed', 'closed']);
    expect(fake.events.map((e) => e.seq)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    const closedAt = Date.parse(fake.events[5].at);
    const decidedAt = Date.parse(fake.events[3].at);
    expect(closedAt - decidedAt).to.be.at.least(30 * 24 * 3600 * 1000);
  });

  it('when a step refuses, then later steps never open and the case is refused', async () => {
    const fake = fakeActivities();
    await withWorker(fake.activities, 'tq-refuse', async () => {
      const handle = await env.client.workflow.start('caseWorkflow', { taskQueue: 'tq-refuse', workflowId: 'case-refuse', args: [input('case-refuse', 3)] });
      const taskId = await waitForOpenTask(handle);
      const answer = await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId, action: 'refuse', opinion: '材料不符合法定形式', actor: approver }] });
      expect(answer.status).to.equal('refused');
      await handle.executeUpdate(evaluateUpdate, { args: [{ level: 2, comment: '等待太久' }] });
      const res = (await handle.result()) as CaseResult;
      expect(res.decision).to.include({ outcome: 'refused', opinion: '材料不符合法定形式', by: 'u1' });
      expect(res.evaluation).to.include({ level: 2 });
    });
    expect(fake.opened).to.have.length(1);
    expect(fake.closed[0]).to.deep.include({ taskId: 'case-refuse-s1-1' });
  });

  it('when an update is invalid, then the validator refuses it with a typed reason and the case is unchanged', async () => {
    const fake = fakeActivities();
    await withWorker(fake.activities, 'tq-bad', async () => {
      const handle = await env.client.workflow.start('caseWorkflow', { taskQueue: 'tq-bad', workflowId: 'case-bad', args: [input('case-bad', 2)] });
      const taskId = await waitForOpenTask(handle);
      const refusalType = async (p: Promise<unknown>) => {
        try {
          await p;
        } catch (err) {
          expect(err).to.be.instanceOf(WorkflowUpdateFailedError);
          return ((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type;
        }
        throw new Error('update was accepted');
      };
      const send = (over: object) => handle.executeUpdate(completeTaskUpdate, { args: [{ taskId, action: 'approve', opinion: 'ok', actor: approver, ...over }] });
      expect(await refusalType(send({ actor: { ...approver, department: 'dept-b' } }))).to.equal('NotAuthorised');
      expect(await refusalType(send({ actor: { ...approver, roles: ['clerk'] } }))).to.equal('NotAuthorised');
      expect(await refusalType(send({ action: 'void' }))).to.equal('ActionNotAllowed');
      expect(await refusalType(send({ taskId: 'nope' }))).to.equal('TaskNotOpen');
      expect(await refusalType(send({ action: 'refuse', opinion: '  ' }))).to.equal('InvalidInput');
      expect(await refusalType(handle.executeUpdate(evaluateUpdate, { args: [{ level: 5, comment: '' }] }))).to.equal('WrongState');
      const view = await handle.query(caseViewQuery);
      expect(view.status).to.equal('in_review');
      expect(view.openTasks.map((t) => t.taskId)).to.deep.equal([taskId]);

      await send({});
      expect(await refusalType(send({}))).to.equal('TaskNotOpen');
      const next = await handle.query(caseViewQuery);
      expect(next.openTasks.map((t) => t.stepId)).to.deep.equal(['s2']);
      await handle.terminate('test over');
    });
    expect(fake.closed).to.have.length(1);
  });
});
