/**
 * The catalogue over HTTP on the real dev server and database: samples round-trip, bad
 * documents are refused whole, a change passes three reviews and publishes a new version while
 * a case filed before keeps the old one, published versions cannot be edited.
 */
import { expect } from 'chai';
import { sampleDocuments, withFormContent } from '../db/seed';
import { readFormFolder } from '../lib/forms';
import { asStaff, eventually, http, sharedStack, type Stack } from '../test/harness';

let admin: Record<string, string>;
const reviewers = [
  ['classification', 'bianban-wu'],
  ['legality', 'fazhi-zheng'],
  ['integrity', 'jiancha-feng'],
] as const;
const slice = 'XK-330000-00001.xh-scjg';
const example = readFormFolder({ key: 'individual-business-registration', version: 1 }).example;

describe('catalogue over HTTP (dev server + database)', function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async () => {
    stack = await sharedStack();
    admin = await asStaff(stack, 'admin-qian');
    stack.defaultHeaders = admin;
  });
  after(async () => {
    await stack?.stop();
  });

  const count = async (table: string) => Number((await stack.db(table).count<{ c: string }[]>('* as c'))[0].c);

  async function approveAll(changeId: string) {
    for (const [stage, user] of reviewers) {
      const r = await http(stack, 'POST', `/api/changes/${changeId}/reviews`, { stage, decision: 'approve', opinion: '同意' }, await asStaff(stack, user));
      expect(r.status, `${stage}: ${JSON.stringify(r.body)}`).to.equal(200);
    }
  }

  it('when every sample entry is exported and imported again, then the document is unchanged', async () => {
    for (const doc of sampleDocuments()) {
      const code = doc.implementation.code;
      const exported = await http(stack, 'GET', `/api/implementations/${code}/export`);
      expect(exported.status).to.equal(200);
      expect(exported.body.entry).to.deep.equal(doc.entry);
      expect(exported.body.form).to.deep.equal(withFormContent(doc).form);
      const imported = await http(stack, 'POST', '/api/catalogue/import', exported.body, admin);
      expect(imported.status, JSON.stringify(imported.body)).to.equal(201);
      const again = await http(stack, 'GET', `/api/implementations/${code}/export?version=${imported.body.version}`);
      const { version: _v1, ...a } = exported.body;
      const { version: _v2, ...b } = again.body;
      expect(b).to.deep.equal(a);
      expect((await http(stack, 'DELETE', `/api/implementations/${code}/versions/${imported.body.version}`, undefined, admin)).status).to.equal(204);
    }
  });

  it('when an imported document is wrong in many ways, then every problem is listed with its path and nothing is stored', async () => {
    const doc = withFormContent(sampleDocuments()[2]);
    const bad = structuredClone(doc) as any;
    bad.item.code = 'XK-33-1';
    bad.entry.process.steps[0].department = 'no-such-dept';
    bad.entry.process.steps.push({ type: 'teleport', id: 'x' });
    const ghostAt = bad.form.uischema.elements.push({ type: 'Control', scope: '#/properties/ghost' }) - 1;
    bad.form.key = 'brand-new-form';
    bad.entry.form.key = 'brand-new-form';
    const before = await Promise.all(['service_items', 'implementations', 'implementation_versions', 'forms'].map(count));
    const r = await http(stack, 'POST', '/api/catalogue/import', bad, admin);
    expect(r.status).to.equal(422);
    expect(r.contentType).to.contain('application/problem+json');
    const pointers: string[] = r.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).to.include.members(['/item/code', `/form/uischema/elements/${ghostAt}/scope`, '/entry/process/steps/3/type']);
    const after = await Promise.all(['service_items', 'implementations', 'implementation_versions', 'forms'].map(count));
    expect(after).to.deep.equal(before);

    // Once the entry matches the schema, the semantic problems are all listed together.
    bad.entry.process.steps.pop();
    const semantic = await http(stack, 'POST', '/api/catalogue/import', bad, admin);
    expect(semantic.body.errors.map((e: { pointer: string }) => e.pointer)).to.include.members(['/item/code', '/entry/process/steps/0/department']);

    const cyc = structuredClone(doc) as any;
    cyc.entry.process.steps[0].actions.push('return');
    cyc.entry.process.steps[0].returnTo = [cyc.entry.process.steps[1].id];
    const cycle = await http(stack, 'POST', '/api/catalogue/import', cyc, admin);
    expect(cycle.status).to.equal(422);
    expect(cycle.body.errors).to.deep.equal([{ pointer: '/entry/process/steps/0/returnTo/0', detail: `"${cyc.entry.process.steps[1].id}" is not an earlier step: a return may only go back, never forward or to itself` }]);

    const notJson = await http(stack, 'POST', '/api/catalogue/import', '{"format":', admin);
    expect(notJson.status).to.equal(400);
    const notAdmin = await http(stack, 'POST', '/api/catalogue/import', doc, await asStaff(stack, 'approver-li'));
    expect(notAdmin.status).to.equal(403);
  });

  it('when a change passes the three reviews, then a new version publishes and a case filed before keeps the old one', async () => {
    const application = { implementationCode: slice, channel: 'window', applicant: { kind: 'person', name: '张三', idNumber: '330106199003073514' }, formData: example };
    const clerk = await asStaff(stack, 'clerk-wang');
    const before = await http(stack, 'POST', '/api/cases', application, clerk);
    expect(before.status).to.equal(201);

    const draft = await http(stack, 'POST', `/api/implementations/${slice}/drafts`, undefined, admin);
    expect(draft.status).to.equal(201);
    const v = draft.body.version as number;
    const current = await http(stack, 'GET', `/api/implementations/${slice}/versions/${v}`);
    const entry = { ...current.body.entry, promisedLimitDays: 2 };
    const invalid = await http(stack, 'PUT', `/api/implementations/${slice}/versions/${v}`, { entry: { ...entry, promisedLimitDays: 99, visits: 3 } }, admin);
    expect(invalid.status).to.equal(422);
    expect(invalid.body.errors.map((e: { pointer: string }) => e.pointer)).to.deep.equal(['/visits']);
    const edited = await http(stack, 'PUT', `/api/implementations/${slice}/versions/${v}`, { entry }, admin);
    expect(edited.status).to.equal(200);

    const submitted = await http(stack, 'POST', `/api/implementations/${slice}/versions/${v}/submit`, { reason: '压缩承诺时限' }, admin);
    expect(submitted.status).to.equal(202);
    expect(submitted.body.kind).to.equal('change');
    const changeId: string = submitted.body.changeId;

    const locked = await http(stack, 'PUT', `/api/implementations/${slice}/versions/${v}`, { entry }, admin);
    expect(locked.status).to.equal(409);
    const inbox = await eventually(async () => {
      const r = await http(stack, 'GET', '/api/reviews', undefined, await asStaff(stack, 'bianban-wu'));
      return r.body.reviews.find((x: { changeId: string }) => x.changeId === changeId);
    }, 'the classification review in the inbox');
    expect(inbox.stage).to.equal('classification');
    const outOfOrder = await http(stack, 'POST', `/api/changes/${changeId}/reviews`, { stage: 'legality', decision: 'approve', opinion: '' }, await asStaff(stack, 'fazhi-zheng'));
    expect(outOfOrder.status).to.equal(409);
    const wrongPerson = await http(stack, 'POST', `/api/changes/${changeId}/reviews`, { stage: 'classification', decision: 'approve', opinion: '' }, await asStaff(stack, 'fazhi-zheng'));
    expect(wrongPerson.status).to.equal(403);

    await approveAll(changeId);
    const change = await http(stack, 'GET', `/api/changes/${changeId}`);
    expect(change.body.state).to.equal('approved');
    expect(change.body.reviews.map((r: { stage: string; decision: string; reviewer: string }) => [r.stage, r.decision, r.reviewer])).to.deep.equal(reviewers.map(([s, u]) => [s, 'approve', u]));

    const versions = await http(stack, 'GET', `/api/implementations/${slice}/versions`);
    expect(versions.body.versions.map((x: { version: number; state: string }) => [x.version, x.state])).to.deep.include.members([[1, 'superseded'], [v, 'published']]);
    const guide = await http(stack, 'GET', `/api/implementations/${slice}`);
    expect(guide.body).to.include({ version: v, promisedLimitDays: 2 });
    const diff = await http(stack, 'GET', `/api/implementations/${slice}/diff?from=1&to=${v}`);
    expect(diff.body.changes).to.deep.equal([{ pointer: '/promisedLimitDays', op: 'changed', from: 3, to: 2 }]);

    const after = await http(stack, 'POST', '/api/cases', application, clerk);
    const oldCase = await eventually(async () => (await http(stack, 'GET', `/api/cases/${before.body.caseNo}`, undefined, clerk)).body.implementationVersion, 'the old case row');
    const newCase = await eventually(async () => (await http(stack, 'GET', `/api/cases/${after.body.caseNo}`, undefined, clerk)).body.implementationVersion, 'the new case row');
    expect([oldCase, newCase]).to.deep.equal([1, v]);
    const started = await stack.client.workflow.getHandle(before.body.caseNo).fetchHistory();
    expect(started.events?.[0].workflowExecutionStartedEventAttributes?.input?.payloads?.length).to.equal(1);

    const editPublished = await http(stack, 'PUT', `/api/implementations/${slice}/versions/${v}`, { entry }, admin);
    expect(editPublished.status).to.equal(409);
    let sqlRefused = '';
    try {
      await stack.db('implementation_versions').where({ implementation_code: slice, version: 1 }).update({ entry: JSON.stringify({ tampered: true }) });
    } catch (err) {
      sqlRefused = (err as Error).message;
    }
    expect(sqlRefused).to.match(/cannot be edited/);
  });

  it('when a review rejects, then the reasons are required, the change ends and the draft can be worked on again', async () => {
    const code = 'XK-330000-00005.xh-wjj';
    const draft = await http(stack, 'POST', `/api/implementations/${code}/drafts`, undefined, admin);
    const submitted = await http(stack, 'POST', `/api/implementations/${code}/versions/${draft.body.version}/submit`, { reason: '调整材料' }, admin);
    const changeId = submitted.body.changeId;
    await eventually(async () => (await http(stack, 'GET', `/api/changes/${changeId}`)).body.reviews.length === 1, 'the first review');
    const noReason = await http(stack, 'POST', `/api/changes/${changeId}/reviews`, { stage: 'classification', decision: 'reject', opinion: ' ' }, await asStaff(stack, 'bianban-wu'));
    expect(noReason.status).to.equal(422);
    const rejected = await http(stack, 'POST', `/api/changes/${changeId}/reviews`, { stage: 'classification', decision: 'reject', opinion: '事项类型划分不准确' }, await asStaff(stack, 'bianban-wu'));
    expect(rejected.status).to.equal(200);
    expect(rejected.body.state).to.equal('rejected');
    const version = await http(stack, 'GET', `/api/implementations/${code}/versions/${draft.body.version}`);
    expect(version.body.state).to.equal('draft');
    const late = await http(stack, 'POST', `/api/changes/${changeId}/reviews`, { stage: 'legality', decision: 'approve', opinion: '' }, await asStaff(stack, 'fazhi-zheng'));
    expect(late.status).to.equal(409);
    expect((await http(stack, 'DELETE', `/api/implementations/${code}/versions/${draft.body.version}`, undefined, admin)).status).to.equal(204);
  });

  it('when an entry is suspended after review, then its guide is out of service and no case can be filed', async () => {
    const code = 'GG-330000-00002.xh-rsj';
    const requested = await http(stack, 'POST', `/api/implementations/${code}/changes`, { kind: 'suspend', reason: '系统升级暂停受理' }, admin);
    expect(requested.status).to.equal(202);
    await eventually(async () => (await http(stack, 'GET', `/api/changes/${requested.body.changeId}`)).body.reviews.length === 1, 'the first review');
    await approveAll(requested.body.changeId);
    expect((await http(stack, 'GET', `/api/implementations/${code}`)).status).to.equal(410);
    const filed = await http(stack, 'POST', '/api/cases', { implementationCode: code, channel: 'window', applicant: { kind: 'person', name: '李四', idNumber: '330106199003073514' }, formData: {} }, await asStaff(stack, 'clerk-wang'));
    expect(filed.status).to.equal(404);
  });

  it('when a new entry is imported and submitted, then it is an "add" that publishes version 1', async () => {
    const doc = structuredClone(withFormContent(sampleDocuments()[0])) as any;
    doc.item = { ...doc.item, code: 'XK-330000-00099', name: '个体工商户变更登记' };
    doc.implementation = { code: 'XK-330000-00099.xh-scjg', name: '个体工商户变更登记（西湖区）', department: 'xh-scjg' };
    const imported = await http(stack, 'POST', '/api/catalogue/import', doc, admin);
    expect(imported.body).to.deep.equal({ code: 'XK-330000-00099.xh-scjg', version: 1 });
    expect((await http(stack, 'GET', '/api/implementations/XK-330000-00099.xh-scjg')).status).to.equal(410);
    const submitted = await http(stack, 'POST', '/api/implementations/XK-330000-00099.xh-scjg/versions/1/submit', { reason: '新增事项' }, admin);
    expect(submitted.body.kind).to.equal('add');
    await eventually(async () => (await http(stack, 'GET', `/api/changes/${submitted.body.changeId}`)).body.reviews.length === 1, 'the first review');
    await approveAll(submitted.body.changeId);
    const guide = await http(stack, 'GET', '/api/implementations/XK-330000-00099.xh-scjg');
    expect(guide.status).to.equal(200);
    expect(guide.body).to.include({ version: 1, itemName: '个体工商户变更登记' });
  });

  it('when an entry is delegated down to the township after review, then the new entry publishes and the old one is cancelled', async () => {
    const old = 'JF-330000-00006.xh-mzj';
    const doc = structuredClone(withFormContent(sampleDocuments()[5])) as any;
    doc.implementation = { code: 'JF-330000-00006.xh-wenxin', name: '最低生活保障审核确认（文新街道）', department: 'xh-wenxin' };
    const upward = structuredClone(doc);
    upward.implementation = { code: 'JF-330000-00006.hz-scjg', name: '上收', department: 'hz-scjg' };
    const refused = await http(stack, 'POST', `/api/implementations/${old}/changes`, { kind: 'delegate-down', reason: '下放', documents: [upward] }, admin);
    expect(refused.status).to.equal(422);
    expect(refused.body.errors.map((e: { pointer: string }) => e.pointer)).to.include('/documents/0/implementation/department');

    const requested = await http(stack, 'POST', `/api/implementations/${old}/changes`, { kind: 'delegate-down', reason: '赋权街道，就近办理', documents: [doc] }, admin);
    expect(requested.status, JSON.stringify(requested.body)).to.equal(202);
    await eventually(async () => (await http(stack, 'GET', `/api/changes/${requested.body.changeId}`)).body.reviews.length === 1, 'the first review');
    await approveAll(requested.body.changeId);
    expect((await http(stack, 'GET', `/api/implementations/${old}`)).status).to.equal(410);
    const oldVersions = await http(stack, 'GET', `/api/implementations/${old}/versions`);
    expect(oldVersions.body.versions.map((v: { state: string }) => v.state)).to.deep.equal(['cancelled']);
    const moved = await http(stack, 'GET', '/api/implementations/JF-330000-00006.xh-wenxin');
    expect(moved.body).to.include({ department: 'xh-wenxin', level: 'township', version: 1 });
  });

  it('when an entry is split in two after review, then both new entries publish and the old one is cancelled', async () => {
    const old = 'XK-330000-00008.xh-cgj';
    const source = withFormContent(sampleDocuments()[7]);
    const part = (serial: string, name: string) => {
      const d = structuredClone(source) as any;
      d.item = { ...d.item, code: `XK-330000-${serial}`, name };
      d.implementation = { code: `XK-330000-${serial}.xh-cgj`, name: `${name}（西湖区）`, department: 'xh-cgj' };
      return d;
    };
    const one = await http(stack, 'POST', `/api/implementations/${old}/changes`, { kind: 'split', reason: '拆分', documents: [part('00081', '户外广告设施设置审批（大型）')] }, admin);
    expect(one.status).to.equal(400);
    const requested = await http(stack, 'POST', `/api/implementations/${old}/changes`, {
      kind: 'split', reason: '按设施规模拆分为两个事项', documents: [part('00081', '户外广告设施设置审批（大型）'), part('00082', '户外广告设施设置审批（小型）')],
    }, admin);
    expect(requested.status, JSON.stringify(requested.body)).to.equal(202);
    await eventually(async () => (await http(stack, 'GET', `/api/changes/${requested.body.changeId}`)).body.reviews.length === 1, 'the first review');
    await approveAll(requested.body.changeId);
    expect((await http(stack, 'GET', `/api/implementations/${old}`)).status).to.equal(410);
    for (const code of ['XK-330000-00081.xh-cgj', 'XK-330000-00082.xh-cgj']) {
      expect((await http(stack, 'GET', `/api/implementations/${code}`)).body.version).to.equal(1);
    }
  });

  it('when a step condition is expensive, probes the prototype or hides an operator in a var default, then it is refused at that node; a good one is accepted', async () => {
    const food = withFormContent(sampleDocuments()[2]);
    const code = food.implementation.code;
    const withWhen = (when: unknown) => {
      const d = structuredClone(food) as any;
      d.entry.process.steps[1].when = when;
      return d;
    };
    const refusal = async (when: unknown) => {
      const r = await http(stack, 'POST', '/api/catalogue/import', withWhen(when), admin);
      expect(r.status, JSON.stringify(r.body)).to.equal(422);
      return r.body.errors as { pointer: string; detail: string }[];
    };
    const at = '/entry/process/steps/1/when';
    const versionsBefore = await count('implementation_versions');

    // Issue 13: nested maps (10⁸ evaluations) inside a var default.
    const items = Array.from({ length: 300 }, (_, i) => i);
    let body: unknown = { '==': [1, 1] };
    for (let i = 0; i < 5; i++) body = { map: [items, body] };
    expect((await refusal({ var: ['form.hasColdFood', body] })).map((e) => e.pointer)).to.deep.equal([`${at}/var/1/map`, at]);
    // Allowed operators only, but 25 comparisons of a list (no maxItems: 200 items assumed) with itself.
    const costly = await refusal({ or: Array.from({ length: 25 }, () => ({ '==': [{ var: 'form.businessItems' }, { var: 'form.businessItems' }] })) });
    expect(costly).to.have.length(1);
    expect(costly[0].pointer).to.equal(at);
    expect(costly[0].detail).to.match(/may take up to \d+ steps to evaluate, more than the limit of 10000/);
    // Prototype probes, with the form schema at hand.
    for (const field of ['__proto__', 'constructor', 'hasOwnProperty']) {
      expect((await refusal({ '!=': [{ var: `form.${field}` }, null] })).map((e) => e.pointer), field).to.deep.equal([`${at}/!=/0/var`]);
    }
    // An operator outside the list inside a var default.
    const hidden = await refusal({ '==': [{ var: ['form.hasColdFood', { someop: [{ var: 'form.phone' }] }] }, true] });
    expect(hidden.map((e) => e.pointer)).to.deep.equal([`${at}/==/0/var/1/someop`]);
    // Nested twenty levels deep: refused where it passes ten.
    let deep: unknown = { var: 'form.hasColdFood' };
    for (let i = 0; i < 20; i++) deep = { '!': deep };
    expect((await refusal(deep)).map((e) => e.pointer)).to.deep.equal([`${at}${'/!'.repeat(10)}`]);
    // A thousand levels deep: the API's door refuses the body before the catalogue sees it (no stack overflow anywhere).
    for (let i = 0; i < 980; i++) deep = { '!': deep };
    const door = await http(stack, 'POST', '/api/catalogue/import', withWhen(deep), admin);
    expect([door.status, door.body.type]).to.deep.equal([400, 'https://onewindow.example/problems/too-deeply-nested']);
    expect(await count('implementation_versions')).to.equal(versionsBefore);

    const good = await http(stack, 'POST', '/api/catalogue/import', withWhen({
      or: [{ '==': [{ var: 'form.hasColdFood' }, true] }, { in: ['生食类食品制售', { var: ['form.businessItems', []] }] }, { '>': [{ var: 'form.operatingAreaSquareMeters' }, 500] }],
    }), admin);
    expect(good.status, JSON.stringify(good.body)).to.equal(201);

    // Editing the draft goes through the same check.
    const draft = await http(stack, 'GET', `/api/implementations/${code}/versions/${good.body.version}`);
    const entry = structuredClone(draft.body.entry);
    entry.process.steps[1].when = { var: ['form.hasColdFood', { if: [true, { var: 'form.toString' }] }] };
    const edited = await http(stack, 'PUT', `/api/implementations/${code}/versions/${good.body.version}`, { entry }, admin);
    expect(edited.status).to.equal(422);
    expect(edited.body.errors.map((e: { pointer: string }) => e.pointer)).to.deep.equal(['/process/steps/1/when/var/1/if/1/var']);
    expect((await http(stack, 'DELETE', `/api/implementations/${code}/versions/${good.body.version}`, undefined, admin)).status).to.equal(204);
  });

  it('when the catalogue is searched in Chinese or filtered, then the matching published entries come back', async () => {
    const byWord = await http(stack, 'GET', `/api/implementations?q=${encodeURIComponent('食品')}`);
    expect(byWord.body.items.map((i: { itemName: string }) => i.itemName)).to.deep.equal(['食品经营许可']);
    const byDept = await http(stack, 'GET', '/api/implementations?department=xh-gaj');
    expect(byDept.body.items).to.have.length(2);
    const byType = await http(stack, 'GET', `/api/implementations?type=${encodeURIComponent('行政给付')}`);
    expect(byType.body.items).to.have.length(1);
    expect(byType.body.items[0]).to.include({ type: '行政给付', itemCode: 'JF-330000-00006' });
    const byLevel = await http(stack, 'GET', '/api/implementations?level=city');
    expect(byLevel.body.items.map((i: { department: string }) => i.department)).to.deep.equal(['hz-jtys']);
    const badType = await http(stack, 'GET', '/api/implementations?type=magic');
    expect(badType.status).to.equal(400);
  });
});
