/**
 * `npm run test:cluster`: the platform on a real multi-service Temporal cluster on PostgreSQL,
 * brought up from nothing (fresh databases, fresh archive): frontend, two history processes,
 * matching and the internal worker as separate processes, two workers, two API processes and
 * nginx in front (lib/cluster.ts). 200 cases of a sample item with a fee and courier delivery
 * are driven through nginx while one history process, one worker and one API process are
 * killed with SIGKILL and started again; every case completes with exactly one payment order,
 * one certificate and one courier booking, and the read model agrees with Temporal's visibility.
 * Then cases the cluster no longer holds (deleted as retention deletes them) are read back from
 * the archive through the API's history view, and listed from the archive in the supervisors'
 * workflow list, within each supervisor's jurisdiction only.
 */
import { Client, Connection } from '@temporalio/client';
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchItem } from '../../bench/e2e';
import { createAuth, type Auth } from '../../bench/staff-auth';
import { freshDatabase, prepareDatabase } from '../../bench/stack';
import { dropTemporalDatabases, freePortRun, minimumRetention, portsNeeded, startCluster, type Cluster } from '../../lib/cluster';
import { loadConfig } from '../../lib/config';
import { hashPassword } from '../../api/auth/secrets';
import type { Db } from '../../lib/db';
import { driveCases } from './drive';

const CASES = 200;
const say = (line: string) => process.stderr.write(`  [cluster] ${line}\n`);

describe('the platform on a Temporal cluster (frontend, history ×2, matching, worker; PostgreSQL; nginx)', function () {
  this.timeout(20 * 60_000);
  const config = loadConfig();
  const run = `${process.pid}_${Date.now() % 1_000_000}`;
  const temporalDb = `temporal_ct_${run}`;
  const visibilityDb = `temporal_visibility_ct_${run}`;
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onewindow-cluster-'));
  const options = { historyProcesses: 2, workers: 2, apis: 2 };
  let cluster: Cluster;
  let app: { db: Db; url: string; drop(): Promise<void> };
  let client: Client;
  let auth: Auth;
  let caseNumbers: string[] = [];
  /** Closed cases the cluster no longer holds (deleted as retention deletes them), read from the archive. */
  let removed: string[] = [];
  const killed: string[] = [];

  before(async function () {
    if (!config.databaseUrl) throw new Error('npm run test:cluster needs DATABASE_URL: a PostgreSQL server whose role may create databases');
    const started = Date.now();
    app = await freshDatabase(config.databaseUrl, `onewindow_ct_${run}`);
    await prepareDatabase(app.db, config.demoStaffPassword);
    // Ctrl-C during the run: stop the cluster (and drop its databases) before leaving.
    const interrupted = () => void cleanUp().finally(() => process.exit(130));
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    const portBase = await freePortRun(portsNeeded(options) + 1);
    cluster = await startCluster({
      config,
      databaseUrl: app.url,
      temporalDb,
      visibilityDb,
      runDir,
      portBase,
      httpPort: portBase + portsNeeded(options),
      ...options,
      namespace: 'onewindow',
      taskQueue: 'cluster-cases',
      // A callback lost while an API restarts is retried by the platform; a case also asks the platform itself after a minute.
      appEnv: { PLATFORM_FOLLOW_UP_MINUTES: '1' },
      log: say,
    });
    say(`cluster up in ${Math.round((Date.now() - started) / 1000)} s; logs in ${runDir}/logs`);
    const connection = await Connection.connect({ address: cluster.frontendAddress });
    client = new Client({ connection, namespace: 'onewindow' });
    auth = createAuth({ baseUrl: cluster.baseUrl, staffPassword: config.demoStaffPassword, identityUrl: cluster.simulatorUrls.identity });
  });

  let cleaned: Promise<void> | undefined;
  const cleanUp = () => (cleaned ??= (async () => {
    await client?.connection.close();
    await cluster?.stop();
    if (config.databaseUrl) await dropTemporalDatabases(config.databaseUrl, [temporalDb, visibilityDb]);
    await app?.drop();
    if (!process.env.KEEP_CLUSTER_LOGS) fs.rmSync(runDir, { recursive: true, force: true });
  })());
  after(() => cleanUp());

  /** SIGKILL the named process and wait until the Supervisor has started it again and it is ready. */
  async function killAndWaitBack(name: string, readyUrl?: string): Promise<void> {
    const before = cluster.supervisor.restarts(name);
    const proc = cluster.supervisor.current(name)!;
    const pid = proc.pid;
    proc.kill('SIGKILL');
    killed.push(name);
    say(`SIGKILL ${name} (pid ${pid})`);
    const deadline = Date.now() + 180_000;
    while (cluster.supervisor.restarts(name) === before) {
      if (Date.now() > deadline) throw new Error(`${name} was not started again`);
      await new Promise((r) => setTimeout(r, 200));
    }
    if (readyUrl) {
      for (;;) {
        if (Date.now() > deadline) throw new Error(`${name} did not become ready again (${readyUrl})`);
        const ok = await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status === 200, () => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    say(`${name} is back (pid ${cluster.supervisor.current(name)!.pid})`);
  }

  it(`drives ${CASES} cases through nginx to completion while a history process, a worker and an API process are killed and restarted`, async function () {
    const started = Date.now();
    const kills: Promise<void>[] = [];
    const plan: [number, string, string | undefined][] = [
      [Math.round(CASES * 0.2), 'temporal history 1', undefined],
      [Math.round(CASES * 0.4), 'worker 1', `${cluster.workerHealthUrls[0]}/ready`],
      [Math.round(CASES * 0.6), 'api 1', `${cluster.apiUrls[0]}/api/health`],
    ];
    const result = await driveCases({
      baseUrl: cluster.baseUrl,
      paymentUrl: cluster.simulatorUrls.payment,
      logisticsUrl: cluster.simulatorUrls.logistics,
      db: app.db,
      auth,
      cases: CASES,
      concurrency: 20,
      caseTimeoutMs: 8 * 60_000,
      onCaseDone: (done) => {
        if (done % 20 === 0) say(`${done}/${CASES} cases done (${Math.round((Date.now() - started) / 1000)} s)`);
        for (const [at, name, url] of plan) if (done === at) kills.push(killAndWaitBack(name, url));
      },
    });
    await Promise.all(kills);
    caseNumbers = result.caseNumbers;
    say(`${CASES} cases in ${Math.round((Date.now() - started) / 1000)} s; ${result.retried} requests sent again during the restarts`);
    expect(killed).to.deep.equal(['temporal history 1', 'worker 1', 'api 1']);
    expect(new Set(caseNumbers).size).to.equal(CASES);

    // Every case's workflow closes (the last event after the rating), in the read model.
    const deadline = Date.now() + 5 * 60_000;
    for (;;) {
      const rows = await app.db('cases').whereIn('case_no', caseNumbers).select<{ status: string }[]>('status');
      if (rows.length === CASES && rows.every((r) => r.status === 'closed')) break;
      if (Date.now() > deadline) throw new Error(`only ${rows.filter((r) => r.status === 'closed').length} of ${CASES} cases closed`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  });

  it('made exactly one payment order, one certificate and one courier booking per case (the platforms say so)', async function () {
    expect(caseNumbers).to.have.length(CASES);
    type Log = { entries: { kind: string; what: string; detail: Record<string, unknown> }[] };
    const effects = async (url: string, what: string) => ((await (await fetch(`${url}/_control/log`)).json()) as Log).entries.filter((e) => e.kind === 'effect' && e.what === what);
    const orders = await effects(cluster.simulatorUrls.payment, 'order.created');
    const bookings = await effects(cluster.simulatorUrls.logistics, 'booking.created');
    const certificates = await effects(cluster.simulatorUrls.certificates, 'certificate.issued');
    const perCase = (list: { detail: Record<string, unknown> }[], caseOf: (d: Record<string, unknown>) => string | undefined) => {
      const counts = new Map<string, number>();
      for (const e of list) {
        const c = caseOf(e.detail);
        if (c) counts.set(c, (counts.get(c) ?? 0) + 1);
      }
      return caseNumbers.map((c) => counts.get(c) ?? 0);
    };
    const ones = caseNumbers.map(() => 1);
    expect(perCase(orders, (d) => d.caseNo as string)).to.deep.equal(ones);
    expect(perCase(bookings, (d) => d.caseNo as string)).to.deep.equal(ones);
    // A certificate's idempotency key names its case.
    const caseIn = (d: Record<string, unknown>) => caseNumbers.find((c) => typeof d.idempotencyKey === 'string' && d.idempotencyKey.includes(c));
    expect(perCase(certificates, caseIn)).to.deep.equal(ones);
    expect(orders).to.have.length(CASES);
    expect(bookings).to.have.length(CASES);
    expect(certificates).to.have.length(CASES);
  });

  it("the read model (the cases table) agrees with the cluster's visibility", async function () {
    expect(caseNumbers).to.have.length(CASES);
    const rows = await app.db('cases').whereIn('case_no', caseNumbers).select<{ case_no: string; status: string; department_code: string }[]>('case_no', 'status', 'department_code');
    const byCase = new Map(rows.map((r) => [r.case_no, r]));
    const seen = new Map<string, { status: string; caseStatus: unknown; department: unknown }>();
    // Visibility is eventually consistent: wait until it lists every case closed.
    const deadline = Date.now() + 120_000;
    for (;;) {
      seen.clear();
      for await (const wf of client.workflow.list({ query: `WorkflowType = 'caseWorkflow'`, pageSize: 200 })) {
        seen.set(wf.workflowId, { status: wf.status.name, caseStatus: wf.searchAttributes.CaseStatus?.[0], department: wf.searchAttributes.Department?.[0] });
      }
      if ([...seen.values()].filter((s) => s.status === 'COMPLETED').length >= CASES || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    expect([...seen.keys()].sort()).to.deep.equal([...caseNumbers].sort());
    for (const caseNo of caseNumbers) {
      const v = seen.get(caseNo)!;
      const r = byCase.get(caseNo)!;
      expect({ caseNo, status: v.status, caseStatus: v.caseStatus, department: v.department }).to.deep.equal({ caseNo, status: 'COMPLETED', caseStatus: r.status, department: r.department_code });
    }
  });

  it(`reads the history of closed cases the cluster no longer holds from the archive (retention ${minimumRetention} is the server's minimum; the test deletes them as retention does)`, async function () {
    expect(caseNumbers).to.have.length(CASES);
    const sample = caseNumbers.slice(0, 3);
    // The clerk of the hall that filed the cases reads their history, as the case page does.
    const hall = await app.db('departments as d').join('implementations as i', 'i.department_code', 'd.code').where('i.code', benchItem.implementationCode).first<{ hall_code: string }>('d.hall_code');
    const clerk = await app.db('staff_users').where({ department_code: hall.hall_code }).whereRaw("'clerk' = any(roles)").first<{ id: string }>('id');
    const headers = await auth.staff(clerk.id);
    const historyOf = async (caseNo: string) => {
      const [raw, timeline] = await Promise.all(['raw', 'timeline'].map((f) => fetch(`${cluster.baseUrl}/api/cases/${caseNo}/history?format=${f}`, { headers })));
      return {
        status: [raw.status, timeline.status],
        events: ((await raw.json()) as { events?: { eventType: string }[] }).events ?? [],
        timeline: ((await timeline.json()) as { timeline?: { kind: string }[] }).timeline ?? [],
      };
    };
    const before = new Map<string, number>();
    for (const caseNo of sample) {
      const h = await historyOf(caseNo);
      expect(h.status).to.deep.equal([200, 200]);
      before.set(caseNo, h.events.length);
      // Archived at close (plus the archival delay, 10 s here): the visibility archive lists the run before anything is deleted.
      const deadline = Date.now() + 180_000;
      for (;;) {
        const archived = await client.workflowService.listArchivedWorkflowExecutions({ namespace: 'onewindow', pageSize: 10, query: `WorkflowId = '${caseNo}'` });
        if (archived.executions?.length) break;
        if (Date.now() > deadline) throw new Error(`${caseNo} was not archived within 180 s`);
        await new Promise((r) => setTimeout(r, 2_000));
      }
      // What retention does when its timer fires: the execution leaves the cluster's persistence.
      const described = await client.workflow.getHandle(caseNo).describe();
      await client.workflowService.deleteWorkflowExecution({ namespace: 'onewindow', workflowExecution: { workflowId: caseNo, runId: described.runId } });
    }
    for (const caseNo of sample) {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const gone = await client.workflow.getHandle(caseNo).describe().then(() => false, () => true);
        if (gone) break;
        if (Date.now() > deadline) throw new Error(`${caseNo} was still held by the cluster 120 s after its deletion`);
        await new Promise((r) => setTimeout(r, 1_000));
      }
      const h = await historyOf(caseNo);
      expect(h.status).to.deep.equal([200, 200]);
      expect(h.events.length).to.equal(before.get(caseNo));
      expect(h.events[0].eventType).to.equal('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
      expect(h.timeline[0].kind).to.equal('case-started');
      expect(h.timeline.map((t) => t.kind)).to.include('case-closed');
    }
    removed = sample;
  });

  it("lists the closed cases the cluster no longer holds in the supervisors' workflow list, from the archive, within each supervisor's jurisdiction only", async function () {
    expect(removed).to.have.length(3);
    // The cases' department (the bench item's) is in 西湖区 (330106): the province's supervisor sees it, a supervisor of 拱墅区 (330105) does not.
    const dept = await app.db('implementations').where({ code: benchItem.implementationCode }).first<{ department_code: string }>('department_code');
    await app.db('departments').insert({ code: 'gs-zwfw', name: '杭州市拱墅区政务服务中心', level: 'county', parent_code: 'hz-zwfw', region_code: '330105' }).onConflict('code').ignore();
    await app.db('staff_users').insert({ id: 'gs-supervisor', name: '拱墅区电子监察员', department_code: 'gs-zwfw', roles: ['supervisor'], password_hash: await hashPassword(config.demoStaffPassword), must_change_password: false }).onConflict('id').ignore();
    type Row = { caseNo: string; runId: string; status: string; closeTime: string | null; archived: boolean };
    type Answer = { query: string; workflows: Row[]; archive: { state: string; query: string | null; scanned: number; listed: number; more: boolean } };
    const list = async (who: string, query: string): Promise<Answer> => {
      const res = await fetch(`${cluster.baseUrl}/api/supervision/workflows?${query}`, { headers: await auth.staff(who) });
      expect(res.status, `${who}: ${query}`).to.equal(200);
      return (await res.json()) as Answer;
    };
    // The cluster's visibility drops a deleted run shortly after the run itself: ask until the three are listed from the archive.
    let mine: Answer | undefined;
    const deadline = Date.now() + 120_000;
    for (;;) {
      mine = await list('supervisor-zhao', `department=${dept.department_code}&archived=include`);
      const archivedCases = mine.workflows.filter((w) => w.archived).map((w) => w.caseNo).sort();
      if (archivedCases.join() === [...removed].sort().join() || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    say(`supervisors' list with the archive: ${mine.workflows.length} runs, ${mine.archive.listed} from the archive (${mine.archive.scanned} archived records read)`);
    expect(mine.archive.state).to.equal('read');
    expect(mine.archive.query).to.equal("WorkflowType = 'caseWorkflow'");
    // The archive holds every closed case a few seconds after its close (the archival delay); the last ones may still be on their way.
    expect(mine.archive.scanned).to.be.at.least(removed.length).and.at.most(CASES);
    expect(mine.archive).to.include({ listed: removed.length, more: false });
    // Every case once: the ones the cluster holds from the cluster, the three it no longer holds from the archive.
    expect(mine.workflows.map((w) => w.caseNo).sort()).to.deep.equal([...caseNumbers].sort());
    expect(mine.workflows.filter((w) => w.archived).map((w) => w.caseNo).sort()).to.deep.equal([...removed].sort());
    for (const w of mine.workflows.filter((x) => x.archived)) {
      expect(w.status).to.equal('COMPLETED');
      expect(w.closeTime).to.be.a('string');
      expect(w.runId).to.match(/^[0-9a-f-]{36}$/);
    }
    // Without the archive, the list is what the cluster holds: the three are missing.
    const clusterOnly = await list('supervisor-zhao', `department=${dept.department_code}`);
    expect(clusterOnly.archive.state).to.equal('not-asked');
    expect(clusterOnly.workflows.filter((w) => removed.includes(w.caseNo))).to.deep.equal([]);
    expect(clusterOnly.workflows).to.have.length(CASES - removed.length);
    // Filters apply to the archived runs through the read model: another case status lists none of them.
    const otherStatus = await list('supervisor-zhao', `department=${dept.department_code}&status=in_review&archived=include`);
    expect(otherStatus.workflows.map((w) => w.caseNo)).to.deep.equal([]);
    expect(otherStatus.archive.scanned).to.be.at.least(removed.length);
    // Another region's supervisor: the archive holds the runs, but none is in his jurisdiction.
    const theirs = await list('gs-supervisor', 'archived=include');
    expect(theirs.archive.state).to.equal('read');
    expect(theirs.archive.scanned).to.be.at.least(removed.length);
    expect(theirs.workflows).to.deep.equal([]);
    const asked = await list('gs-supervisor', `department=${dept.department_code}&archived=include`);
    expect(asked.workflows).to.deep.equal([]);
  });
});
