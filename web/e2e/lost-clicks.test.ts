/**
 * Browser test of a bug a clerk met: the last field left empty, the clerk presses 登记申报, the
 * field loses focus and its error appears under it, the button is pushed down the page while the
 * mouse is still pressed, and the click lands on nothing. Now a field's error waits until the
 * press is over, so the press is a click; the page moves only afterwards.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { readFormFolder } from '../../lib/forms';
import { asClerkFor, http, sharedStack, type Stack } from '../../test/harness';
import { shot } from './browser';
import { fillWhole } from './fill';
import { browserSuite } from './session';

const code = 'XK-330000-00001.xh-scjg';

describe('web app in Chromium: a press on a button is not lost when a field\'s error appears', function () {
  this.timeout(180_000);
  const web = browserSuite({ stack: sharedStack, failureShot: 'lost-clicks-failure' });
  let stack: Stack;
  let page: Page;

  before(() => { stack = web.stack; });

  it('when the clerk leaves a required field empty and presses 登记申报 with the mouse held a moment, then the press counts and the error shows after it', async () => {
    const clerkId = ((await http(stack, 'GET', '/api/auth/me', undefined, await asClerkFor(stack, code))).body as { id: string }).id;
    page = await web.signIn(clerkId);
    await page.goto(`${stack.baseUrl}/#/window/apply/${encodeURIComponent(code)}`);
    await page.locator('.item-form').waitFor();
    await page.locator('#applicant-name').fill('张三');
    await page.locator('#applicant-id').fill('330106199003073514');
    await page.locator('#applicant-phone').fill('13800138000');
    // Everything but the business name, which the clerk comes to last.
    const { businessName: _left, ...rest } = readFormFolder({ key: 'individual-business-registration', version: 1 }).example;
    await fillWhole(page, rest);

    // The clerk is in the business name, leaves it empty for now, and goes for the button.
    const field = page.locator('.item-form input[name="businessName"]');
    await field.focus();
    const submit = page.getByRole('button', { name: '登记申报' });
    await submit.scrollIntoViewIfNeeded();
    const box = (await submit.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    // Held as a person holds it: the field has lost focus, and its error has not moved the button.
    await page.waitForTimeout(200);
    expect(await page.locator('.item-form .field-error').count(), 'no error while the button is pressed').to.equal(0);
    expect((await submit.boundingBox())!.y, 'the button has not moved under the pointer').to.equal(box.y);
    await page.mouse.up();

    // The press was a click: the form was checked, the field is marked, and the page says so.
    await page.getByText('还有 1 处需要修改，已在表单中标出。').waitFor({ timeout: 10_000 });
    expect(await field.getAttribute('aria-invalid')).to.equal('true');
    expect(await page.locator('.item-form .field-error').first().textContent()).to.contain('此项为必填项');
    // And the error did move the page once shown: without the wait, the press would have been lost.
    expect((await submit.boundingBox())!.y).to.be.greaterThan(box.y);
    await shot(page, 'window-press-not-lost');

    // Tabbing out of a field still shows its error at once (no pointer is pressed).
    const operator = page.locator('.item-form input[name="operatorName"]');
    await operator.fill('');
    await operator.press('Tab');
    expect(await operator.getAttribute('aria-invalid')).to.equal('true');
  });

  it('when the clerk types one field and the next within a few milliseconds, at every spacing, then neither is lost', async () => {
    // The signed-in clerk of the test before, on a fresh form.
    await page.goto(`${stack.baseUrl}/#/window`);
    await page.goto(`${stack.baseUrl}/#/window/apply/${encodeURIComponent(code)}`);
    await page.locator('.item-form input[name="businessName"]').waitFor();
    // The form passes a change on to the page 10 ms late; a second field typed around that moment
    // was once overwritten by the page's older copy coming back. Every spacing from 0 to 30 ms.
    // A script as text: the test's compiler would add helpers to a function that the page lacks.
    const lost = await page.evaluate<string[]>(`(async () => {
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
      const input = (name) => document.querySelector('.item-form input[name="' + name + '"]');
      const type = (name, value) => {
        setter.call(input(name), value);
        input(name).dispatchEvent(new Event('input', { bubbles: true }));
      };
      const wait = (ms) => new Promise((r) => setTimeout(r, ms));
      const lostAt = [];
      for (let gap = 0; gap <= 30; gap++) {
        type('operatorName', '甲' + gap);
        await wait(gap);
        type('businessName', '乙' + gap);
        await wait(60);
        const a = input('operatorName').value, b = input('businessName').value;
        if (a !== '甲' + gap || b !== '乙' + gap) lostAt.push(gap + ' ms: ' + a + ' / ' + b);
      }
      return lostAt;
    })()`);
    expect(lost, 'fields lost at these spacings').to.deep.equal([]);
  });
});
