/**
 * Measures the first render of the online service hall on a slow phone: Chromium with CDP
 * network throttling (Slow 3G as Chrome DevTools defines it: 400 ms latency, 400 kbit/s each
 * way) and 4× CPU slowdown, an empty cache, against the real stack. Prints first contentful
 * paint, the hall's heading and the item list, each the median of 5 loads, the bytes moved, and
 * the requests of the last load (sent, answered, done, bytes) to show what waits on what.
 *
 * Not part of `npm test` (a measurement, not a check). Run it alone with mocha:
 *   npx mocha --no-config --require tsx/cjs --require test/global-fixtures.ts --timeout 300000 bench/hall-first-render.ts
 */
import type { CDPSession } from 'playwright-core';
import { startStack, type Stack } from '../test/harness';
import { ensureWebBuilt } from '../web/build';
import { launchChromium, newContext } from '../web/e2e/browser';

const runs = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One request of a load as the debugging protocol saw it: when it was sent, answered and done (ms from the first), and its bytes on the wire. */
interface Fetched {
  url: string;
  sent: number;
  answered?: number;
  done?: number;
  bytes: number;
}

/** Lists the requests of a load in the order they were sent (the waterfall of one run). */
function waterfall(list: Fetched[], origin: string): string {
  const t0 = Math.min(...list.map((r) => r.sent));
  const ms = (t: number | undefined) => (t === undefined ? '—' : String(Math.round(t - t0)).padStart(5));
  return list
    .sort((a, b) => a.sent - b.sent)
    .map((r) => `        ${ms(r.sent)} → ${ms(r.answered)} → ${ms(r.done)} ms ${String(r.bytes).padStart(7)} B  ${r.url.replace(origin, '')}`)
    .join('\n');
}

describe('first render of the hall on a slow 3G phone (measurement)', function () {
  this.timeout(300_000);
  let stack: Stack;
  before(async () => {
    await ensureWebBuilt();
    stack = await startStack();
  });
  after(async () => {
    await stack?.stop();
  });

  it('measures', async () => {
    const browser = await launchChromium();
    const fcp: number[] = [];
    const painted: number[] = [];
    const rendered: number[] = [];
    const heading: number[] = [];
    const list: number[] = [];
    let bytes = 0;
    let trace = '';
    try {
      for (let i = 0; i < runs; i++) {
        const context = await newContext(browser, 'phone');
        const page = await context.newPage();
        const cdp: CDPSession = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
        await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 400, downloadThroughput: (400 * 1024) / 8, uploadThroughput: (400 * 1024) / 8 });
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
        let moved = 0;
        const fetched = new Map<string, Fetched>();
        cdp.on('Network.requestWillBeSent', (e: { requestId: string; timestamp: number; request: { url: string } }) => { fetched.set(e.requestId, { url: e.request.url, sent: e.timestamp * 1000, bytes: 0 }); });
        cdp.on('Network.responseReceived', (e: { requestId: string; timestamp: number }) => { const r = fetched.get(e.requestId); if (r) r.answered = e.timestamp * 1000; });
        cdp.on('Network.loadingFinished', (e: { requestId: string; timestamp: number; encodedDataLength: number }) => {
          moved += e.encodedDataLength;
          const r = fetched.get(e.requestId);
          if (r) Object.assign(r, { done: e.timestamp * 1000, bytes: e.encodedDataLength });
        });
        const start = Date.now();
        await page.goto(`${stack.baseUrl}/#/hall`);
        await page.getByRole('heading', { name: '网上办事大厅', level: 1 }).waitFor({ timeout: 60_000 });
        heading.push(Date.now() - start);
        await page.getByRole('button', { name: /^查看指南 / }).first().waitFor({ timeout: 60_000 });
        list.push(Date.now() - start);
        fcp.push(await page.evaluate<number>(`performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1`));
        // When the heading was painted, from the page's own paint timing (Element Timing): the static shell's and the app's.
        const marks = await page.evaluate<Record<string, number>>(`new Promise((resolve) => {
          const seen = {};
          new PerformanceObserver((l) => { for (const e of l.getEntries()) seen[e.identifier] ??= e.renderTime || e.loadTime; }).observe({ type: 'element', buffered: true });
          setTimeout(() => resolve(seen), 200);
        })`);
        painted.push(Math.min(marks['hall-heading-shell'] ?? Infinity, marks['hall-heading'] ?? Infinity));
        rendered.push(marks['hall-heading'] ?? -1);
        bytes = moved;
        await context.close();
        if (i === runs - 1) trace = waterfall([...fetched.values()], stack.baseUrl);
      }
    } finally {
      await browser.close();
    }
    console.log(`      slow 3G + 4× CPU, ${runs} loads, medians: first contentful paint ${Math.round(median(fcp))} ms; hall heading ${median(heading)} ms; item list ${median(list)} ms; ${Math.round(bytes / 1024)} KiB transferred`);
    console.log(`      the heading as painted (Element Timing, from the start of navigation; the heading and list above are looked for only once page.goto has seen the load event): first painted ${Math.round(median(painted))} ms, rendered by the app ${Math.round(median(rendered))} ms`);
    console.log(`      the last load's requests (sent → answered → done, bytes on the wire):\n${trace}`);
    console.log(`      each load (FCP / heading painted / by the app / heading / list ms): ${fcp.map((f, i) => `${Math.round(f)}/${Math.round(painted[i])}/${Math.round(rendered[i])}/${heading[i]}/${list[i]}`).join(', ')}`);
  });
});
