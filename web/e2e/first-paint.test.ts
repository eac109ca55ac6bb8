/**
 * Browser test of the app's first paint (web/index.html, web/build.ts): before any of the app's
 * script has run, #/hall shows the hall's first screen, styled, and any other address a spinner;
 * only the small shell stylesheet sits in <head>; the hall's list is fetched once, by the preload
 * the app's request then takes; the app replaces the shell with the same heading and sections;
 * all of it under the strict CSP with no violation.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sharedStack, type Stack } from '../../test/harness';
import { distDir, ensureWebBuilt } from '../build';
import { launchChromium, newContext, shot, watchErrors } from './browser';

/** The computed background colour of an element (run in the page). */
const background = (n: unknown) => (globalThis as unknown as { getComputedStyle: (e: unknown) => { backgroundColor: string } }).getComputedStyle(n).backgroundColor;

describe('web app in Chromium: the first paint before the script (static shell)', function () {
  this.timeout(120_000);
  let stack: Stack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  before(async () => {
    await ensureWebBuilt();
    [stack, browser] = await Promise.all([sharedStack(), launchChromium()]);
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
  });

  /** A phone page that records every CSP violation and, if asked, never gets the app's script. */
  async function open(opts: { withoutApp?: boolean } = {}): Promise<{ page: Page; requests: string[] }> {
    const context = await newContext(browser, 'phone');
    contexts.push(context);
    await context.addInitScript({ content: "window.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));" });
    const page = await context.newPage();
    watchErrors(page, errors);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    // The app's module (assets/index-*.js) never arrives: what shows is the shell alone.
    if (opts.withoutApp) await page.route(/\/assets\/index-[^/]*\.js$/, (route) => route.abort());
    return { page, requests };
  }

  const violations = (page: Page) => page.evaluate<string[]>('window.cspViolations');

  it('links only the shell stylesheet and its script in <head>, the app stylesheet after the shell, and nothing inline', () => {
    const html = fs.readFileSync(path.join(distDir, 'index.html'), 'utf8');
    const head = html.slice(0, html.indexOf('</head>'));
    const headSheets = [...head.matchAll(/<link rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1]);
    expect(headSheets, 'the one stylesheet that blocks the first paint').to.have.length(1);
    expect(headSheets[0]).to.match(/^\/assets\/shell-[\w-]+\.css$/);
    expect(head).to.match(/<script async src="\/assets\/shell-[\w-]+\.js"><\/script>/);
    expect(head).to.contain('<link rel="preload" as="fetch" crossorigin href="/api/implementations">');
    const body = html.slice(html.indexOf('<body>'));
    expect(body.indexOf('<link rel="stylesheet"'), 'the app stylesheet comes after the shell').to.be.greaterThan(body.indexOf('<div id="root">'));
    expect(html, 'no inline script or style (CSP)').to.not.match(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son\w+=/);
    // Hashed, so cached for ever like every asset, and compressed at build time.
    const shellCss = path.join(distDir, headSheets[0]);
    expect(fs.existsSync(`${shellCss}.br`) && fs.existsSync(`${shellCss}.gz`)).to.equal(true);
    expect(fs.statSync(`${shellCss}.br`).size, 'the shell stylesheet stays small').to.be.lessThan(2048);
  });

  it('before the app has run, #/hall shows the hall heading styled, and another address shows a spinner', async () => {
    const { page } = await open({ withoutApp: true });
    await page.goto(`${stack.baseUrl}/#/hall`);
    const heading = page.getByRole('heading', { name: '网上办事大厅', level: 1 });
    await heading.waitFor();
    expect(await page.locator('#root > .shell').count(), 'still the static shell, not the app').to.equal(1);
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).to.deep.equal(['办件查询', '办事指南']);
    expect(await page.locator('.shell-other').isVisible(), 'no generic spinner at the hall').to.equal(false);
    // Styled by shell.css: the blue top bar, the white cards.
    expect(await page.locator('.topbar').evaluate(background)).to.equal('rgb(11, 74, 139)');
    expect(await page.locator('.shell-hall .card').first().evaluate(background)).to.equal('rgb(255, 255, 255)');
    await shot(page, 'first-paint-hall-shell');

    // A new load each time (from the same page, changing only the address's hash would not reload it).
    await page.goto('about:blank');
    await page.goto(`${stack.baseUrl}/#/window`);
    await page.getByRole('status').filter({ hasText: '正在加载…' }).waitFor();
    expect(await heading.isVisible(), 'the hall heading is not shown at the window').to.equal(false);
    expect(await page.getByRole('heading').count(), 'no heading of any page before the app').to.equal(0);
    await page.goto('about:blank');
    await page.goto(`${stack.baseUrl}/#/hall/mine`);
    await page.getByRole('status').filter({ hasText: '正在加载…' }).waitFor();
    expect(await heading.isVisible(), 'only the hall\'s first screen has a shell').to.equal(false);
    expect(await violations(page)).to.deep.equal([]);
  });

  it('the app replaces the shell with the same heading and sections, taking the preloaded list (one request)', async () => {
    const { page, requests } = await open();
    await page.goto(`${stack.baseUrl}/#/hall`);
    await page.getByRole('button', { name: /^查看指南 / }).first().waitFor();
    expect(await page.locator('#root > .shell').count(), 'the shell is gone').to.equal(0);
    expect(await page.getByRole('heading', { level: 1 }).allTextContents()).to.deep.equal(['网上办事大厅']);
    const h2 = await page.getByRole('heading', { level: 2 }).allTextContents();
    expect(h2.slice(0, 2), 'the shell showed the app\'s first two sections').to.deep.equal(['办件查询', '办事指南']);
    expect(requests.filter((p) => p === '/api/implementations'), 'the preload is the list\'s one request').to.have.length(1);
    // The app's stylesheet applies (it loads after the shell): the primary button is blue.
    expect(await page.getByRole('button', { name: '查询', exact: true }).evaluate(background)).to.equal('rgb(11, 74, 139)');
    // And the rest of the hall is loaded when opened: a guide.
    await page.getByRole('button', { name: /^查看指南 / }).first().click();
    await page.getByRole('heading', { name: '申请材料', level: 2 }).waitFor();
    expect(await violations(page)).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
  });
});
