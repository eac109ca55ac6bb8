/**
 * The retention job on the real database and Temporal: it deletes operational records older than
 * the retention and nothing younger, never less than 180 days whatever it is asked, and never the
 * audit log; its schedule runs daily and takes RETENTION_DAYS; the workflow runs it on a worker.
 */
import { expect } from 'chai';
import crypto from 'node:crypto';
import { ensureRetentionSchedule } from '../lib/retention-schedule';
import { sharedStack, type Stack } from '../test/harness';
import { pruneOperationalRecords, type RetentionSummary } from './retention';

const day = 86_400_000;

describe('the retention job (real database and Temporal)', function () {
  this.timeout(60_000);
  let stack: Stack;
  const tag = crypto.randomUUID().slice(0, 8);
  before(async () => {
    stack = await sharedStack();
  });
  after(async () => {
    await stack?.stop();
  });

  /** Rows of every kind the job prunes, `ageDays` old, and an audit row as old; returns their keys. */
  async function seed(ageDays: number) {
    const db = stack.db;
    const at = new Date(Date.now() - ageDays * day);
    const key = `${tag}-${ageDays}`;
    await db('sessions').insert({ token_hash: crypto.createHash('sha256').update(key).digest('hex'), kind: 'staff', subject: `ret-${key}`, name: '保留期测试', created_at: at, expires_at: new Date(at.getTime() + 3_600_000) });
    await db('login_challenges').insert({ request_id: `ret-${key}`, id_number: '11010519491231002X', name: '张三', expires_at: at });
    await db('api_keys').insert({ id: `ret-${key}`.slice(0, 32), name: '保留期测试', token_hash: crypto.randomBytes(32).toString('hex'), signing_secret_enc: 'x', scopes: ['cases:read'], created_by: 'test' });
    await db('webhook_subscriptions').insert({ id: `ret-${key}`, api_key_id: `ret-${key}`.slice(0, 32), url: 'https://example.invalid/hook', events: ['*'], secret_enc: 'x' });
    const [delivery] = await db('webhook_deliveries').insert({ subscription_id: `ret-${key}`, event_id: `ret-${key}`, event_type: 'case.filed', case_no: 'ret', payload: '{}', state: 'delivered', attempts: 1, created_at: at }).returning<{ id: string }[]>('id');
    await db('webhook_attempts').insert({ delivery_id: delivery.id, status: 200, duration_ms: 5, at });
    // A pending delivery as old: still to be sent, so kept.
    const [pending] = await db('webhook_deliveries').insert({ subscription_id: `ret-${key}`, event_id: `ret-${key}-p`, event_type: 'case.filed', case_no: 'ret', payload: '{}', state: 'pending', created_at: at, next_attempt_at: new Date(Date.now() + 365 * day) }).returning<{ id: string }[]>('id');
    await db('webhook_attempts').insert({ delivery_id: pending.id, status: 500, duration_ms: 5, at });
    await db('audit_log').insert({ at, actor: `staff:ret-${key}`, action: 'auth.refused', detail: JSON.stringify({ reason: 'wrong user id or password' }) });
    return { key, session: `ret-${key}`, challenge: `ret-${key}`, delivery: delivery.id, pending: pending.id };
  }

  async function present(k: Awaited<ReturnType<typeof seed>>) {
    const db = stack.db;
    return {
      session: (await db('sessions').where({ subject: k.session }).first()) !== undefined,
      challenge: (await db('login_challenges').where({ request_id: k.challenge }).first()) !== undefined,
      delivery: (await db('webhook_deliveries').where({ id: k.delivery }).first()) !== undefined,
      attempts: Number((await db('webhook_attempts').where({ delivery_id: k.delivery }).count<{ c: string }>('* as c').first())?.c),
      pending: (await db('webhook_deliveries').where({ id: k.pending }).first()) !== undefined,
      pendingAttempts: Number((await db('webhook_attempts').where({ delivery_id: k.pending }).count<{ c: string }>('* as c').first())?.c),
      audit: (await db('audit_log').where({ actor: `staff:${k.session}` }).first()) !== undefined,
    };
  }

  it('when it runs with 180 days, then records older go, younger ones and pending deliveries stay, and the audit log keeps every row', async () => {
    const old = await seed(200);
    const young = await seed(170);
    const auditBefore = Number((await stack.db('audit_log').count<{ c: string }>('* as c').first())?.c);
    const summary = await pruneOperationalRecords(stack.db, 180);
    expect(summary.sessions).to.be.at.least(1);
    expect(summary.loginChallenges).to.be.at.least(1);
    expect(summary.webhookAttempts).to.be.at.least(1);
    expect(summary.webhookDeliveries).to.be.at.least(1);
    expect(await present(old)).to.deep.equal({ session: false, challenge: false, delivery: false, attempts: 0, pending: true, pendingAttempts: 1, audit: true });
    expect(await present(young)).to.deep.equal({ session: true, challenge: true, delivery: true, attempts: 1, pending: true, pendingAttempts: 1, audit: true });
    expect(Number((await stack.db('audit_log').count<{ c: string }>('* as c').first())?.c)).to.be.at.least(auditBefore);
  });

  it('when it is asked for fewer than 180 days, then it still keeps 180', async () => {
    const k = await seed(100);
    const summary = await pruneOperationalRecords(stack.db, 30);
    expect(Date.parse(summary.cutoff)).to.be.below(Date.now() - 179 * day);
    expect(await present(k)).to.include({ session: true, challenge: true, delivery: true, audit: true });
  });

  it('when the worker ensures its schedule twice with another retention, then one daily schedule at 03:30 China time runs retentionWorkflow with the newer retention, and the workflow runs the job on a worker', async () => {
    const id = `retention-test-${tag}`;
    expect(await ensureRetentionSchedule(stack.client, stack.taskQueue, 200, id)).to.equal('created');
    try {
      expect(await ensureRetentionSchedule(stack.client, stack.taskQueue, 365, id)).to.equal('exists');
      const d = await stack.client.schedule.getHandle(id).describe();
      expect(d.action.type).to.equal('startWorkflow');
      expect(d.action.type === 'startWorkflow' && d.action.workflowType).to.equal('retentionWorkflow');
      expect(d.action.type === 'startWorkflow' && d.action.args).to.deep.equal([{ days: 365 }]);
      expect(d.spec.calendars?.[0]).to.deep.include({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
      expect(d.spec.timezone).to.equal('Asia/Shanghai');
    } finally {
      await stack.client.schedule.getHandle(id).delete();
    }
    const old = await seed(400);
    const result = await stack.client.workflow.execute('retentionWorkflow', { taskQueue: stack.taskQueue, workflowId: `retention-run-${tag}`, args: [{ days: 365 }] }) as RetentionSummary;
    expect(result.sessions).to.be.at.least(1);
    expect(await present(old)).to.include({ session: false, challenge: false, delivery: false, pending: true, audit: true });
  });
});
