/**
 * Following a case with one request at a time (GET /api/cases/{caseNo}?wait=N and If-None-Match),
 * over HTTP against the real stack and PostgreSQL's notifications: the request is held while the
 * caller holds the current version and answered when the case moves; 304 when nothing moved in
 * the wait; a caller that hangs up stops waiting; bad waits are refused; and the watch still
 * answers, then listens again, when its LISTEN connection is killed.
 */
import { expect } from 'chai';
import { readFormFolder } from '../lib/forms';
import { createDb, type Db } from '../lib/db';
import { ctx } from '../test/context';
import { asApplicant, asClerkFor, eventually, http, sharedStack, type Stack } from '../test/harness';
import { CaseWatch, maxPerCaller } from './services/case-watch';
import { caseViewWaiting, httpDuration } from '../lib/metrics';

const item = 'XK-330000-00001.xh-scjg';
const person = { kind: 'person', name: '吴晓丽', idNumber: '330106199204184421', phone: '13588036761' };

/** Files a case of the item at the window, as its hall's clerk; its case number. */
async function fileAtWindow(stack: Stack, clerk: Record<string, string>): Promise<string> {
  const filed = await http(stack, 'POST', '/api/cases', {
    implementationCode: item, channel: 'window', applicant: person,
    formData: { ...readFormFolder({ key: 'individual-business-registration', version: 1 }).example, operatorName: person.name },
  }, clerk);
  expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
  return filed.body.caseNo as string;
}

describe('the case view: waiting for the case to move (?wait=)', function () {
  this.timeout(120_000);
  let stack: Stack;
  let clerk: Record<string, string>;
  let caseNo: string;

  const file = () => fileAtWindow(stack, clerk);
  const openPrecheck = (no: string) => eventually(async () => stack.db('tasks').where({ case_no: no, kind: 'precheck', status: 'open' }).first<{ id: string } | undefined>('id'), 'the pre-check task', 30_000);

  before(async () => {
    stack = await sharedStack();
    clerk = await asClerkFor(stack, item);
    caseNo = await file();
    await openPrecheck(caseNo);
  });
  after(async () => {
    await stack?.stop();
  });

  it('when a clerk waits with the ETag they hold and the case moves meanwhile, then the held request answers 200 with the change and a new ETag', async () => {
    const first = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, clerk);
    expect(first.status).to.equal(200);
    const task = (first.body.tasks as { taskId: string; kind: string; status: string }[]).find((t) => t.kind === 'precheck' && t.status === 'open')!;
    const waiting = http(stack, 'GET', `/api/cases/${caseNo}?wait=25`, undefined, { ...clerk, 'if-none-match': first.headers.etag });
    await eventually(() => Promise.resolve(stack.caseWatch.waitingNow > 0 || undefined), 'the request to wait', 10_000);
    const claimed = await http(stack, 'POST', `/api/tasks/${task.taskId}/claim`, undefined, clerk);
    expect(claimed.status, JSON.stringify(claimed.body)).to.equal(200);
    const moved = await waiting;
    expect(moved.status).to.equal(200);
    expect(moved.headers.etag).to.match(/^"v\d+-full"$/);
    expect(moved.headers.etag).not.to.equal(first.headers.etag);
    expect((moved.body.tasks as { taskId: string; assignee: string | null }[]).find((t) => t.taskId === task.taskId)!.assignee).to.be.a('string');
    expect(stack.caseWatch.waitingNow).to.equal(0);
  });

  it('when nothing moves during the wait, then the answer is 304 with the same ETag once the wait is over; the waiting gauge counts it meanwhile, and its duration metric leaves the wait out', async () => {
    const first = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, clerk);
    const held304 = async () => (await httpDuration.get()).values.find((v) => v.metricName === 'onewindow_http_request_duration_seconds_sum' && v.labels.operation === 'getCasesByCaseNo' && v.labels.status === '304')?.value ?? 0;
    const before = await held304();
    const started = Date.now();
    const pending = http(stack, 'GET', `/api/cases/${caseNo}?wait=2`, undefined, { ...clerk, 'if-none-match': first.headers.etag });
    await eventually(async () => ((await caseViewWaiting.get()).values[0]?.value ?? 0) > 0 || undefined, 'the gauge to count the wait', 1_500);
    const again = await pending;
    expect(again.status).to.equal(304);
    expect(again.headers.etag).to.equal(first.headers.etag);
    expect(Date.now() - started).to.be.at.least(1_950);
    expect((await caseViewWaiting.get()).values[0]?.value).to.equal(0);
    // Held about 2 s; what the metric counts is the request's work (well under the hold).
    expect((await held304()) - before).to.be.greaterThan(0).and.lessThan(1);
  });

  it('when the caller holds nothing (no If-None-Match) or an older version, then a wait answers at once with the view', async () => {
    const plain = await http(stack, 'GET', `/api/cases/${caseNo}?wait=30`, undefined, clerk);
    expect(plain.status).to.equal(200);
    const old = await http(stack, 'GET', `/api/cases/${caseNo}?wait=30`, undefined, { ...clerk, 'if-none-match': '"v1-full"' });
    expect(old.status).to.equal(200);
    expect(old.headers.etag).to.equal(plain.headers.etag);
  });

  it('when a case has just been filed and is not yet in the read model, then a wait answers once it is there', async () => {
    const no = await file();
    const seen = await http(stack, 'GET', `/api/cases/${no}?wait=20`, undefined, clerk);
    expect(seen.status, JSON.stringify(seen.body)).to.equal(200);
    expect(seen.body.caseNo).to.equal(no);
  });

  it('when the wait is not a whole number of seconds from 0 to 30, then 400 and nothing waits', async () => {
    for (const bad of ['31', '-1', 'abc', '1.5', '']) {
      const r = await http(stack, 'GET', `/api/cases/${caseNo}?wait=${encodeURIComponent(bad)}`, undefined, clerk);
      expect(r.status, `wait=${bad}`).to.equal(400);
      expect(r.body.title ?? r.body.detail).to.be.a('string');
    }
    const twice = await http(stack, 'GET', `/api/cases/${caseNo}?wait=1&wait=2`, undefined, clerk);
    expect(twice.status).to.equal(400);
  });

  it('when someone who may not see the case waits on it, then they are refused at once, as without a wait', async () => {
    const stranger = await asApplicant(stack, { idNumber: '330106198503122410', name: '刘建军', phone: '13588036751' });
    const r = await http(stack, 'GET', `/api/cases/${caseNo}?wait=30`, undefined, { ...stranger, 'if-none-match': '"v1-full"' });
    expect(r.status).to.equal(404);
    expect(stack.caseWatch.waitingNow).to.equal(0);
  });

  it('when the caller hangs up while waiting, then the request stops waiting', async () => {
    const first = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, clerk);
    const controller = new AbortController();
    const gone = fetch(`${stack.baseUrl}/api/cases/${caseNo}?wait=30`, { headers: { ...clerk, 'if-none-match': first.headers.etag }, signal: controller.signal }).catch((err: Error) => err);
    await eventually(() => Promise.resolve(stack.caseWatch.waitingNow > 0 || undefined), 'the request to wait', 10_000);
    controller.abort();
    expect(await gone).to.be.instanceOf(Error);
    await eventually(() => Promise.resolve(stack.caseWatch.waitingNow === 0 || undefined), 'the wait to end', 10_000);
  });
});

describe('the case watch and its LISTEN connection (PostgreSQL)', function () {
  this.timeout(60_000);
  let db: Db;
  let caseNo: string;

  before(async function () {
    if (ctx.embeddedDb) this.skip(); // the embedded PGlite serves one connection: no LISTEN there
    db = createDb({ url: ctx.databaseUrl });
    const row = await db('cases').first<{ case_no: string } | undefined>('case_no');
    if (!row) {
      // The HTTP suite above files cases; run alone, this one needs a case of its own.
      const stack = await sharedStack();
      const filed = await fileAtWindow(stack, await asClerkFor(stack, item));
      await eventually(async () => db('cases').where({ case_no: filed }).first('case_no'), 'the case row', 30_000);
      await stack.stop();
    }
    caseNo = (await db('cases').first<{ case_no: string }>('case_no')).case_no;
  });
  after(async () => {
    await db?.destroy();
  });

  /**
   * The wait's answer, or 'not woken' when it has not come 20 s into a 50 s wait: nothing but a
   * wake-up (a notification, or a fallback look) can answer it that soon.
   */
  const within20s = <T>(p: Promise<T>) => Promise.race([p, new Promise<'not woken'>((r) => setTimeout(() => r('not woken'), 20_000).unref())]);
  const version = async () => String((await db('cases').where({ case_no: caseNo }).first<{ view_version: string }>('view_version')).view_version);
  /** Moves the case view's version as any writer does: an update of the case row. */
  const touch = () => db('cases').where({ case_no: caseNo }).update({ updated_at: db.fn.now() });
  /** This test's own LISTEN connection's name, so killing it touches no other watch. */
  const name = `onewindow case-watch test ${process.pid}`;
  const movedFrom = (held: string) => async () => {
    const v = await version();
    return v !== held ? v : undefined;
  };

  it('when the case row changes, then the notification wakes the wait (no fallback look for a minute)', async () => {
    const watch = new CaseWatch({ connection: { connectionString: ctx.databaseUrl }, fallbackMs: 60_000, name });
    try {
      // Let the LISTEN connection come up first (a wait starts it).
      await watch.until(caseNo, 'test', 100, () => Promise.resolve(undefined));
      await eventually(() => Promise.resolve(watch.live || undefined), 'the LISTEN connection', 10_000);
      const held = await version();
      const seen = watch.until(caseNo, 'test', 50_000, movedFrom(held));
      await new Promise((r) => setTimeout(r, 200));
      await touch();
      const answer = await within20s(seen);
      expect(answer).to.be.a('string').and.not.equal(held).and.not.equal('not woken');
    } finally {
      await watch.stop();
    }
  });

  it('when there is no LISTEN connection (as on the embedded database), then a wait still sees the change at its next look (every fallbackMs)', async () => {
    const watch = new CaseWatch({ fallbackMs: 300 });
    try {
      const held = await version();
      const seen = watch.until(caseNo, 'test', 50_000, movedFrom(held));
      await new Promise((r) => setTimeout(r, 100));
      await touch();
      const answer = await within20s(seen);
      expect(answer).to.be.a('string').and.not.equal(held).and.not.equal('not woken');
    } finally {
      await watch.stop();
    }
  });

  it('when its LISTEN connection is killed, then a wait asleep until its deadline looks again and sees the change, and the watch listens again', async () => {
    const watch = new CaseWatch({ connection: { connectionString: ctx.databaseUrl }, fallbackMs: 300, name });
    try {
      await watch.until(caseNo, 'test', 100, () => Promise.resolve(undefined));
      await eventually(() => Promise.resolve(watch.live || undefined), 'the LISTEN connection', 10_000);
      const held = await version();
      const seen = watch.until(caseNo, 'test', 50_000, movedFrom(held));
      await eventually(() => Promise.resolve(watch.waitingNow > 0 || undefined), 'the wait', 10_000);
      // Moved without a notification reaching the watch: its connection is killed first.
      const killed = await db.raw(`select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = ? and datname = current_database()`, [name]);
      expect(killed.rows.length).to.equal(1);
      await eventually(() => Promise.resolve(!watch.live || undefined), 'the watch to see its connection gone', 10_000);
      await touch();
      const answer = await within20s(seen);
      expect(answer).to.be.a('string').and.not.equal(held).and.not.equal('not woken');
      await eventually(() => Promise.resolve(watch.live || undefined), 'the LISTEN connection again', 20_000);
    } finally {
      await watch.stop();
    }
  });

  it('when one caller already holds the most waits it may, then its next wait answers at once, while another caller still waits', async () => {
    const watch = new CaseWatch({ fallbackMs: 60_000 });
    try {
      const never = () => Promise.resolve(undefined);
      const held = Array.from({ length: maxPerCaller }, () => watch.until(caseNo, 'greedy', 50_000, never));
      expect(watch.waitingNow).to.equal(maxPerCaller);
      expect(await within20s(watch.until(caseNo, 'greedy', 50_000, never))).to.equal(undefined);
      const other = watch.until(caseNo, 'other', 50_000, never);
      expect(watch.waitingNow).to.equal(maxPerCaller + 1);
      await watch.stop();
      await Promise.all([...held, other]);
      expect(watch.waitingNow).to.equal(0);
    } finally {
      await watch.stop();
    }
  });

  it('when the watch stops, then every wait answers at once with what it last saw (nothing)', async () => {
    const watch = new CaseWatch({ connection: { connectionString: ctx.databaseUrl }, name });
    const pending = watch.until(caseNo, 'test', 50_000, () => Promise.resolve(undefined));
    await eventually(() => Promise.resolve(watch.waitingNow > 0 || undefined), 'the wait', 10_000);
    await watch.stop();
    expect(await pending).to.equal(undefined);
    expect(watch.waitingNow).to.equal(0);
  });
});
