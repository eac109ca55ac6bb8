/**
 * Browser test of the visual process editor (可视化流程设计), in Debian's Chromium against the
 * real stack: the catalogue administrator builds a new three-step process with a parallel step
 * on a draft, meets a problem on the parallel step as the server checks each edit, fixes it,
 * moves a step into a branch and out again with the keyboard, sets a condition with the
 * builder, previews two paths, edits the JSON view both ways, saves and submits. The three
 * reviewing offices approve over HTTP, and the published version runs a case filed at the
 * window up to the process's first task. The editor page passes the plain-Chinese and axe-core
 * checks of the pages test.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { sampleDocuments, withFormContent } from '../../db/seed';
import { readFormFolder } from '../../lib/forms';
import { asClerkFor, asStaff, eventually, http, sharedStack, type Stack } from '../../test/harness';
import { shot } from './browser';
import { englishWords } from './english';
import { browserSuite } from './session';

const code = 'XK-330000-00071.xh-scjg';
const reviewers = [['classification', 'bianban-wu'], ['legality', 'fazhi-zheng'], ['integrity', 'jiancha-feng']] as const;

describe('web app in Chromium: the visual process editor', function () {
  this.timeout(300_000);
  const web = browserSuite({ stack: sharedStack, failureShot: 'editor-failure' });
  const { pageErrors } = web;
  let stack: Stack;

  before(async () => {
    stack = web.stack;
    // A new entry of its own (a copy of the sample 个体工商户设立登记 under a new item code), so no other suite's item changes.
    const doc = structuredClone(withFormContent(sampleDocuments()[0])) as unknown as Record<string, Record<string, unknown>>;
    doc.item = { ...doc.item, code: 'XK-330000-00071', name: '个体工商户设立登记（流程设计）' };
    doc.implementation = { code, name: '个体工商户设立登记（流程设计，西湖区）', department: 'xh-scjg' };
    const imported = await http(stack, 'POST', '/api/catalogue/import', doc, await asStaff(stack, 'admin-qian'));
    expect(imported.status, JSON.stringify(imported.body)).to.equal(201);
  });

  /** The same checks as the pages test: no English in the zh-CN page, named controls, axe-core without serious or critical findings. */
  async function checkPage(page: Page, what: string): Promise<void> {
    const texts = await page.evaluate<string[]>(`(() => {
      const out = [];
      const outside = (el) => !el.closest('[lang="en"], .engine-view');
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || !outside(el) || ['SCRIPT', 'STYLE', 'TEXTAREA'].includes(el.tagName)) continue;
        const style = getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden' || el.closest('[hidden], details:not([open]) > :not(summary)')) continue;
        out.push(n.textContent || '');
      }
      for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
        if (!outside(el)) continue;
        for (const a of ['aria-label', 'title', 'placeholder', 'alt']) { const v = el.getAttribute(a); if (v) out.push(v); }
      }
      return out;
    })()`);
    expect(englishWords(texts.join('\n')), `English words on ${what}`).to.deep.equal([]);
    const unnamed = await page.evaluate<string[]>(`[...document.querySelectorAll('button, a[href], select, input, textarea')]
      .filter((el) => !(el.textContent || '').trim() && !el.getAttribute('aria-label') && !el.getAttribute('title') && !(el.id && document.querySelector('label[for="' + el.id + '"]')) && !el.closest('label'))
      .map((el) => el.outerHTML.slice(0, 80))`);
    expect(unnamed, `controls without a name on ${what}`).to.deep.equal([]);
    const axe = require.resolve('axe-core/axe.min.js');
    if (!(await page.evaluate<boolean>(`'axe' in window`))) await page.evaluate(fs.readFileSync(axe, 'utf8'));
    const violations = await page.evaluate<string[]>(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))`);
    expect(violations, `axe-core on ${what}`).to.deep.equal([]);
  }

  const card = (page: Page, name: string): Locator => page.locator('li.step-card', { has: page.locator(`.step-head .step-label:text-is("${name}")`) }).last();
  const topLevelNames = (page: Page) => page.locator('.process-editor > .sequence > ol > li.step-card > .step-head .step-label').allTextContents();
  /** The name of the step whose control has the focus. */
  const focusedStep = (page: Page) => page.evaluate<string | null>(`document.activeElement?.closest('li.step-card')?.querySelector('.step-label')?.textContent ?? null`);

  it('when the administrator builds a three-step process with a parallel step, fixes the problem shown on it, previews paths and submits, then the published version runs a case', async () => {
    const page = await web.signIn('admin-qian');

    await page.goto(`${stack.baseUrl}/#/catalogue/entry/${code}/1`);
    await page.getByRole('heading', { name: '流程设计', exact: true }).waitFor();
    await card(page, '审核').waitFor();

    // ---- A new process: the old step goes, three come (a task, a parallel step, a task).
    await page.getByRole('button', { name: '删除「审核」' }).click();
    await page.locator('.process-editor .banner-error', { hasText: '至少 1 项' }).waitFor();
    const addMain = async (type: string) => {
      await page.getByLabel('在「主流程」末尾添加').selectOption({ label: type });
      await page.locator('.process-editor > .sequence > .add-step').getByRole('button', { name: '添加环节' }).click();
    };
    await addMain('审查环节');
    const first = page.locator('li.step-card').first();
    await first.getByLabel('环节名称').fill('受理审查');
    await first.getByLabel('环节编号（小写字母、数字和连字符）').fill('accept-review');
    await first.getByLabel('办理角色').selectOption({ label: '审核人' });
    await first.getByLabel('环节时限（工作日）').fill('2');

    await addMain('并联审批');
    const parallel = page.locator('li.step-parallel').first();
    await parallel.getByLabel('环节名称').first().fill('并联审查');
    // A limit beyond the statutory 15 working days: the server's check puts the problem on the parallel step.
    await parallel.getByLabel('并联时限（工作日）').fill('20');
    await parallel.locator('.step-problems', { hasText: '环节时限（20 个工作日）超过了法定时限（15 个工作日）' }).waitFor();
    expect(await parallel.evaluate((el) => el.classList.contains('step-invalid'))).to.equal(true);
    expect(await parallel.getByLabel('并联时限（工作日）').getAttribute('aria-invalid')).to.equal('true');
    await page.locator('.process-editor > .banner-error', { hasText: '各环节时限合计 22 个工作日，超过法定时限 15 个工作日' }).waitFor();
    await page.getByText(/共 \d+ 处需要修改/).waitFor();
    await shot(page, 'editor-problem-on-parallel-step');
    await parallel.getByLabel('并联时限（工作日）').fill('5');
    await eventually(async () => (await parallel.locator('.step-problems').count()) === 0, 'the parallel step\'s problem gone after the fix', 10_000);

    // Branch 二's step goes to the health bureau, and only for larger businesses (the condition builder).
    const branch2 = page.locator('section.branch[aria-label="并联审查 · 分支二"]');
    const branchStep = branch2.locator('li.step-card').first();
    await branchStep.getByRole('button', { name: '编辑' }).click();
    await branchStep.getByLabel('环节名称').fill('卫生审查');
    await branchStep.getByLabel('办理部门').selectOption({ label: '杭州市西湖区卫生健康局' });
    await branchStep.getByLabel('办理角色').selectOption({ label: '审核人' });
    await branchStep.getByRole('button', { name: '卫生审查：添加条件' }).click();
    await branchStep.locator('.step-problems', { hasText: '条件 1 还没有填写比较的值' }).waitFor(); // the browser's own check
    await branchStep.getByLabel('卫生审查：条件1的字段').selectOption({ label: '资金数额（万元）' });
    await branchStep.getByLabel('卫生审查：条件1的比较方式').selectOption({ label: '大于' });
    await branchStep.getByLabel('卫生审查：条件1的值').fill('50');
    await page.getByText('校验通过').waitFor();
    expect(await branchStep.locator('.step-summary').textContent()).to.contain('资金数额（万元） 大于 50');

    // The third step, then moved into branch 一 and out again with the keyboard; the focus stays on it.
    await addMain('审查环节');
    const third = page.locator('.process-editor > .sequence > ol > li.step-card').nth(2);
    await third.getByLabel('环节名称').fill('审批决定');
    await third.getByLabel('环节编号（小写字母、数字和连字符）').fill('decision');
    await third.getByLabel('办理角色').selectOption({ label: '审批负责人' });
    await third.getByRole('group', { name: '允许的操作' }).getByLabel('退回', { exact: true }).check();
    await card(page, '审批决定').locator('.step-problems', { hasText: '允许“退回”的环节须选择可退回到的前序环节' }).waitFor();
    await card(page, '审批决定').getByRole('group', { name: '可退回到' }).getByLabel('受理审查').check();
    await page.getByText('校验通过').waitFor();

    await page.getByLabel('将「审批决定」移到').selectOption({ label: '并联审查 · 分支一' });
    await page.getByRole('button', { name: '移动「审批决定」' }).click();
    await page.locator('section.branch[aria-label="并联审查 · 分支一"] li.step-card h3', { hasText: '审批决定' }).waitFor();
    expect(await topLevelNames(page)).to.deep.equal(['受理审查', '并联审查']);
    await eventually(async () => (await focusedStep(page)) === '审批决定', 'the focus on the moved step', 5_000);
    await page.getByRole('button', { name: '将「审批决定」移出分支' }).focus();
    await page.keyboard.press('Enter');
    await eventually(async () => JSON.stringify(await topLevelNames(page)) === JSON.stringify(['受理审查', '并联审查', '审批决定']), 'the step back after the parallel step', 5_000);
    await page.getByRole('button', { name: '上移「审批决定」' }).focus();
    await page.keyboard.press('Enter');
    expect(await topLevelNames(page)).to.deep.equal(['受理审查', '审批决定', '并联审查']);
    await eventually(async () => (await page.evaluate<string | null>(`document.activeElement?.getAttribute('aria-label') ?? null`)) === '上移「审批决定」', 'the focus kept on 上移', 5_000);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // 下移
    expect(await topLevelNames(page)).to.deep.equal(['受理审查', '并联审查', '审批决定']);
    await page.getByText('校验通过').waitFor();

    // ---- Preview: with the form's example (资金数额 10) the health branch is skipped; with 100 it runs.
    const preview = page.locator('section[aria-labelledby="preview-h"]');
    await preview.getByRole('button', { name: '试算', exact: true }).click();
    const path = preview.getByRole('list', { name: '试算结果' });
    await path.locator('li', { hasText: '卫生审查' }).getByText('跳过（条件不满足）').waitFor();
    expect(await path.locator('li').allTextContents()).to.have.length(5);
    expect(await path.locator('li', { hasText: '受理审查' }).textContent()).to.contain('办理');
    await branchStep.locator('.preview-badge', { hasText: '试算：跳过' }).waitFor();
    await preview.locator('summary', { hasText: '试算用的申请数据' }).click();
    await preview.getByLabel('资金数额（万元）').fill('100');
    await preview.getByRole('button', { name: '试算', exact: true }).click();
    await path.locator('li', { hasText: '卫生审查' }).locator('.preview-badge', { hasText: '办理' }).waitFor();
    await shot(page, 'editor-preview-path');
    await checkPage(page, 'the editor with a preview');

    // ---- The JSON view follows the shapes, and the shapes follow it; broken JSON keeps the shapes.
    await page.locator('summary', { hasText: '完整定义（JSON，可直接编辑）' }).click();
    const json = page.locator('#d-json');
    const text = await json.inputValue();
    expect(JSON.parse(text).process.steps.map((s: { id: string }) => s.id)).to.deep.equal(['accept-review', (JSON.parse(text).process.steps[1] as { id: string }).id, 'decision']);
    await json.fill(`${text}{`);
    await page.getByText(/JSON 格式有误（第 \d+ 行附近），图形仍显示上次有效的内容。/).waitFor();
    expect(await topLevelNames(page)).to.deep.equal(['受理审查', '并联审查', '审批决定']);
    await json.fill(text.replace('"审批决定"', '"审批签发"'));
    await card(page, '审批签发').waitFor();
    expect(await page.getByText(/JSON 格式有误/).count()).to.equal(0);
    await checkPage(page, 'the editor with the JSON view open');
    await shot(page, 'editor-json-in-sync');

    // ---- Save, submit.
    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.getByText('草稿已保存').waitFor();
    await page.locator('#submit-reason').fill('重新设计审批流程：并联审查');
    await page.getByRole('button', { name: '提交审核', exact: true }).click();
    await page.getByText('已提交审核').waitFor();
    expect(pageErrors, 'no uncaught errors in the page').to.deep.equal([]);

    // ---- The three offices approve; the version publishes.
    const version = await http(stack, 'GET', `/api/implementations/${code}/versions/1`);
    const changeId = version.body.changeId as string;
    await eventually(async () => (await http(stack, 'GET', `/api/changes/${changeId}`, undefined, await asStaff(stack, 'bianban-wu'))).body.reviews?.length >= 1, 'the first review open');
    for (const [stage, user] of reviewers) {
      const r = await http(stack, 'POST', `/api/changes/${changeId}/reviews`, { stage, decision: 'approve', opinion: '同意' }, await asStaff(stack, user));
      expect(r.status, `${stage}: ${JSON.stringify(r.body)}`).to.equal(200);
    }
    const guide = await eventually(async () => {
      const g = await http(stack, 'GET', `/api/implementations/${code}`);
      return g.status === 200 ? g : undefined;
    }, 'the published version');
    expect(guide.body.process.steps.map((s: { name: string }) => s.name)).to.deep.equal(['受理审查', '并联审查', '审批签发']);

    // ---- A case filed at the window runs it: accepted, it reaches the process's first task.
    const clerk = await asClerkFor(stack, code);
    const filed = await http(stack, 'POST', '/api/cases', {
      implementationCode: code, channel: 'window', applicant: { kind: 'person', name: '张三', idNumber: '330106199003073514' },
      formData: readFormFolder({ key: 'individual-business-registration', version: 1 }).example,
    }, clerk);
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    const caseNo = filed.body.caseNo as string;
    const pre = await eventually(() => stack.db('tasks').where({ case_no: caseNo, kind: 'precheck', status: 'open' }).first<{ id: string } | undefined>('id'), 'the pre-check', 30_000);
    const accepted = await http(stack, 'POST', `/api/tasks/${pre.id}/complete`, { action: 'accept', opinion: '予以受理', missingMaterialsReason: '材料已当面核验，纸质件另行归档' }, clerk);
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    const firstTask = await eventually(() => stack.db('tasks').where({ case_no: caseNo, status: 'open' }).whereNot({ kind: 'precheck' }).first<{ step_id: string; department_code: string; role: string } | undefined>('step_id', 'department_code', 'role'), 'the process\'s first task', 30_000);
    expect(firstTask).to.deep.equal({ step_id: 'accept-review', department_code: 'xh-scjg', role: 'reviewer' });
  });
});
