/**
 * Debian's Chromium driven by playwright-core (no browser is ever downloaded), with the flags
 * this kind of machine needs, and screenshots into web/e2e/screenshots (git-ignored).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = path.join(__dirname, 'screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`no Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium), as .ci/run does`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export type ContextKind = 'desktop' | 'phone' | 'screen' | 'kiosk';

/** A desktop window at 1280×720, a phone, the hall's big screen (1920×1080) or its kiosk (1280×1024, touch). */
export function newContext(browser: Browser, kind: ContextKind = 'desktop'): Promise<BrowserContext> {
  switch (kind) {
    case 'phone':
      return browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
    case 'screen':
    case 'kiosk':
      return browser.newContext({ viewport: kind === 'screen' ? { width: 1920, height: 1080 } : { width: 1280, height: 1024 }, hasTouch: kind === 'kiosk', locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    default:
      return browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  }
}

let counter = 0;

/** A full-page screenshot named in walk order, e.g. 03-clerk-precheck.png. */
export async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${String(++counter).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Fails the test on any uncaught error in the page, so a broken page cannot pass unseen. */
export function watchErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (err) => errors.push(`${page.url()}: ${err.message}`));
  // Anything the Content-Security-Policy blocks is a broken page too.
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(`${page.url()}: ${m.text()}`);
  });
}
