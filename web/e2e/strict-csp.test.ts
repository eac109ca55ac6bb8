/**
 * Browser test: the web app's forms work under the strict Content-Security-Policy (no
 * 'unsafe-eval'). At the window and in the online hall an item's form loads, marks its empty
 * required fields in Chinese, and is filed; every `securitypolicyviolation` event and every
 * console error is collected from the first script on, and there must be none. A last check
 * proves the policy really forbids eval in these pages and that the listener would have seen it.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { sampleDocuments } from '../../db/seed';
import { readFormFolder } from '../../lib/forms';
import { asClerkFor, http, startStack, type Stack } from '../../test/harness';
import { samplePng } from '../../test/sample-files';
import { shot } from './browser';
import { fillWhole } from './fill';
import { browserSuite, signInApplicant, signInStaff } from './session';

const applicant = { idNumber: '330106199003073514', name: '张三', phone: '13800138000' };
const png = { name: '材料扫描件.png', mimeType: 'image/png', buffer: samplePng() };

interface Entry { materials: { id: string; required: boolean }[]; authLevel: string }

describe('web app in Chromium under the strict CSP: forms validate and submit without eval', function () {
  this.timeout(300_000);
  const web = browserSuite({ stack: () => startStack(), failureShot: 'csp-failure' });
  let stack: Stack;
  const consoleErrors: string[] = [];
  const doc = sampleDocuments().map((d) => ({ ...d, entry: d.entry as unknown as Entry })).find((d) => d.entry.authLevel === 'basic');

  before(() => { stack = web.stack; });

  /** A page of its own that keeps every CSP violation and reports console errors (not the suite's `open`: its own error filter). */
  async function open(kind: 'desktop' | 'phone'): Promise<Page> {
    const context = await web.context(kind);
    // Before any of the app's scripts: every violation of the policy is kept in the page.
    await context.addInitScript({
      content: "window.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));",
    });
    const page = await context.newPage();
    // A 404 or 401 the app asks for and handles (who is signed in, a case not yet projected) is
    // logged by Chromium as a failed resource: not a script error.
    page.on('console', (m) => { if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) consoleErrors.push(`${page.url()}: ${m.text()}`); });
    page.on('pageerror', (err) => consoleErrors.push(`${page.url()}: ${err.message}`));
    return page;
  }

  const violations = (page: Page) => page.evaluate<string[]>('window.cspViolations');

  /** Submitting the empty form marks the required fields in Chinese and sends nothing. */
  async function expectRequiredMarked(page: Page, submit: string): Promise<void> {
    const before = page.url();
    await page.getByRole('button', { name: submit }).click();
    await page.locator('.item-form [aria-invalid="true"]').first().waitFor();
    expect(await page.locator('.item-form [aria-invalid="true"]').count(), 'empty required fields are marked').to.be.greaterThan(1);
    expect(await page.locator('.item-form .field-invalid .field-error').first().textContent()).to.contain('此项为必填项');
    expect(page.url(), 'nothing was filed').to.equal(before);
  }

  it('serves the app with a policy that allows no eval and no inline script', async () => {
    const r = await http(stack, 'GET', '/');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).to.match(/script-src 'self'(;|$)/);
    expect(csp).to.not.match(/unsafe-eval|unsafe-inline/);
  });

  it('when the clerk and an applicant open, check and file a form, then it all works with no CSP violation and no console error', async () => {
    expect(doc, 'a basic-level sample item').to.not.equal(undefined);
    if (!doc) return;
    const code = doc.implementation.code;
    const example = readFormFolder(doc.form).example;

    // ---- Window.
    const clerkApi = await asClerkFor(stack, code);
    const me = (await http(stack, 'GET', '/api/auth/me', undefined, clerkApi)).body as { id: string };
    const clerkId = me.id;
    const clerk = await open('desktop');
    await signInStaff(clerk, stack.baseUrl, clerkId);
    await clerk.goto(`${stack.baseUrl}/#/window/apply/${encodeURIComponent(code)}`);
    await clerk.locator('.item-form').waitFor();
    await expectRequiredMarked(clerk, '登记申报');
    await shot(clerk, 'csp-window-required');
    await clerk.locator('#applicant-name').fill(applicant.name);
    await clerk.locator('#applicant-id').fill(applicant.idNumber);
    await clerk.locator('#applicant-phone').fill(applicant.phone);
    await fillWhole(clerk, example);
    const rows = clerk.locator('table.materials tbody tr');
    for (const [i, m] of doc.entry.materials.entries()) if (m.required) await rows.nth(i).getByLabel('已收取纸质材料').check();
    await clerk.getByRole('button', { name: '登记申报' }).click();
    await clerk.waitForURL(/#\/window\/case\/\d{22}$/, { timeout: 30_000 });
    expect(await violations(clerk), 'window: no CSP violation').to.deep.equal([]);

    // ---- Online hall, on a phone.
    const phone = await open('phone');
    await phone.goto(`${stack.baseUrl}/#/hall/apply/${encodeURIComponent(code)}`);
    await signInApplicant(phone, stack, applicant);
    await phone.locator('.item-form').waitFor();
    await expectRequiredMarked(phone, '提交申请');
    await shot(phone, 'csp-hall-required');
    await fillWhole(phone, example);
    const prows = phone.locator('table.materials tbody tr');
    for (const [i, m] of doc.entry.materials.entries()) if (m.required) await prows.nth(i).locator('input[type="file"]').setInputFiles({ ...png, name: `${m.id}.png` });
    await phone.getByRole('button', { name: '提交申请' }).click();
    await phone.waitForURL(/#\/hall\/track\/\d{22}$/, { timeout: 60_000 });
    expect(await violations(phone), 'hall: no CSP violation').to.deep.equal([]);

    expect(consoleErrors, 'no console error or uncaught error in any page').to.deep.equal([]);

    // ---- The policy is really in force here, and the listener sees a violation when there is one.
    // (Playwright's own evaluate is exempt from the policy, so the page is made to eval by a timer.)
    await phone.evaluate('setTimeout(\'window.name = "evaluated"\', 0)');
    await phone.waitForFunction('window.cspViolations.length > 0');
    expect(await phone.evaluate('window.name'), 'the string was not run').to.not.equal('evaluated');
    expect((await violations(phone)).join(' ')).to.match(/script-src/).and.match(/eval/);
  });
});
