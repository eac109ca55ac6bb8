/**
 * Browser test of the service hall, in Debian's Chromium against the real stack: an applicant
 * books on a phone, takes a ticket at the kiosk with the code, sees it on the big screen, is
 * called to the clerk's window, has a case filed from the ticket, and later collects the
 * certificate at the kiosk, which completes the case's delivery step. The API here has the
 * hall's clock set to 08:50 on a working day (moving on with real time), so the morning's first
 * slot is bookable whatever day the test runs; the case itself runs on real time.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { readFormFolder } from '../../lib/forms';
import { clearHallDays, hallApi, restoreHallSetting, sampleHall as hall, type HallApi } from '../../test/hall';
import { asStaff, eventually, http, sharedStack, type Stack } from '../../test/harness';
import { shot } from './browser';
import { englishWords } from './english';
import { fillWhole } from './fill';
import { browserSuite, signInApplicant, signInStaff } from './session';

/** The computed font size of an element, in CSS pixels (run in the page). */
const fontSize = (n: unknown) => parseFloat((globalThis as unknown as { getComputedStyle: (e: unknown) => { fontSize: string } }).getComputedStyle(n).fontSize);

const day = '2026-12-14'; // a Monday
const item = 'XK-330000-00001.xh-scjg'; // 个体工商户登记: one approval, a certificate, pick-up at a kiosk offered
const zhang = { idNumber: '330106199003073514', name: '张三', phone: '13800138000' };

describe('web app in Chromium: the service hall from booking to the kiosk pick-up', function () {
  this.timeout(300_000);
  const web = browserSuite({ stack: sharedStack, failureShot: 'hall-failure' });
  const { open, pageErrors } = web;
  let stack: Stack;
  let mine: Stack;
  let api: HallApi | undefined;
  let offset = 0;

  before(async () => {
    stack = web.stack;
    // Taken now, not when mocha loads the file: a full run reaches this suite many minutes later.
    offset = new Date(`${day}T08:50:00+08:00`).getTime() - Date.now();
    api = await hallApi(stack, () => new Date(Date.now() + offset));
    mine = api.on;
    await restoreHallSetting(stack);
    // The day starts empty; certificate numbers restart with the simulators.
    await clearHallDays(stack, [day]);
    const db = stack.db;
    await db('kiosk_pickups').del();
    await db('payments').del();
    await db('certificates').del();
    await db('deliveries').whereNotNull('waybill_no').update({ waybill_no: null });
  });
  after(async () => {
    await api?.close();
  });

  const signIn = (page: Page, userId: string) => signInStaff(page, mine.baseUrl, userId);

  async function noEnglish(page: Page, what: string): Promise<void> {
    expect(englishWords(await page.locator('body').innerText()), `${what}: English words on a Chinese page`).to.deep.equal([]);
  }

  it('when an applicant books on a phone, takes a ticket at the kiosk, is called and served, then collects the certificate at the kiosk, then the case is completed by the kiosk\'s hand-over', async () => {
    // ---- The phone: sign in, book the first free half-hour of 市场准入 today.
    const phone = await open('phone');
    await phone.goto(`${mine.baseUrl}/#/hall/appointment`);
    await signInApplicant(phone, mine, zhang);
    await phone.locator('#book-category').waitFor();
    await phone.locator('#book-item').selectOption(item);
    const nine = phone.getByRole('button', { name: /^09:00 余 \d 个$/ });
    await nine.waitFor();
    await nine.click();
    await shot(phone, 'hall-phone-booking');
    await noEnglish(phone, 'booking');
    await phone.getByRole('button', { name: '确认预约' }).click();
    const code = (await phone.getByTestId('appointment-code').textContent()) ?? '';
    expect(code).to.match(/^[0-9]{6}$/);
    await phone.getByText('预约号已发送到 138****8000').waitFor();
    const sms = (await (await fetch(`${stack.sims.urls.messaging}/_control/log`)).json()) as { entries: { what: string; detail: { phone?: string; params?: Record<string, string> } }[] };
    expect(sms.entries.some((e) => e.what === 'sms.sent' && e.detail.phone === zhang.phone && e.detail.params?.code === code), 'the code went by SMS').to.equal(true);
    await shot(phone, 'hall-phone-booked');

    // ---- The kiosk: sign in once, take a ticket with the code.
    const kiosk = await open('kiosk');
    await kiosk.addInitScript(() => {
      const w = globalThis as unknown as { print: () => void; printed: number };
      w.printed = 0;
      w.print = () => { w.printed += 1; };
    });
    await signIn(kiosk, 'kiosk-xh-1');
    await kiosk.goto(`${mine.baseUrl}/#/kiosk`);
    await kiosk.getByRole('button', { name: /^预约取号/ }).waitFor();
    expect(await kiosk.locator('.topbar').count(), 'the kiosk is full-screen').to.equal(0);
    await shot(kiosk, 'hall-kiosk-start');
    await noEnglish(kiosk, 'kiosk start');
    await kiosk.getByRole('button', { name: /^预约取号/ }).click();
    await kiosk.locator('#kiosk-appointment').fill(code);
    await kiosk.getByRole('button', { name: '取号', exact: true }).click();
    await kiosk.getByTestId('ticket-number').waitFor();
    expect(await kiosk.getByTestId('ticket-number').textContent()).to.equal('A001');
    await kiosk.getByText('（预约优先）').waitFor();
    await shot(kiosk, 'hall-kiosk-ticket');
    await noEnglish(kiosk, 'kiosk ticket');
    await kiosk.getByRole('button', { name: '完成' }).click();

    // ---- The big screen: one waiting for 市场准入.
    const screen = await open('screen');
    await screen.goto(`${mine.baseUrl}/#/screen/${hall}`);
    await eventually(async () => (await screen.getByTestId('waiting-A').textContent())?.includes('1 人'), 'A waiting on the screen', 10_000);
    const size = await screen.locator('.screen-waiting td').first().evaluate(fontSize);
    expect(size, 'waiting counts readable across the room').to.be.at.least(48);

    // ---- The clerk's window calls it; the screen shows it live.
    const clerk = await open('desktop');
    await signIn(clerk, 'clerk-wang');
    await clerk.goto(`${mine.baseUrl}/#/window/calling`);
    await clerk.locator('#window-no').selectOption('1');
    await clerk.getByRole('button', { name: '叫下一位' }).click();
    await clerk.getByTestId('calling-number').waitFor();
    expect(await clerk.getByTestId('calling-number').textContent()).to.equal('A001');
    await eventually(async () => (await screen.getByTestId('screen-number').count()) > 0 && (await screen.getByTestId('screen-number').textContent()) === 'A001', 'A001 called on the screen', 10_000);
    await screen.getByText('号到 1号窗口 办理').waitFor();
    const numberSize = await screen.getByTestId('screen-number').evaluate(fontSize);
    expect(numberSize).to.be.at.least(150);
    await shot(screen, 'hall-screen-called');
    await noEnglish(screen, 'big screen');
    await shot(clerk, 'hall-clerk-calling');
    await noEnglish(clerk, 'calling');

    // ---- The clerk files the case from the ticket, result to be collected at a kiosk, and accepts it.
    const ticketId = (await http(mine, 'GET', `/api/hall/halls/${hall}/windows/1`, undefined, await asStaff(mine, 'clerk-wang'))).body.current.id as string;
    await clerk.locator(`a[href="#/window/apply/${item}/ticket/${ticketId}"]`).click();
    await clerk.locator('.item-form').waitFor();
    await clerk.locator('#applicant-name').fill(zhang.name);
    await clerk.locator('#applicant-id').fill(zhang.idNumber);
    await clerk.locator('#applicant-phone').fill(zhang.phone);
    await fillWhole(clerk, readFormFolder({ key: 'individual-business-registration', version: 1 }).example);
    const rows = clerk.locator('table.materials tbody tr');
    for (let i = 0; i < (await rows.count()); i++) {
      const paper = rows.nth(i).getByLabel('已收取纸质材料');
      if (await paper.count()) await paper.check();
    }
    await clerk.locator('input[name="delivery"][value="kiosk"]').check();
    await clerk.getByRole('button', { name: '登记申报' }).click();
    await clerk.waitForURL(/#\/window\/case\/\d{22}$/, { timeout: 30_000 });
    const caseNo = clerk.url().split('/').pop() as string;
    const linked = await http(mine, 'GET', `/api/hall/tickets/${ticketId}`);
    expect(linked.body).to.include({ caseNo, implementationCode: item, number: 'A001' });
    await clerk.getByRole('heading', { name: '预审结论' }).waitFor({ timeout: 30_000 });
    await clerk.getByRole('button', { name: '确认' }).click();
    await clerk.getByText('已受理。').waitFor();
    await clerk.goto(`${mine.baseUrl}/#/window/calling`);
    await clerk.getByText('已关联办件').waitFor();
    await clerk.getByRole('button', { name: '办结' }).click();
    await clerk.getByRole('button', { name: '叫下一位' }).waitFor();
    // The applicant rates the service on the window's pad (好差评 per ticket).
    await clerk.getByRole('heading', { name: '请 A001 号评价本次服务' }).waitFor();
    await clerk.getByRole('button', { name: '非常满意' }).click();
    await clerk.getByRole('heading', { name: '请 A001 号评价本次服务' }).waitFor({ state: 'detached' });
    expect((await http(mine, 'GET', `/api/hall/tickets/${ticketId}`)).body.rated).to.equal(true);
    const served = (await http(mine, 'GET', `/api/hall/tickets/${ticketId}`)).body as { status: string; waitMs: number; serviceMs: number };
    expect(served.status).to.equal('done');
    expect(served.serviceMs).to.be.greaterThan(0);

    // ---- The department approves (its own pages are walked elsewhere); the certificate is issued and waits at the kiosk.
    const approver = await asStaff(mine, 'approver-li');
    const review = await eventually(() => stack.db('tasks').where({ case_no: caseNo, status: 'open', kind: 'review' }).first<{ id: string } | undefined>('id'), 'the review task', 30_000);
    const approved = await http(mine, 'POST', `/api/tasks/${review.id}/complete`, { action: 'approve', opinion: '同意' }, approver);
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    await eventually(() => stack.db('tasks').where({ case_no: caseNo, status: 'open', kind: 'handover' }).first('id'), 'the hand-over waiting', 30_000);

    // ---- The phone shows the pick-up code on the case's progress page.
    await phone.goto(`${mine.baseUrl}/#/hall/track/${caseNo}`);
    await phone.getByTestId('pickup-code').waitFor({ timeout: 20_000 });
    const pickup = (await phone.getByTestId('pickup-code').textContent()) ?? '';
    expect(pickup).to.match(/^[0-9]{8}$/);
    await shot(phone, 'hall-phone-pickup-code');
    await noEnglish(phone, 'tracking with the pick-up code');

    // ---- At the kiosk: track the case with the ID card, then collect the certificate; the print is the hand-over.
    await kiosk.getByRole('button', { name: /^办件查询/ }).click();
    await kiosk.locator('#kiosk-card').selectOption({ label: '张三' });
    await kiosk.getByRole('button', { name: '读取身份证' }).click();
    await kiosk.getByText('已读取：张三').waitFor();
    await kiosk.locator('#kiosk-case').fill(caseNo);
    await kiosk.getByRole('button', { name: '查询', exact: true }).click();
    await kiosk.getByTestId('kiosk-status').waitFor();
    expect(await kiosk.getByTestId('kiosk-status').textContent()).to.equal('送达');
    await kiosk.getByText('证照已制好').waitFor();
    await kiosk.getByRole('button', { name: '打印回执' }).click();
    await shot(kiosk, 'hall-kiosk-case-receipt');
    await kiosk.getByRole('button', { name: '完成' }).click();

    await kiosk.getByRole('button', { name: /^证照领取/ }).click();
    await kiosk.locator('#kiosk-card').selectOption({ label: '张三' });
    await kiosk.getByRole('button', { name: '读取身份证' }).click();
    await kiosk.getByText('已读取：张三').waitFor();
    await kiosk.locator('#kiosk-pickup').fill(pickup);
    await kiosk.getByRole('button', { name: '领取并打印' }).click();
    await kiosk.getByTestId('collected').waitFor({ timeout: 30_000 });
    await eventually(async () => (await kiosk.evaluate(() => (globalThis as unknown as { printed: number }).printed)) >= 2, 'the certificate printed', 5_000);
    await shot(kiosk, 'hall-kiosk-collected');
    await noEnglish(kiosk, 'kiosk pick-up');

    // The case learnt it: the delivery step completed by the kiosk, the case completed.
    const done = await eventually(() => stack.db('cases').where({ case_no: caseNo, status: 'completed' }).first<{ case_no: string } | undefined>('case_no'), 'the case completed', 30_000);
    expect(done.case_no).to.equal(caseNo);
    const delivered = await stack.db('case_events').where({ case_no: caseNo, type: 'delivered' }).first<{ actor: string; payload: { method: string } }>('actor', 'payload');
    expect(delivered).to.deep.include({ actor: 'kiosk-xh-1' });
    expect(delivered.payload.method).to.equal('kiosk');
    // A second pick-up with the same code is refused.
    const again = await http(mine, 'POST', '/api/hall/kiosk/pickups', { code: pickup, idNumber: zhang.idNumber }, await asStaff(mine, 'kiosk-xh-1'));
    expect(again.status).to.equal(409);

    // ---- Left alone, the kiosk goes back to its start.
    await kiosk.clock.install();
    await kiosk.getByTestId('collected').click(); // a touch after the fake clock is in: the idle timer starts again on it
    await kiosk.clock.fastForward(61_000);
    await kiosk.getByRole('button', { name: /^现场取号/ }).waitFor({ timeout: 5_000 });

    // ---- The supervisor's dashboard shows the hall's waits.
    const supervisor = await open('desktop');
    await signIn(supervisor, 'supervisor-zhao');
    await supervisor.goto(`${mine.baseUrl}/#/supervision`);
    const table = supervisor.getByTestId('hall-indicators');
    await table.getByText('西湖区政务服务中心').waitFor({ timeout: 20_000 });
    await table.scrollIntoViewIfNeeded();
    await shot(supervisor, 'hall-supervisor-indicators');
    expect(pageErrors).to.deep.equal([]);
  });
});
