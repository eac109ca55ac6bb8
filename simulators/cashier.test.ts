/**
 * The payment platform's public payment page (收银台) as a browser meets it: the order shown, a
 * form post that pays and brings the payer back, the signed callback sent once; and what a crafted
 * link cannot do (a script address to go back to, markup in the order's text, an unknown order,
 * paying twice).
 */
import { expect } from 'chai';
import { PaymentClient } from '../adapters/payment';
import { startCallbackSink, type CallbackSink } from './callback-sink';
import type { RunningSimulator } from './kit';
import { startPaymentSimulator, type PaymentControl } from './payment';

const secret = 'cashier-secret';

describe('payment platform simulator: the public payment page', () => {
  let sim: RunningSimulator<PaymentControl>;
  let sink: CallbackSink;
  let n = 0;

  before(async () => {
    sink = await startCallbackSink({ secret, port: 0 });
    sim = await startPaymentSimulator({ secret, callbackUrl: `${sink.url}/callbacks/payment` });
  });
  after(async () => {
    await sim?.close();
    await sink?.close();
  });

  async function order(description = '居民身份证换领 费用') {
    const client = new PaymentClient({ baseUrl: sim.url, secret });
    return client.createOrder({
      caseNo: `33010620261130${String(++n).padStart(10, '0')}`, payer: { name: '张三', idNumber: '11010519491231002X' }, amountFen: 2050,
      description, expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    }, `cashier-${n}-${Date.now()}`);
  }
  const page = (query: string) => fetch(`${sim.url}/cashier?${query}`);
  const pay = (form: Record<string, string>) => fetch(`${sim.url}/cashier/pay`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

  it('when an open order is opened and paid by form with a return address, then the payer goes back there and one signed paid callback goes out', async () => {
    const o = await order();
    const back = 'http://hall.example/#/hall/case/330106';
    const shown = await page(`order=${o.orderId}&return=${encodeURIComponent(back)}`);
    expect(shown.status).to.equal(200);
    const html = await shown.text();
    expect(html).to.contain(o.orderId).and.to.contain('20.50 元').and.to.contain('确认支付').and.to.contain(`value="${back}"`);
    const paid = await pay({ order: o.orderId, channel: 'wechat', return: back });
    expect(paid.status).to.equal(303);
    expect(paid.headers.get('location')).to.equal(back);
    expect(sink.applied('payment.paid').filter((e) => e.subject === o.orderId)).to.have.length(1);
    // Paying again is refused and changes nothing; the page now says it is paid.
    const again = await pay({ order: o.orderId, channel: 'alipay', return: back });
    expect(again.status).to.equal(409);
    expect(await again.text()).to.contain('缴费未完成');
    expect(await (await page(`order=${o.orderId}`)).text()).to.contain('已缴费').and.not.to.contain('确认支付');
    expect(sink.applied('payment.paid').filter((e) => e.subject === o.orderId)).to.have.length(1);
  });

  it('when a link is crafted, then a script return address is not followed, markup is shown as text, and an unknown order is a plain 404 page', async () => {
    const o = await order('<script>alert(1)</script>费用');
    const html = await (await page(`order=${o.orderId}&return=${encodeURIComponent('javascript:alert(1)')}`)).text();
    expect(html).not.to.contain('<script>alert').and.not.to.contain('javascript:');
    expect(html).to.contain('&#60;script&#62;');
    const paid = await pay({ order: o.orderId, return: 'javascript:alert(1)' });
    expect(paid.status).to.equal(200);
    expect(await paid.text()).to.contain('缴费成功');
    const unknown = await page('order=PO-nobody');
    expect(unknown.status).to.equal(404);
    expect(await unknown.text()).to.contain('订单不存在');
    expect((await pay({ order: 'PO-nobody' })).status).to.equal(404);
  });
});
