/** Filling a JSON Forms form in the page from a data object, field by field, as a person would. */
import type { Page } from 'playwright-core';

/** Fills the form, then fills again any text that the form's first render swallowed (typing before it settled). */
export async function fillWhole(page: Page, data: Record<string, unknown>): Promise<void> {
  await fillForm(page, data);
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const el = page.locator(`input[name="${key}"][type="text"], textarea[name="${key}"]`);
    if ((await el.count()) === 1 && (await el.inputValue()) === '') await el.fill(String(value));
  }
}

/** Fills one item's form from its example, field by field, as a person would. */
async function fillForm(page: Page, data: Record<string, unknown>, prefix = ''): Promise<void> {
  for (const [key, value] of Object.entries(data)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      if (value.every((v) => typeof v === 'string') && (await page.locator(`input[type="checkbox"][name="${path}"]`).count()) > 0) {
        for (const v of value) await page.locator(`input[type="checkbox"][name="${path}"][value="${v}"]`).check();
        continue;
      }
      const add = page.locator('fieldset.list-group', { has: page.locator(`[data-list="${path}"]`) }).locator('button.list-add');
      for (let i = 0; i < value.length; i++) {
        await add.click();
        const item = value[i] as unknown;
        if (item && typeof item === 'object') await fillForm(page, item as Record<string, unknown>, `${path}.${i}`);
        else await fillField(page, `${path}.${i}`, item);
      }
      continue;
    }
    if (typeof value === 'object') {
      await fillForm(page, value as Record<string, unknown>, path);
      continue;
    }
    await fillField(page, path, value);
  }
}

async function fillField(page: Page, path: string, value: unknown): Promise<void> {
  const el = page.locator(`[name="${path}"]`);
  if ((await el.count()) === 0) return; // a field the layout shows only under a rule
  const first = el.first();
  const tag = await first.evaluate((n: { tagName: string }) => n.tagName.toLowerCase());
  const type = (await first.getAttribute('type')) ?? '';
  if (tag === 'select') await first.selectOption(String(value));
  else if (type === 'radio') await page.locator(`input[type="radio"][name="${path}"][value="${String(value)}"]`).check();
  else if (type === 'checkbox') {
    if (value === true) await first.check();
    else await first.uncheck();
  } else await first.fill(String(value));
}
