/**
 * Browser test: one case through every role, in Debian's Chromium against the real stack
 * (API + worker + Temporal dev server + PostgreSQL + platform simulators). The clerk files and
 * accepts at the window, the police department's three steps decide, the applicant pays on a
 * phone and rates, the supervisor sees the warning and the history, the catalogue
 * administrator edits a draft. Each page is photographed into web/e2e/screenshots/.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { readFormFolder } from '../../lib/forms';
import { asStaff, eventually, http, sharedStack, type Stack } from '../../test/harness';
import { shot } from './browser';
import { browserSuite } from './session';

describe('web app in Chromium: a case through every role', function () {
  this.timeout(480_000);
  const web = browserSuite({ stack: sharedStack, failureShot: 'failure' });
  const { open, signIn, pageErrors } = web;
  let stack: Stack;

  before(async () => {
    stack = web.stack;
    // Each test stack starts its own platform simulators, whose order, certificate and waybill
    // numbers restart at 1, while the run shares one database: a row left by an earlier test
    // would collide with this case's number (the projection's insert then fails and retries
    // for ever). Those earlier tests are over; their rows go.
    await stack.db('payments').del();
    await stack.db('certificates').del();
    await stack.db('deliveries').whereNotNull('waybill_no').update({ waybill_no: null });
  });

  /** Reloads the inbox until the case shows, then opens it. */
  async function openFromInbox(page: Page, caseNo: string): Promise<void> {
    await page.goto(`${stack.baseUrl}/#/inbox`);
    const row = page.locator('tr', { hasText: caseNo });
    await eventually(async () => {
      if (await row.count()) return true;
      await page.getByRole('button', { name: '刷新' }).click();
      await page.waitForTimeout(300);
      return false;
    }, `case ${caseNo} in the inbox`, 20_000);
    await row.getByRole('button', { name: '办理' }).click();
  }

  /** The code the identity simulator last "sent", read from its log as the phone would show it. */
  async function lastSmsCode(): Promise<string> {
    const res = await fetch(`${stack.sims.urls.identity}/_control/log`);
    const { entries } = (await res.json()) as { entries: { kind: string; what: string; detail: { code?: string } }[] };
    const sent = entries.filter((e) => e.kind === 'effect' && e.what === 'sms-code.sent').at(-1);
    if (!sent?.detail.code) throw new Error('no SMS code was sent');
    return sent.detail.code;
  }

  it('when the clerk files and accepts, the department decides, the applicant pays and rates, then the supervisor sees the warning and the history', async () => {
    const supApi = await asStaff(stack, 'supervisor-zhao');
    // ---- Window clerk: pick the item, try an empty form, read the ID card, file, pre-check.
    const clerk = await signIn('clerk-wang');
    await clerk.goto(`${stack.baseUrl}/#/window`);
    await clerk.locator('#item-q').fill('身份证');
    await clerk.getByRole('button', { name: '受理 居民身份证换领' }).waitFor();
    await shot(clerk, 'clerk-pick-item');
    await clerk.getByRole('button', { name: '受理 居民身份证换领' }).click();
    await clerk.locator('[name="phone"]').waitFor();

    await clerk.getByRole('button', { name: '登记申报' }).click();
    await shot(clerk, 'clerk-form-marked-before-submit');
    const invalid = await clerk.locator('[aria-invalid="true"]').count();
    expect(invalid, 'empty required fields are marked before anything is sent').to.be.greaterThan(3);
    expect(await clerk.locator('.field-invalid .field-error').first().textContent()).to.contain('必填');

    await clerk.locator('#card-on-reader').selectOption({ label: '徐婷婷' });
    await clerk.getByRole('button', { name: '读取身份证' }).click();
    await eventually(async () => (await clerk.locator('#applicant-id').inputValue()) === '330106199307223120', 'the card read into the form', 5_000);
    expect(await clerk.locator('[name="applicantName"]').inputValue()).to.equal('徐婷婷');
    expect(await clerk.locator('[name="householdAddress"]').inputValue()).to.contain('保俶路');
    await clerk.locator('#applicant-phone').fill('15906718342');
    await clerk.locator('select[name="reason"]').selectOption('有效期满换领');
    await clerk.locator('[name="phone"]').fill('15906718342');
    await clerk.locator('[name="photoReceiptNo"]').fill('zj-bad'); // wrong on purpose: lower case and a hyphen
    await clerk.locator('input[name="deliveryMethod"][value="窗口领取"]').check();
    // The household register is not in the certificate library: the clerk is told to take the paper one.
    await clerk.getByRole('button', { name: '改用电子证照（居民户口簿）' }).click();
    await clerk.getByText('电子证照库中没有该申请人的居民户口簿').waitFor();
    const paper = clerk.getByLabel('已收取纸质材料');
    for (let i = 0; i < (await paper.count()); i++) await paper.nth(i).check();
    await clerk.getByRole('button', { name: '登记申报' }).click();
    expect(await clerk.locator('.field-invalid [name="photoReceiptNo"]').count(), 'the pattern is checked in the browser as the API would').to.equal(1);
    expect(await clerk.locator('[name="phone"]').inputValue(), 'nothing typed is lost').to.equal('15906718342');
    await clerk.locator('[name="photoReceiptNo"]').fill('ZJ24A0936175');
    await shot(clerk, 'clerk-form-filled');
    await clerk.getByRole('button', { name: '登记申报' }).click();

    await clerk.waitForURL(/#\/window\/case\/\d{22}$/);
    const caseNo = clerk.url().split('/').pop() as string;
    await clerk.getByRole('heading', { name: '预审结论' }).waitFor({ timeout: 20_000 });
    expect(await clerk.locator('input[name="outcome"][value="accept"]').isChecked(), 'every material received: accept is proposed').to.equal(true);
    await shot(clerk, 'clerk-precheck');
    await clerk.getByRole('button', { name: '确认' }).click();
    await clerk.getByText('已受理。').waitFor();
    await clerk.getByRole('link', { name: '打印受理通知书' }).click();
    await clerk.getByRole('heading', { name: '受理通知书' }).waitFor();
    expect(await clerk.locator('.paper').textContent()).to.contain(caseNo).and.to.contain('徐婷婷').and.to.contain('予以受理');
    await shot(clerk, 'clerk-acceptance-notice');

    // ---- The police department's three steps, each by its own handler.
    let firstApprover: Page | undefined;
    for (const [userId, step] of [['xh-gaj-reviewer', '受理审核'], ['xh-gaj-head', '审批签发'], ['xh-gaj-approver', '制证签收']]) {
      const approver = await signIn(userId);
      firstApprover ??= approver;
      await openFromInbox(approver, caseNo);
      await approver.getByRole('heading', { name: `当前环节：${step}` }).waitFor({ timeout: 20_000 });
      if (userId === 'xh-gaj-reviewer') {
        await approver.locator('.timeline li').first().waitFor();
        await shot(approver, 'approver-case-page');
        // A refusal needs reasons: marked in place, nothing sent.
        await approver.getByRole('button', { name: '不予许可' }).click();
        await approver.getByText('此操作需要填写意见和理由').waitFor();
      }
      if (userId === 'xh-gaj-head') {
        // Who acted shows by name (the clerk 王丽, the reviewer 公安审核人), never by account id.
        const opinions = approver.locator('ol.opinions');
        await opinions.getByText('公安审核人').first().waitFor();
        expect(await opinions.textContent()).to.contain('王丽').and.not.to.match(/clerk-wang|xh-gaj-reviewer/);
        expect(await approver.locator('.timeline').first().textContent()).to.contain('王丽').and.not.to.match(/clerk-wang|xh-gaj-reviewer/);
      }
      await approver.locator('#opinion').fill(`${step}：材料齐全，同意。`);
      await approver.getByRole('button', { name: '同意（发送）' }).click();
      await approver.getByText('已提交。').waitFor({ timeout: 90_000 }); // the last step's update waits for the decision to be recorded
    }
    const afterDecision = await eventually(async () => {
      const live = await http(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, supApi);
      return live.body.status === 'awaiting_payment' ? live.body : undefined;
    }, 'the fee after the decision', 20_000);
    expect(afterDecision.decision.outcome).to.equal('approved');

    // ---- Applicant on a phone: the hall, the guide, tracking, paying.
    const applicant = await open('phone');
    await applicant.goto(`${stack.baseUrl}/#/hall`);
    await applicant.locator('#item-q').fill('身份证');
    await applicant.getByRole('button', { name: '查看指南 居民身份证换领' }).click();
    await applicant.getByRole('heading', { name: '申请材料' }).waitFor();
    expect(await applicant.locator('svg.diagram').count()).to.equal(1);
    await shot(applicant, 'applicant-guide-phone');
    await applicant.goto(`${stack.baseUrl}/#/hall`);
    await applicant.locator('#track-no').fill(caseNo);
    await applicant.getByRole('button', { name: '查询' }).click();
    // Unified identity: ID, name and phone, then the code the identity platform sent by SMS.
    await applicant.locator('#app-id').fill('330106199307223120');
    await applicant.locator('#app-name').fill('徐婷婷');
    await applicant.locator('#app-phone').fill('15906718342');
    await applicant.getByRole('button', { name: '获取验证码' }).click();
    await applicant.locator('#sms-code').waitFor();
    await shot(applicant, 'applicant-sms-sign-in-phone');
    await applicant.locator('#sms-code').fill(await lastSmsCode());
    await applicant.getByRole('button', { name: '登录', exact: true }).click();
    await applicant.getByRole('heading', { name: '缴费' }).waitFor({ timeout: 20_000 });
    expect(await applicant.locator('.amount').textContent()).to.equal('¥20.00');
    await shot(applicant, 'applicant-payment-phone');
    // The applicant pays on the unified payment platform's own page and is brought back.
    const orderId = (await applicant.locator('[data-testid="payment-id"]').textContent())?.trim() ?? '';
    const back = applicant.url();
    await applicant.getByRole('link', { name: '去缴费（¥20.00）' }).click();
    await applicant.getByRole('heading', { name: '确认缴费' }).waitFor();
    expect(new URL(applicant.url()).origin).to.equal(new URL(stack.sims.urls.payment).origin);
    expect(await applicant.locator('body').textContent()).to.contain(orderId).and.to.contain('20.00 元');
    await applicant.getByLabel('支付宝').check();
    await shot(applicant, 'applicant-payment-platform-phone');
    await applicant.getByRole('button', { name: '确认支付 20.00 元' }).click();
    await applicant.waitForURL(back, { timeout: 20_000 });
    await applicant.getByText('已缴费').waitFor({ timeout: 20_000 });
    const effects = (await (await fetch(`${stack.sims.urls.payment}/_control/log`)).json()) as { entries: { kind: string; what: string; detail: { orderId?: string; channel?: string } }[] };
    expect(effects.entries.filter((e) => e.kind === 'effect' && e.what === 'order.paid' && e.detail.orderId === orderId).map((e) => e.detail.channel)).to.deep.equal(['alipay']);

    // ---- Hand-over at the window, then the applicant rates.
    await eventually(async () => (await http(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, supApi)).body.openTasks?.some((x: { kind: string }) => x.kind === 'handover'), 'the hand-over task', 30_000);
    await clerk.goto(`${stack.baseUrl}/#/case/${caseNo}`);
    await clerk.getByRole('button', { name: '窗口发证' }).click();
    await clerk.getByText('已提交。').waitFor({ timeout: 60_000 });
    await applicant.getByRole('heading', { name: '好差评' }).waitFor({ timeout: 30_000 });
    await applicant.getByRole('button', { name: '提交评价' }).click();
    await applicant.getByText('请选择评价等级').waitFor();
    await applicant.getByLabel('非常满意').check();
    await applicant.locator('#rate-comment').fill('窗口服务热情，一次办好');
    await applicant.getByRole('button', { name: '提交评价' }).click();
    await applicant.getByText('感谢您的评价').waitFor({ timeout: 15_000 });
    await shot(applicant, 'applicant-rated-phone');
    const rated = await http(stack, 'GET', `/api/cases/${caseNo}/live`, undefined, supApi);
    expect(rated.body.evaluation.level).to.equal(5);

    // ---- A second case on warning. Real warnings come at midnight China time at the earliest
    // (a partial day never counts), so the test moves the warning instant the case published to
    // now, as if its warning day had come: the supervision sweep records the warning itself.
    const clerkApi = await asStaff(stack, 'clerk-wang');
    const second = await http(stack, 'POST', '/api/cases', {
      implementationCode: 'XK-330000-00001.xh-scjg', channel: 'window', applicant: { kind: 'person', name: '张三', idNumber: '330106199003073514' },
      formData: readFormFolder({ key: 'individual-business-registration', version: 1 }).example,
    }, clerkApi);
    expect(second.status).to.equal(201);
    const warnCase = second.body.caseNo as string;
    const precheck = await eventually(async () => (await http(stack, 'GET', `/api/cases/${warnCase}/live`, undefined, clerkApi)).body.openTasks?.find((x: { kind: string }) => x.kind === 'precheck'), 'pre-check of the second case');
    expect((await http(stack, 'POST', `/api/tasks/${precheck.taskId}/complete`, { action: 'accept', opinion: '予以受理', missingMaterialsReason: '材料已当面核验，纸质件另行归档' }, clerkApi)).status).to.equal(200);
    await eventually(async () => (await stack.db('cases').where({ case_no: warnCase, status: 'in_review' }).first()) as unknown, 'the second case in review');
    await stack.db('cases').where({ case_no: warnCase }).update({ warning_at: new Date() });
    await eventually(async () => stack.db('supervision_events').where({ case_no: warnCase, level: 'warning', cause: 'promised-limit-near' }).first(), 'the sweep to record the warning');
    expect(await stack.db('cases').where({ case_no: warnCase }).first('supervision_state')).to.deep.equal({ supervision_state: 'warning' });

    const li = await signIn('approver-li');
    await li.goto(`${stack.baseUrl}/#/inbox`);
    const warnRow = li.locator('tr', { hasText: warnCase });
    await warnRow.waitFor();
    expect(await warnRow.getAttribute('class')).to.contain('row-warning');
    // Earlier tests of the run share the database: the counts are the API's, whatever they are.
    const liCounts = (await http(stack, 'GET', '/api/views/inbox', undefined, await asStaff(stack, 'approver-li'))).body.counts;
    expect(liCounts.warning).to.be.at.least(1);
    expect(await li.locator('.level-tab-warning .count').textContent()).to.equal(String(liCounts.warning));
    await shot(li, 'approver-inbox-warning');

    // ---- Supervisor: dashboard, CSV, the walked case's history, urging the late one.
    const sup = await signIn('supervisor-zhao');
    await sup.goto(`${stack.baseUrl}/#/supervision`);
    await sup.locator('section[aria-labelledby="alarms-h"] tr', { hasText: warnCase }).waitFor();
    const warnings = (await http(stack, 'GET', '/api/supervision/cases?state=warning', undefined, await asStaff(stack, 'supervisor-zhao'))).body.cases.length;
    expect(await sup.locator('.stat.level-warning .stat-n').textContent()).to.equal(String(warnings));
    expect(await sup.locator('figure.chart svg').count()).to.equal(4);
    await shot(sup, 'supervisor-dashboard');
    const [download] = await Promise.all([sup.waitForEvent('download'), sup.getByRole('button', { name: '导出 CSV' }).click()]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).to.contain('department').and.to.contain('onTimeRate');
    expect(csv).to.contain('xh-gaj');

    await sup.locator('#cs-q').fill(caseNo);
    await sup.locator('td a', { hasText: caseNo }).click();
    await sup.getByRole('heading', { name: /全程记录/ }).waitFor();
    await sup.locator('.history li').first().waitFor({ timeout: 15_000 });
    expect(await sup.locator('.history').textContent()).to.contain('受理');
    await sup.getByRole('button', { name: '查看引擎记录' }).click();
    await sup.locator('.engine-view .timeline li').first().waitFor({ timeout: 15_000 });
    expect(await sup.locator('.engine-view .timeline').textContent()).to.contain('case-started');
    await shot(sup, 'supervisor-case-history');

    await sup.goto(`${stack.baseUrl}/#/supervision/case/${warnCase}`);
    // The sweep's warning, in the supervision events and in the case's timeline.
    await sup.getByText('临近承诺办结时限', { exact: true }).waitFor();
    await sup.locator('.history li', { hasText: '预警（黄牌）' }).first().waitFor();
    await sup.locator('#urge-msg').fill('该件已预警，请于明日前办结。');
    await sup.getByRole('button', { name: '发出督办' }).click();
    await sup.getByText('督办已发出。').waitFor();
    await shot(sup, 'supervisor-urge');
    const urged = await http(stack, 'GET', `/api/cases/${warnCase}/live`, undefined, supApi);
    expect(urged.body.supervision.urges[0].message).to.equal('该件已预警，请于明日前办结。');

    // ---- Catalogue administrator: the parallel process, a draft with a bad limit, submit.
    const admin = await signIn('admin-qian');
    await admin.goto(`${stack.baseUrl}/#/catalogue/entry/XK-330000-00004.xh-zjj`);
    await admin.locator('svg.diagram').waitFor();
    expect(await admin.locator('svg.diagram .frame-label', { hasText: '并联' }).count()).to.equal(1);
    await shot(admin, 'catalogue-entry-diagram');
    await admin.getByRole('button', { name: '新建草稿' }).click();
    await admin.getByRole('heading', { name: /编辑草稿/ }).waitFor();
    const promised = admin.locator('[id="d-/promisedLimitDays"]');
    await promised.fill('999');
    await admin.getByRole('button', { name: '保存草稿' }).click();
    await admin.locator('.field-invalid [id="d-/promisedLimitDays"]').waitFor();
    await shot(admin, 'catalogue-draft-error-in-place');
    await promised.fill('4');
    await admin.getByRole('button', { name: '保存草稿' }).click();
    await admin.getByText('草稿已保存').waitFor();
    await admin.locator('#submit-reason').fill('压缩承诺时限');
    await admin.getByRole('button', { name: '提交审核', exact: true }).click();
    await admin.getByText('已提交审核').waitFor();

    // ---- English switch.
    await admin.getByRole('button', { name: '切换到英文' }).click();
    await admin.getByRole('link', { name: 'Catalogue', exact: true }).waitFor();
    await firstApprover?.reload();
    await shot(admin, 'catalogue-english');

    expect(pageErrors, 'no uncaught errors in any page').to.deep.equal([]);
  });
});
