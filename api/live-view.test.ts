/**
 * The live view (`GET /api/cases/:caseNo/live`, kept in case_live_views by the case's own
 * projection batches) while several people watch a case that moves: the clerk, the applicant and a supervisor
 * each keep reloading it from the moment it is filed to the moment it closes. Every answer is a
 * 200, and every answer given after an action returned shows that action (the case is driven by
 * reading the view through the API: a stale view would make it act twice on one task, which the
 * case refuses). None of it asks the workflow, and the last view is the workflow's own.
 */
import { expect } from 'chai';
import { readFormFolder } from '../lib/forms';
import { driveToCompletion } from '../test/drive-case';
import { asClerkFor, asStaff, http, sharedStack, type Stack } from '../test/harness';
import { caseViewQuery, type CaseView } from '../workflows/definitions';

describe('the live view while several people watch a moving case', function () {
  this.timeout(180_000);
  let stack: Stack;
  before(async () => { stack = await sharedStack(); });

  it('when three readers reload it from filing to closing, then every answer is a 200 and no answer misses an action that had returned', async () => {
    const code = 'QR-330000-00010.xh-gaj';
    const clerk = await asClerkFor(stack, code);
    const supervisor = await asStaff(stack, 'supervisor-zhao');
    const filed = await http(stack, 'POST', '/api/cases', {
      implementationCode: code, channel: 'window', applicant: { kind: 'person', name: '张三', idNumber: '330106199003073514' },
      formData: readFormFolder({ key: 'resident-id-card-renewal', version: 1 }).example, delivery: { method: 'window' },
    }, clerk);
    expect(filed.status).to.equal(201);
    const caseNo = filed.body.caseNo as string;

    let done = false;
    const answers: number[] = [];
    const readers = [clerk, supervisor, clerk].map(async (who) => {
      while (!done) {
        answers.push((await http(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, who)).status);
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    const handle = stack.client.workflow.getHandle(caseNo);
    // Every query of this case the API asks is counted (the live view should ask none).
    const workflows = stack.client.workflow;
    const getHandle = workflows.getHandle.bind(workflows);
    let queried = 0;
    workflows.getHandle = ((id: string, ...rest: unknown[]) => {
      const h = (getHandle as (...a: unknown[]) => ReturnType<typeof getHandle>)(id, ...rest);
      if (id !== caseNo) return h;
      return Object.assign(Object.create(h) as typeof h, { query: (...a: Parameters<typeof h.query>) => { queried += 1; return h.query(...a); } });
    }) as typeof workflows.getHandle;
    // The driver acts by updates and signals, and reads the case only through the API, as the readers do.
    const throughApi = Object.assign(Object.create(handle) as typeof handle, {
      query: async () => {
        const r = await http<CaseView>(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, supervisor);
        answers.push(r.status);
        if (r.status !== 200) throw new Error(`live view answered ${r.status}: ${JSON.stringify(r.body)}`);
        return r.body;
      },
    });
    try {
      const last = await driveToCompletion(throughApi, () => []);
      expect(last.evaluation?.level).to.equal(5);
    } finally {
      done = true;
      await Promise.all(readers);
      workflows.getHandle = getHandle;
    }
    expect(answers.length).to.be.greaterThan(20);
    expect(answers.filter((s) => s !== 200)).to.deep.equal([]);
    expect(queried, 'queries the API asked the case').to.equal(0);
    // The row's view is the workflow's own (its supervision levels are the sweep's record on the row).
    const { supervision: _s, ...own } = await handle.query(caseViewQuery);
    const { supervision: _r, ...stored } = (await http<CaseView>(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, clerk)).body;
    expect(stored).to.deep.equal(own);
  });
});
