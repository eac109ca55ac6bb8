/**
 * What every browser suite sets up: the web build, a stack, Chromium, a context per page (all
 * closed after the suite), a photo of each open page when a test fails, and signing in through
 * the app's own pages (staff by password, applicants by the code the identity platform sends).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { testStaffPassword } from '../../test/context';
import { smsCodeOf, type Stack } from '../../test/harness';
import { ensureWebBuilt } from '../build';
import { launchChromium, newContext, shot, watchErrors, type ContextKind } from './browser';

export interface BrowserSuite {
  /** Set in the suite's first `before` hook (so a suite's own `before` hooks can use it). */
  readonly stack: Stack;
  readonly browser: Browser;
  /** Every context opened through the suite. */
  readonly contexts: BrowserContext[];
  /** Uncaught errors and CSP refusals in the pages `open` gave: a suite expects it empty at its end. */
  readonly pageErrors: string[];
  // Properties, not methods: a suite takes them out of the object (`const { open, signIn } = web`).
  /** A new context, closed after the suite. */
  context: (kind?: ContextKind) => Promise<BrowserContext>;
  /** A page in a new context, watched for errors. */
  open: (kind?: ContextKind) => Promise<Page>;
  /** A new page with `userId` signed in on the stack's login page. */
  signIn: (userId: string, kind?: ContextKind) => Promise<Page>;
}

/**
 * Registers the suite's `before`, `afterEach` and `after` hooks (call it first in the `describe`,
 * so its `before` runs ahead of the suite's own) and returns what they set up.
 */
export function browserSuite(o: { stack: () => Promise<Stack>; failureShot: string }): BrowserSuite {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const started = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the browser suite's ${what} is used before its before hook ran`);
    return v;
  };

  before(async () => {
    await ensureWebBuilt();
    [stack, browser] = await Promise.all([o.stack(), launchChromium()]);
  });
  afterEach(async function () {
    // On a failure every open page is photographed, to see what the user would have seen.
    if (this.currentTest?.state !== 'failed') return;
    for (const c of contexts) for (const p of c.pages()) await shot(p, o.failureShot).catch(() => undefined);
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await stack?.stop();
  });

  const suite: BrowserSuite = {
    get stack() { return started(stack, 'stack'); },
    get browser() { return started(browser, 'browser'); },
    contexts,
    pageErrors,
    context: async (kind = 'desktop') => {
      const context = await newContext(suite.browser, kind);
      contexts.push(context);
      return context;
    },
    open: async (kind = 'desktop') => {
      const page = await (await suite.context(kind)).newPage();
      watchErrors(page, pageErrors);
      return page;
    },
    signIn: async (userId, kind = 'desktop') => {
      const page = await suite.open(kind);
      await signInStaff(page, suite.stack.baseUrl, userId);
      return page;
    },
  };
  return suite;
}

/** Signs `userId` in on the login page of the app at `baseUrl` (the test staff's password). */
export async function signInStaff(page: Page, baseUrl: string, userId: string): Promise<void> {
  await page.goto(`${baseUrl}/#/login`);
  await page.locator('#staff-username').fill(userId);
  await page.locator('#staff-password').fill(testStaffPassword);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.locator('.who').waitFor();
}

export interface Applicant { idNumber: string; name: string; phone: string }

/**
 * Signs an applicant in on the sign-in form the page shows: ID, name and phone, then the code the
 * identity simulator sent for this very request. `atCode` runs when the code field shows (a photo, say).
 */
export async function signInApplicant(page: Page, stack: Stack, who: Applicant, atCode?: () => Promise<unknown>): Promise<void> {
  await page.locator('#app-id').fill(who.idNumber);
  await page.locator('#app-name').fill(who.name);
  await page.locator('#app-phone').fill(who.phone);
  const [sms] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/auth/applicant/sms')),
    page.getByRole('button', { name: '获取验证码' }).click(),
  ]);
  await page.locator('#sms-code').waitFor();
  if (atCode) await atCode();
  await page.locator('#sms-code').fill(await smsCodeOf(stack, ((await sms.json()) as { requestId: string }).requestId));
  await page.getByRole('button', { name: '登录', exact: true }).click();
}
