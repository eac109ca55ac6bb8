/**
 * What a case's refusal becomes at the API: every refusal type the workflow's validators raise
 * is a 4xx (a late correction reply, `DeadlinePassed`, is a 409), and `updateCase` records it in
 * the (real) audit log before answering. The errors are built as the Temporal client builds them
 * from the server's answer: a late reply cannot be produced on a running dev server (its timer
 * ends the case at the reply-by instant; the refusal needs a worker that comes back after it).
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'chai';
import { AppError } from '../../lib/errors';
import { createDb, type Db } from '../../lib/db';
import { ctx } from '../../test/context';
import { Refusals } from '../../workflows/definitions';
import { updateCase } from './cases';
import { mapTemporalError } from './temporal-errors';
import { stoppedRefusal } from './stopped';

const refusal = (type: string, message: string) => new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.nonRetryable(message, type));

describe('refusals of a case at the API', () => {
  it('when the workflow refuses with any of its refusal types, then the API answers a 4xx named after it', () => {
    for (const type of Object.values(Refusals)) {
      const mapped = mapTemporalError(refusal(type, 'no'), '33010620261129000000001');
      expect(mapped, type).to.be.instanceOf(AppError);
      expect((mapped as AppError).status, type).to.be.within(400, 499);
    }
    const late = mapTemporalError(refusal(Refusals.deadlinePassed, 'the correction was due by 2026-12-14T15:59:59.999Z'), 'x') as AppError;
    expect(late).to.include({ status: 409, code: 'deadline-passed', message: 'the correction was due by 2026-12-14T15:59:59.999Z' });
  });

  it('when an update fails with something that is not a refusal, then it stays an error (a 500 for the handler)', () => {
    expect(mapTemporalError(refusal('TypeError', 'x is undefined'), 'x')).not.to.be.instanceOf(AppError);
  });

  describe('with the database', () => {
    let db: Db;
    before(() => { db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb }); });
    after(async () => { await db?.destroy(); });

    it('when an update finds no workflow for a case the read model holds, then it is closed: a 409 case-closed, whatever the server\'s words (the production server says "not found")', async () => {
      const caseNo = `3301062026112998${String(Date.now() % 1_000_000).padStart(6, '0')}`;
      // Temporal keeps no run of it at all: describing it is "not found" too.
      const notFound = () => new WorkflowNotFoundError(`workflow not found for ID: ${caseNo}`, caseNo, undefined);
      const client = { workflow: { getHandle: () => ({ describe: () => Promise.reject(notFound()) }) } } as unknown as Client;
      const err = await updateCase({ db, client, taskQueue: 'x' }, caseNo, 'applicant', 'evaluate', () =>
        Promise.reject(notFound())).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(AppError);
      expect(err).to.include({ status: 409, code: 'case-closed' });
      expect(await db('audit_log').where({ case_no: caseNo, action: 'refused.evaluate' }).first('actor')).to.deep.equal({ actor: 'applicant' });
    });

    it('when a late correction reply is refused, then it is a 409 and the refusal is audited with its reason', async () => {
      const caseNo = `3301062026112999${String(Date.now() % 1_000_000).padStart(6, '0')}`;
      const err = await updateCase({ db, client: undefined as never, taskQueue: 'x' }, caseNo, 'applicant', 'replyCorrection', () =>
        Promise.reject(refusal(Refusals.deadlinePassed, 'the correction was due by 2026-12-14T15:59:59.999Z'))).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(AppError);
      expect((err as AppError).status).to.equal(409);
      const row = await db('audit_log').where({ case_no: caseNo, action: 'refused.replyCorrection' }).first<{ actor: string; detail: { status: number; reason: string } } | undefined>();
      expect(row?.actor).to.equal('applicant');
      expect(row?.detail).to.deep.equal({ status: 409, reason: 'the correction was due by 2026-12-14T15:59:59.999Z' });
    });
  });
});

describe('an action that found the case\'s run closed: what the case\'s last run says (stoppedRefusal)', () => {
  const Status = temporal.api.enums.v1.WorkflowExecutionStatus;
  const closed = () => new WorkflowNotFoundError('workflow execution already completed', '33010620261130000000001', undefined);
  /** A client whose describe answers `status`, or fails with `fails`; counts the calls. */
  const clientThat = (o: { status?: number; fails?: Error }) => {
    const calls = { describe: 0 };
    const client = {
      workflow: {
        getHandle: () => ({
          describe: () => {
            calls.describe += 1;
            return o.fails ? Promise.reject(o.fails) : Promise.resolve({ runId: 'r', type: 'caseWorkflow', closeTime: undefined, raw: { workflowExecutionInfo: { status: o.status } } });
          },
        }),
      },
    } as unknown as Client;
    return { client, calls };
  };

  it('when Temporal cannot be asked just then (unavailable), then the answer is a 503 to try again, not a guess that the case is closed', async () => {
    const unavailable = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, metadata: {} });
    const { client } = clientThat({ fails: unavailable });
    const err = await stoppedRefusal(client, '33010620261130000000001', closed()).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(AppError);
    expect(err).to.include({ status: 503, code: 'service-unavailable' });
    // Any other failure of the describe is not dressed up as "try again": it stays what it is (a 500, logged).
    const denied = Object.assign(new Error('7 PERMISSION_DENIED: not allowed'), { code: 7, metadata: {} });
    expect(await stoppedRefusal(clientThat({ fails: denied }).client, 'x', closed()).then(() => null, (e: unknown) => e)).to.equal(denied);
  });

  it('when the case is no longer kept by Temporal (not found), or its last run completed, then there is nothing stopped (null: the caller says case-closed)', async () => {
    expect(await stoppedRefusal(clientThat({ fails: closed() }).client, 'x', closed())).to.equal(null);
    expect(await stoppedRefusal(clientThat({ status: Status.WORKFLOW_EXECUTION_STATUS_COMPLETED }).client, 'x', closed())).to.equal(null);
  });

  it('when the last run was terminated, then case-stopped; when it runs again, then case-revived; an error that is not about a closed run is left alone without asking', async () => {
    expect(await stoppedRefusal(clientThat({ status: Status.WORKFLOW_EXECUTION_STATUS_TERMINATED }).client, 'x', closed())).to.include({ status: 409, code: 'case-stopped' });
    expect(await stoppedRefusal(clientThat({ status: Status.WORKFLOW_EXECUTION_STATUS_RUNNING }).client, 'x', closed())).to.include({ status: 409, code: 'case-revived' });
    const other = clientThat({ status: Status.WORKFLOW_EXECUTION_STATUS_TERMINATED });
    expect(await stoppedRefusal(other.client, 'x', new Error('something else'))).to.equal(null);
    expect(other.calls.describe).to.equal(0);
  });
});
