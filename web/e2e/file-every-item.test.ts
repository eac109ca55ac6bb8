/**
 * Browser test: every sample item of the catalogue is filed through the UI, at the window and
 * online, from its form's example (lists, multi-selects, nested groups, dates filled field by
 * field), with materials uploaded or received and then checked as stored through the API; a
 * correction is answered with files that the clerk then sees beside the problems; approvers see
 * the lists read-only. Screenshots go to web/e2e/screenshots/.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { sampleDocuments } from '../../db/seed';
import { readFormFolder } from '../../lib/forms';
import { asApplicant, asClerkFor, asStaff, eventually, http, restoreSampleCatalogue, startStack, type Stack } from '../../test/harness';
import { samplePng } from '../../test/sample-files';
import { shot } from './browser';
import { fillWhole } from './fill';
import { browserSuite, signInApplicant } from './session';

const zhang = { idNumber: '330106199003073514', name: '张三', phone: '13800138000' };
const png = { name: '材料扫描件.png', mimeType: 'image/png', buffer: samplePng() };

interface Entry { materials: { id: string; required: boolean }[]; authLevel: string }
interface Checklist { materials: { materialId: string; required: boolean; state: string; files: { fileName: string }[] }[]; missingRequired: string[]; corrections: { answersProblem: string; fileName: string }[] }

describe('web app in Chromium: every sample item filed at the window and online', function () {
  this.timeout(900_000);
  const web = browserSuite({ stack: () => startStack(), failureShot: 'forms-failure' });
  const { open, signIn, pageErrors } = web;
  let stack: Stack;
  const docs = sampleDocuments().map((d) => ({ ...d, entry: d.entry as unknown as Entry }));

  before(async () => {
    stack = web.stack;
    await restoreSampleCatalogue(stack, docs.map((d) => d.implementation.code));
  });

  async function checklistOf(caseNo: string, as: Record<string, string>): Promise<Checklist> {
    const r = await http(stack, 'GET', `/api/cases/${caseNo}/checklist`, undefined, as);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body as Checklist;
  }

  it('when the clerk files each item at the window with its lists and materials, then each is filed with its form whole and its checklist stored', async () => {
    const clerks = new Map<string, Page>();
    for (const doc of docs) {
      const code = doc.implementation.code;
      const example = readFormFolder(doc.form).example;
      const clerkApi = await asClerkFor(stack, code);
      const clerkId = ((await http(stack, 'GET', '/api/auth/me', undefined, clerkApi)).body as { id: string }).id;
      let clerk = clerks.get(clerkId);
      if (!clerk) {
        clerk = await signIn(clerkId);
        clerks.set(clerkId, clerk);
      }
      await clerk.goto(`${stack.baseUrl}/#/window/apply/${encodeURIComponent(code)}`);
      await clerk.locator('.item-form').waitFor();
      expect(await clerk.locator('.item-form .field-error', { hasText: '无法显示' }).count(), `${code}: every field renders`).to.equal(0);
      await clerk.locator('#applicant-name').fill(zhang.name);
      await clerk.locator('#applicant-id').fill(zhang.idNumber);
      await clerk.locator('#applicant-phone').fill(zhang.phone);
      await fillWhole(clerk, example);
      // Paper for every required material; the first one is also scanned and uploaded.
      const rows = clerk.locator('table.materials tbody tr');
      const required = doc.entry.materials.filter((m) => m.required);
      for (const [i, m] of doc.entry.materials.entries()) {
        if (!m.required) continue;
        await rows.nth(i).getByLabel('已收取纸质材料').check();
      }
      await rows.nth(0).locator('input[type="file"]').setInputFiles(png);
      if (doc.form.key === 'minimum-living-allowance' || doc.form.key === 'food-business-licence') await shot(clerk, `window-form-${doc.form.key}`);
      await clerk.getByRole('button', { name: '登记申报' }).click();
      await clerk.waitForURL(/#\/window\/case\/\d{22}$/, { timeout: 30_000 }).catch(async (err: unknown) => {
        throw new Error(`${code}: not filed: ${await clerk.locator('.banner, .field-error').allTextContents().then((t) => t.join(' | '))} (${String(err)})`);
      });
      const caseNo = clerk.url().split('/').pop() as string;

      // The form as filed is the example, lists and all.
      const view = await eventually(async () => {
        const r = await http(stack, 'GET', `/api/cases/${caseNo}`, undefined, clerkApi);
        return r.status === 200 ? r : undefined;
      }, `${code}: the case in the read model`);
      // An unticked box is stored as absent (false by the schema); defaults the form adds are kept.
      const filedData = view.body.formData as Record<string, unknown>;
      const expected = Object.fromEntries(Object.entries(example).filter(([k, v]) => !(v === false && !(k in filedData))));
      expect(filedData, `${code}: the form data`).to.deep.equal({ ...expected, ...Object.fromEntries(Object.entries(filedData).filter(([k]) => !(k in example))) });
      // The checklist is stored on the case: every required material received, the first one with its file.
      const list = await checklistOf(caseNo, clerkApi);
      expect(list.missingRequired, `${code}: nothing required missing`).to.deep.equal([]);
      expect(list.materials.filter((m) => m.required).every((m) => m.state === 'paper'), `${code}: paper recorded`).to.equal(true);
      expect(list.materials[0].files.map((f) => f.fileName)).to.deep.equal([png.name]);
      expect(required.length).to.be.greaterThan(0);

      // The pre-check page shows the stored checklist and proposes acceptance.
      await clerk.getByRole('heading', { name: '材料核验' }).waitFor({ timeout: 30_000 }).catch(() => undefined);
      if (await clerk.getByRole('heading', { name: '预审结论' }).count()) {
        expect(await clerk.locator('input[name="outcome"][value="accept"]').isChecked(), `${code}: accept proposed`).to.equal(true);
      }
    }
    await shot([...clerks.values()][0], 'window-precheck-stored-checklist');
  });

  it('when an applicant files every item online with uploads (raising the sign-in to 中级 by a face check when an item needs it), a correction is answered with files, then the clerk sees them beside the problems and approvers see the lists read-only', async () => {
    const phone = await open('phone');
    await phone.goto(`${stack.baseUrl}/#/hall/apply/${encodeURIComponent(docs[0].implementation.code)}`);
    await signInApplicant(phone, stack, zhang);
    const applicantApi = await asApplicant(stack, zhang);
    const filed: { code: string; caseNo: string }[] = [];
    let raised = false;
    for (const doc of docs) {
      const code = doc.implementation.code;
      await phone.goto(`${stack.baseUrl}/#/hall/apply/${encodeURIComponent(code)}`);
      if (doc.entry.authLevel !== 'basic' && !raised) {
        // 中级 and above: an SMS sign-in is not enough, and the hall says so before any form is
        // shown; the applicant raises the sign-in by a face check done on the phone, and the form appears.
        await phone.getByText('请先到政务服务窗口核验身份').waitFor();
        expect(await phone.locator('.item-form').count(), `${code}: no form below the identity notice`).to.equal(0);
        await phone.getByRole('button', { name: '刷脸认证，提升为中级' }).click();
        await phone.getByTestId('face-check-waiting').waitFor();
        await shot(phone, 'online-face-check-phone');
        const checks = await stack.sims.identity.control.faceChecks();
        await stack.sims.identity.control.finishFaceCheck(checks[checks.length - 1].checkId, 'pass');
        raised = true;
      }
      await phone.locator('.item-form').waitFor({ timeout: 20_000 });
      expect(await phone.locator('.item-form .field-error', { hasText: '无法显示' }).count(), `${code}: every field renders online`).to.equal(0);
      await fillWhole(phone, readFormFolder(doc.form).example);
      const rows = phone.locator('table.materials tbody tr');
      for (const [i, m] of doc.entry.materials.entries()) if (m.required) await rows.nth(i).locator('input[type="file"]').setInputFiles({ ...png, name: `${m.id}.png` });
      if (doc.form.key === 'minimum-living-allowance') await shot(phone, 'online-form-lists-phone');
      await phone.getByRole('button', { name: '提交申请' }).click();
      await phone.waitForURL(/#\/hall\/track\/\d{22}$/, { timeout: 60_000 });
      const caseNo = phone.url().split('/').pop() as string;
      filed.push({ code, caseNo });
      const list = await checklistOf(caseNo, applicantApi);
      expect(list.missingRequired, `${code}: uploads stored`).to.deep.equal([]);
      for (const m of list.materials.filter((x) => x.required)) {
        expect(m.state, `${code} ${m.materialId}`).to.be.oneOf(['uploaded', 'certificate']);
        if (m.state === 'uploaded') expect(m.files.map((f) => f.fileName)).to.deep.equal([`${m.materialId}.png`]);
      }
    }
    expect(filed.map((f) => f.code)).to.deep.equal(docs.map((d) => d.implementation.code));
    expect(raised, 'some item needed 中级').to.equal(true);

    // ---- The clerk asks for a correction of the online 最低生活保障 case, in another tab than the one that filed.
    const allowance = filed.find((f) => f.code.startsWith('JF-')) as { code: string; caseNo: string };
    const clerk = await signIn('clerk-wang');
    await clerk.goto(`${stack.baseUrl}/#/window/case/${allowance.caseNo}`);
    await clerk.getByRole('heading', { name: '预审结论' }).waitFor({ timeout: 30_000 });
    expect(await clerk.locator('table.checklist-table tr[data-material="income-declaration"]').textContent()).to.contain('income-declaration.png');
    await clerk.locator('input[name="outcome"][value="correction"]').check();
    await clerk.locator('#pc-problems').fill('家庭收入和财产状况申报表未签字\n缺少家庭困难情况证明材料（疾病诊断证明、残疾人证等）');
    await clerk.getByRole('button', { name: '确认' }).click();
    await clerk.getByText('已出具补正告知。').waitFor({ timeout: 30_000 });

    await phone.goto(`${stack.baseUrl}/#/hall/track/${allowance.caseNo}`);
    await phone.getByRole('heading', { name: '补正材料' }).waitFor({ timeout: 30_000 });
    await phone.getByLabel(/为第 1 项上传文件/).setInputFiles({ ...png, name: '签字后的申报表.png' });
    await phone.getByLabel(/为第 2 项上传文件/).setInputFiles({ ...png, name: '疾病诊断证明.png' });
    await phone.locator('#corr-note').fill('已补签申报表，并补交诊断证明');
    await shot(phone, 'online-correction-with-files-phone');
    await phone.getByRole('button', { name: '提交补正' }).click();
    await eventually(async () => (await checklistOf(allowance.caseNo, applicantApi)).corrections.length === 2, 'the correction files stored', 30_000);
    const list = await checklistOf(allowance.caseNo, applicantApi);
    expect(list.corrections.map((c) => [c.answersProblem, c.fileName])).to.deep.equal([
      ['家庭收入和财产状况申报表未签字', '签字后的申报表.png'],
      ['缺少家庭困难情况证明材料（疾病诊断证明、残疾人证等）', '疾病诊断证明.png'],
    ]);
    expect(list.materials.find((m) => m.materialId === 'hardship-proof')?.state, 'the problem naming a material fills it').to.equal('uploaded');

    // ---- The clerk, back on the pre-check, sees each file beside its problem, then accepts.
    await clerk.goto(`${stack.baseUrl}/#/window/case/${allowance.caseNo}`);
    await clerk.getByRole('heading', { name: '补正答复的材料' }).waitFor({ timeout: 30_000 });
    const answers = clerk.locator('.correction-answers > li');
    expect(await answers.nth(0).textContent()).to.contain('家庭收入和财产状况申报表未签字').and.to.contain('签字后的申报表.png');
    expect(await answers.nth(1).textContent()).to.contain('疾病诊断证明').and.to.contain('疾病诊断证明.png');
    await eventually(async () => (await clerk.getByRole('heading', { name: '预审结论' }).count()) > 0 || (await clerk.reload().then(() => false)), 'the reopened pre-check', 30_000);
    await shot(clerk, 'clerk-sees-correction-files');
    expect(await clerk.locator('input[name="outcome"][value="accept"]').isChecked()).to.equal(true);
    await clerk.getByRole('button', { name: '确认' }).click();
    await clerk.getByText('已受理。').waitFor({ timeout: 30_000 });

    // ---- The civil-affairs bureau's head sees the family members as a read-only table.
    const caseworker = await signIn('xh-mzj-head');
    await eventually(async () => (await http(stack, 'GET', `/api/cases/${allowance.caseNo}/live`, undefined, await asStaff(stack, 'supervisor-zhao'))).body.status === 'in_review', 'the case in review', 30_000);
    await caseworker.goto(`${stack.baseUrl}/#/case/${allowance.caseNo}`);
    const table = caseworker.locator('table.ro-table');
    await table.waitFor({ timeout: 30_000 });
    const text = await table.textContent();
    expect(text).to.contain('王桂芳').and.to.contain('赵子涵').and.to.contain('丧失劳动能力').and.to.contain('在校学生');
    expect(await caseworker.locator('.item-form input, .item-form select, .item-form textarea').count(), 'read-only: no inputs').to.equal(0);
    await shot(caseworker, 'approver-form-read-only');

    expect(pageErrors, 'no uncaught errors in any page').to.deep.equal([]);
  });
});
