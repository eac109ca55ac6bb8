/**
 * Browser test of every page each role opens, in Debian's Chromium against the real stack:
 * - the zh-CN rendering shows no English word (codes and numbers aside; the English switch is English);
 * - accessibility: axe-core finds no serious or critical
 *   violation, and every page has one h1 and no button or link without a name;
 * - documents: the refusal notice shows the refusal's reasons, each decision document its
 *   content, print keeps the issuer, the seal area and the date on one A4 page, and 下载 PDF
 *   downloads the server's A4 PDF of the document;
 * - the draft box, the working lists, 我的办件, and going straight from one item's form to another's.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { readFormFolder } from '../../lib/forms';
import { asStaff, eventually, http, smsCodeOf, startStack, type Stack } from '../../test/harness';
import { shot } from './browser';
import { englishWords } from './english';
import { browserSuite } from './session';
const code = 'XK-330000-00001.xh-scjg';
const zhang = { kind: 'person', name: '张三', idNumber: '330106199003073514' };

/** axe-core's browser script (a devDependency: a missing package fails the test, it never skips axe). */
function axeSource(): string {
  return require.resolve('axe-core/axe.min.js');
}

describe('web app in Chromium: every page in plain Chinese and accessible; documents, lists and drafts', function () {
  this.timeout(480_000);
  const web = browserSuite({ stack: () => startStack(), failureShot: 'pages-failure' });
  const { open, signIn, pageErrors } = web;
  let stack: Stack;
  const axe = axeSource();
  const checked: string[] = [];

  before(() => { stack = web.stack; });

  /** Opens a route, waits for its h1 and for loading to end, then runs every check on it. */
  async function visit(page: Page, route: string, ready?: () => Promise<unknown>): Promise<void> {
    await page.goto(`${stack.baseUrl}/#${route}`);
    await page.locator('main h1').first().waitFor();
    if (ready) await ready();
    await eventually(async () => (await page.locator('main .spinner').count()) === 0, `${route} loaded`, 15_000);
    await check(page, route);
  }

  async function check(page: Page, route: string): Promise<void> {
    // English: the visible text and the names and hints people hear or see, outside lang="en".
    // (Scripts as strings: they run in the page, whose DOM types this Node project does not load.)
    const texts = await page.evaluate<string[]>(`(() => {
      const out = [];
      const outside = (el) => !el.closest('[lang="en"], .engine-view');
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || !outside(el) || ['SCRIPT', 'STYLE'].includes(el.tagName)) continue;
        const style = getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        out.push(n.textContent || '');
      }
      for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
        if (!outside(el)) continue;
        for (const a of ['aria-label', 'title', 'placeholder', 'alt']) { const v = el.getAttribute(a); if (v) out.push(v); }
      }
      out.push(document.title);
      return out;
    })()`);
    expect(englishWords(texts.join('\n')), `English words on ${route}`).to.deep.equal([]);
    // One h1; no control without a name.
    expect(await page.locator('h1:visible').count(), `an h1 on ${route}`).to.be.at.least(1);
    const unnamed = await page.evaluate<string[]>(`[...document.querySelectorAll('button, a[href]')]
      .filter((el) => !(el.textContent || '').trim() && !el.getAttribute('aria-label') && !el.getAttribute('title'))
      .map((el) => el.outerHTML.slice(0, 80))`);
    expect(unnamed, `controls without a name on ${route}`).to.deep.equal([]);
    if (axe) {
      // Evaluated through the debugging protocol: the app's Content-Security-Policy (rightly) refuses an injected script tag.
      if (!(await page.evaluate<boolean>(`'axe' in window`))) await page.evaluate(fs.readFileSync(axe, 'utf8'));
      const violations = await page.evaluate<string[]>(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))`);
      expect(violations, `axe-core on ${route}`).to.deep.equal([]);
    }
    checked.push(route);
  }

  async function file(clerk: Record<string, string>): Promise<string> {
    const r = await http(stack, 'POST', '/api/cases', { implementationCode: code, channel: 'window', applicant: zhang, formData: readFormFolder({ key: 'individual-business-registration', version: 1 }).example }, clerk);
    expect(r.status).to.equal(201);
    return r.body.caseNo as string;
  }

  async function complete(caseNo: string, kind: string, who: Record<string, string>, body: Record<string, unknown>): Promise<void> {
    const t = await eventually(() => stack.db('tasks').where({ case_no: caseNo, kind, status: 'open' }).first<{ id: string } | undefined>('id'), `${kind} of ${caseNo}`, 30_000);
    const r = await http(stack, 'POST', `/api/tasks/${t.id}/complete`, body, who);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
  }

  const settled = (caseNo: string, done: (s: string) => boolean) => eventually(async () => {
    const s = (await stack.db('cases').where({ case_no: caseNo }).first<{ status: string } | undefined>('status'))?.status;
    return s && done(s) ? s : undefined;
  }, `${caseNo} to settle`, 30_000);

  it('when each role opens its pages, then they are in plain Chinese, accessible, and the documents say what the case decided', async () => {
    const clerkApi = await asStaff(stack, 'clerk-wang');
    const approverApi = await asStaff(stack, 'approver-li');
    // Three cases: refused at pre-check after a correction, refused in review, approved.
    const notAccepted = await file(clerkApi);
    const refused = await file(clerkApi);
    const approved = await file(clerkApi);
    await complete(notAccepted, 'precheck', clerkApi, { action: 'correction', opinion: '请补正经营场所证明', problems: ['缺少经营场所使用证明'] });
    await settled(notAccepted, (s) => s === 'awaiting_correction');
    expect((await http(stack, 'POST', `/api/cases/${notAccepted}/correction`, { note: '已补交' }, clerkApi)).status).to.equal(200);
    const rejectReasons = '经营场所位于禁止经营区域，不符合登记条件';
    await complete(notAccepted, 'precheck', clerkApi, { action: 'reject', opinion: rejectReasons });
    for (const c of [refused, approved]) await complete(c, 'precheck', clerkApi, { action: 'accept', opinion: '予以受理', missingMaterialsReason: '材料已当面核验，纸质件另行归档' });
    const refusalReasons = '经营范围属于负面清单，依法不予许可';
    await complete(refused, 'review', approverApi, { action: 'refuse', opinion: refusalReasons });
    await complete(approved, 'review', approverApi, { action: 'approve', opinion: '符合条件，准予登记' });
    await Promise.all([settled(notAccepted, (s) => s === 'not_accepted'), settled(refused, (s) => !['in_review', 'prechecking'].includes(s)), settled(approved, (s) => !['in_review', 'prechecking'].includes(s))]);

    // ---- Anyone: landing, hall, a guide, staff sign-in (with the reviewers on the demo list).
    const visitor = await open();
    await visit(visitor, '/');
    await visit(visitor, '/hall', () => visitor.getByRole('button', { name: '查看指南 个体工商户设立登记' }).waitFor());
    await visit(visitor, `/hall/guide/${code}`, () => visitor.locator('svg.diagram').waitFor());
    await visit(visitor, '/login');
    await visitor.locator('details.hint summary').click();
    for (const id of ['bianban-wu', 'fazhi-zheng', 'jiancha-feng', 'reviewer-sun']) await visitor.getByRole('button', { name: id, exact: true }).waitFor();

    // ---- Clerk: window, a form, the draft box, pre-check, documents, the working lists.
    const clerk = await signIn('clerk-wang');
    await visit(clerk, '/window', () => clerk.getByRole('button', { name: '受理 个体工商户设立登记' }).waitFor());
    await visit(clerk, `/window/apply/${code}`, () => clerk.locator('form').first().waitFor());
    // Straight from one item's form to another's: the second form shows, not a blank page.
    await clerk.goto(`${stack.baseUrl}/#/window/apply/QR-330000-00010.xh-gaj`);
    await clerk.getByRole('heading', { name: '居民身份证换领', level: 1 }).waitFor();
    await clerk.locator('[name="phone"]').waitFor();
    await clerk.locator('[name="phone"]').fill('15906718342');
    await clerk.getByRole('button', { name: '保存草稿' }).click();
    await clerk.getByText(/草稿已保存/).waitFor();
    await visit(clerk, '/window/drafts', () => clerk.getByRole('link', { name: '继续办理 居民身份证换领' }).first().waitFor());
    await clerk.getByRole('link', { name: '继续办理 居民身份证换领' }).first().click();
    await clerk.locator('[name="phone"]').waitFor();
    expect(await clerk.locator('[name="phone"]').inputValue(), 'the draft resumes with what was typed').to.equal('15906718342');
    await visit(clerk, `/window/case/${notAccepted}`);
    await visit(clerk, `/doc/receipt/${notAccepted}`, () => clerk.locator('.paper').waitFor());
    await visit(clerk, `/doc/correction/${notAccepted}`, () => clerk.locator('.paper').waitFor());
    expect(await clerk.locator('.paper').textContent()).to.contain('缺少经营场所使用证明');
    await visit(clerk, `/doc/reject/${notAccepted}`, () => clerk.locator('.paper .reasons').waitFor());
    expect(await clerk.locator('.paper .reasons').textContent(), 'the refusal notice quotes the refusal').to.equal(rejectReasons);
    const notice = await clerk.locator('.paper').textContent();
    expect(notice, 'not the correction opinion').to.not.contain('请补正经营场所证明');
    expect(notice).to.contain('行政复议');
    await shot(clerk, 'refusal-notice');
    // Print: A4, the issuer, the seal area and the date stay; the app's bar goes.
    await clerk.emulateMedia({ media: 'print' });
    for (const sel of ['.paper-sign .issuer', '.paper-sign .seal-area', '.paper-sign .issued-on', '.paper-no']) expect(await clerk.locator(sel).first().isVisible(), `${sel} in print`).to.equal(true);
    expect(await clerk.locator('.topbar').isVisible()).to.equal(false);
    const pdf = (await clerk.pdf({ preferCSSPageSize: true })).toString('latin1');
    expect(pdf.match(/\/Type\s*\/Page[^s]/g)?.length, 'one A4 page').to.equal(1);
    expect(pdf, "A4: 210 × 297 mm is 595 × 842 points").to.match(/\/MediaBox\s*\[\s*0\s+0\s+59[45](\.\d+)?\s+84[12](\.\d+)?\s*\]/);
    await clerk.emulateMedia({ media: 'screen' });
    // 下载 PDF downloads the server's PDF of the same document (打印 stays a button of its own).
    expect(await clerk.locator('.actions-bar').textContent(), 'no hint about the print dialog').to.not.contain('另存为');
    await clerk.getByRole('button', { name: '打印' }).waitFor();
    const [download] = await Promise.all([clerk.waitForEvent('download'), clerk.getByRole('button', { name: '下载 PDF' }).click()]);
    const rejectNumber = (await clerk.locator('.paper-no').first().textContent()) ?? '';
    expect(download.suggestedFilename()).to.equal(`不予受理通知书-${rejectNumber.replace(/\s+/g, '')}.pdf`);
    const downloaded = fs.readFileSync(await download.path());
    expect(downloaded.subarray(0, 5).toString('latin1'), 'a PDF').to.equal('%PDF-');
    expect(downloaded.toString('latin1'), 'A4').to.match(/\/MediaBox\s*\[\s*0\s+0\s+595\.28\s+841\.89\s*\]/);
    await visit(clerk, '/inbox');
    await visit(clerk, '/inbox/handled', () => clerk.locator('tr', { hasText: notAccepted }).first().waitFor());
    await visit(clerk, '/inbox/finished', () => clerk.locator('tr', { hasText: notAccepted }).first().waitFor());
    await visit(clerk, '/inbox/search');
    await clerk.locator('#s-applicant').fill('张三');
    await clerk.locator('#s-itemCode').fill('XK-330000-00001');
    await clerk.getByRole('button', { name: '查询', exact: true }).click();
    await clerk.locator('tr', { hasText: approved }).waitFor();
    await check(clerk, '/inbox/search (results)');

    // ---- Approver: the case page with its readable history, the decision documents.
    const approver = await signIn('approver-li');
    await visit(approver, `/case/${refused}`, () => approver.locator('.history li').first().waitFor());
    const history = await approver.locator('.history').textContent();
    expect(history).to.contain('受理').and.to.contain('不予许可').and.to.not.contain('update');
    await visit(approver, `/doc/refusal/${refused}`, () => approver.locator('.paper .reasons').waitFor());
    expect(await approver.locator('.paper .reasons').textContent()).to.equal(refusalReasons);
    expect(await approver.locator('.paper').textContent()).to.contain('第三十八条第二款').and.to.contain('行政复议').and.to.contain('行政诉讼');
    await visit(approver, `/doc/approval/${approved}`, () => approver.locator('.paper').waitFor());
    expect(await approver.locator('.paper').textContent()).to.contain('准予行政许可').and.to.contain('符合条件，准予登记');
    await visit(approver, `/doc/service/${approved}`, () => approver.locator('.paper-table').waitFor());
    expect(await approver.locator('.paper').textContent()).to.contain('准予行政许可决定书').and.to.contain('受送达人签名');
    await visit(approver, '/inbox/handled', () => approver.locator('tr', { hasText: refused }).waitFor());

    // ---- Supervisor: dashboard (with a case whose workflow an operator terminated by mistake); the case with its history, the engine view one click away.
    const stopped = await file(clerkApi);
    await eventually(() => stack.db('tasks').where({ case_no: stopped, kind: 'precheck', status: 'open' }).first('id'), `the pre-check of ${stopped}`, 30_000);
    await stack.client.workflow.getHandle(stopped).terminate('pages test: an operator\'s mistake');
    const sup = await signIn('supervisor-zhao');
    await visit(sup, '/supervision', () => Promise.all([sup.locator('figure.chart svg').first().waitFor(), sup.locator('#stopped-h').waitFor()]));
    const stoppedRow = sup.locator('section[aria-labelledby="stopped-h"] tr', { hasText: stopped });
    expect(await stoppedRow.textContent()).to.contain('被人工终止').and.to.contain('预审').and.to.contain('个体工商户设立登记').and.to.contain('西湖区市场监督管理局');
    await shot(sup, 'supervision-stopped-cases');
    const revived = await http(stack, 'POST', `/api/supervision/stopped-cases/${stopped}/revive`, { reason: '误操作终止，恢复办理' }, await asStaff(stack, 'ops-jiang'));
    expect(revived.status, JSON.stringify(revived.body)).to.equal(200);
    await visit(sup, `/supervision/case/${refused}`, () => sup.locator('.history li').first().waitFor());
    await sup.getByRole('button', { name: '查看引擎记录' }).click();
    await sup.locator('.engine-view .timeline li').first().waitFor({ timeout: 15_000 });

    // ---- Catalogue administrator and a reviewer.
    const admin = await signIn('admin-qian');
    await visit(admin, '/catalogue');
    await visit(admin, '/catalogue/entry/XK-330000-00004.xh-zjj', () => admin.locator('svg.diagram').waitFor());
    const reviewer = await signIn('bianban-wu');
    await visit(reviewer, '/catalogue');

    // ---- Applicant on a phone: 我的办件, the case, its documents, the identity level before a form.
    const applicant = await open('phone');
    await applicant.goto(`${stack.baseUrl}/#/hall/mine`);
    await applicant.locator('#app-id').fill(zhang.idNumber);
    await applicant.locator('#app-name').fill(zhang.name);
    await applicant.locator('#app-phone').fill('13800138000');
    const [sms] = await Promise.all([applicant.waitForResponse((r) => r.url().endsWith('/api/auth/applicant/sms')), applicant.getByRole('button', { name: '获取验证码' }).click()]);
    await applicant.locator('#sms-code').fill(await smsCodeOf(stack, ((await sms.json()) as { requestId: string }).requestId));
    await applicant.getByRole('button', { name: '登录', exact: true }).click();
    await applicant.locator('tr', { hasText: approved }).waitFor({ timeout: 15_000 });
    await check(applicant, '/hall/mine');
    await visit(applicant, `/hall/track/${refused}`, () => applicant.getByRole('link', { name: '不予行政许可决定书' }).waitFor());
    await visit(applicant, `/hall/doc/receipt/${approved}`, () => applicant.locator('.paper').waitFor());
    await visit(applicant, '/hall/apply/XK-330000-00004.xh-zjj', () => applicant.getByText(/需要高级及以上身份认证/).waitFor());
    expect(await applicant.locator('form .jsonforms, [name="projectName"]').count(), 'no form below an identity level the applicant lacks').to.equal(0);

    // ---- English under the English switch only.
    await admin.getByRole('button', { name: /切换到英文/ }).click();
    await admin.getByRole('link', { name: 'Catalogue', exact: true }).waitFor();

    console.log(`      checked ${checked.length} pages${axe ? ' with axe-core' : ''}`);
    expect(pageErrors, 'no uncaught errors in any page').to.deep.equal([]);
  });
});
