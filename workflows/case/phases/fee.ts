/**
 * 收费: a payment order, a reminder half-way, cancellation on expiry; a fee at acceptance pauses
 * the clock until paid and is refunded (退费) when the case is refused, withdrawn or voided.
 */
import type { FeeStage } from '../../definitions';
import { CaseEnded, msUntil, now, type Case } from '../context';
import { notify, waitOrAsk, withManualFallback } from '../tasks';

/**
 * Whether the fee was paid (or, after a refused order, collected outside the platform). At
 * acceptance the applicant may still withdraw while the order is open.
 */
export async function collectFee(c: Case, amountFen: number, paymentDays: number, stage: FeeStage): Promise<boolean> {
  const { state, caseNo } = c;
  const ordered = await withManualFallback(c, { id: 'payment-order', name: '缴费订单', department: c.impl.department, allowSkip: true }, () =>
    c.remote.createPaymentOrder({ caseNo, amountFen, paymentDays, createdAt: now(), ...(stage === 'acceptance' ? { stage } : {}) }));
  if (!ordered || !('value' in ordered)) return true; // handled outside the platform, as the manual task says
  const order = ordered.value;
  state.payment = { paymentId: order.paymentId, amountFen, expiresAt: order.expiresAt, status: 'open', stage };
  const early = c.early?.payments.get(order.paymentId);
  if (early && early.amountFen === amountFen) state.paymentConfirmation = early; // its callback came before this answer
  c.record('payment-ordered', { payload: { paymentId: order.paymentId, paymentCode: order.paymentCode, amountFen, expiresAt: order.expiresAt, ...(stage === 'acceptance' ? { stage } : {}) } }, 'awaiting_payment');
  notify(c, { key: `${caseNo}-payment`, caseNo, recipient: 'applicant', template: 'payment-notice', params: { amountFen, paymentCode: order.paymentCode, expiresAt: order.expiresAt } });
  const settled = () => state.paymentConfirmation !== null || (stage === 'acceptance' && state.withdrawal !== null);
  // A paid callback that never came (the API or its database was down) is found by asking the
  // payment platform along the way, before the reminder and before the order expires.
  let foundByAsking = false;
  const ask = async (): Promise<boolean> => {
    const s = await c.call(() => c.remote.paymentOrderStatus({ paymentId: order.paymentId }));
    if (s.status === 'paid' && state.paymentConfirmation === null && (s.amountFen === null || s.amountFen === amountFen)) {
      state.paymentConfirmation = { paymentId: order.paymentId, amountFen, paidAt: s.paidAt ?? now() };
      foundByAsking = true;
    }
    return settled();
  };
  const half = Math.floor(msUntil(order.expiresAt) / 2);
  let paid = await waitOrAsk(c, settled, ask, new Date(Date.now() + half).toISOString());
  if (!paid) {
    notify(c, { key: `${caseNo}-payment-reminder`, caseNo, recipient: 'applicant', template: 'payment-reminder', params: { expiresAt: order.expiresAt } });
    c.record('payment-reminded');
    paid = await waitOrAsk(c, settled, ask, order.expiresAt);
  }
  if (!paid || state.paymentConfirmation === null) {
    // Expired, or withdrawn before paying: the order is cancelled, nothing to refund.
    c.journal.push({ op: 'payment', paymentId: order.paymentId, status: 'expired' });
    state.payment.status = 'expired';
    if (paid) c.record('payment-cancelled', { payload: { paymentId: order.paymentId } });
    else if (stage === 'acceptance') c.record('payment-expired', { payload: { paymentId: order.paymentId } });
    else c.record('payment-expired', { payload: { paymentId: order.paymentId }, patch: { completedAt: now() } }, 'completed');
    return false;
  }
  const p = state.paymentConfirmation;
  state.payment.status = 'paid';
  c.journal.push({ op: 'payment', paymentId: p.paymentId, status: 'paid', paidAt: p.paidAt });
  c.record('payment-received', { payload: { paymentId: p.paymentId, amountFen: p.amountFen, paidAt: p.paidAt, ...(foundByAsking ? { via: 'status-query' } : {}) } });
  return true;
}

/** A fee charged at acceptance (收费 at 受理): the case waits for it, its clock paused, before review begins. */
export async function acceptanceFee(c: Case): Promise<void> {
  const fee = c.impl.fee;
  if (!fee.charged || fee.when !== 'acceptance') return;
  if (c.sim) return; // 模拟审批: no fee for a simulated review; it is charged after the formal decision
  c.clock.pause(now());
  const paid = await collectFee(c, fee.amountFen, fee.paymentDays, 'acceptance');
  if (c.state.withdrawal) throw new CaseEnded('withdrawn', c.state.withdrawal.reason);
  if (!paid) throw new CaseEnded('withdrawn', '逾期未缴纳费用，视为撤回申请');
  c.clock.resume(now());
  c.record('review-started', { patch: c.clockPatch() }, 'in_review');
}

/** A fee paid at acceptance goes back in full when the case is refused, withdrawn or voided. */
export async function refundIfPaid(c: Case, reason: string): Promise<void> {
  const payment = c.state.payment;
  if (!payment || payment.status !== 'paid' || payment.stage !== 'acceptance') return;
  const r = await withManualFallback(c, { id: 'refund', name: '退费', department: c.impl.department, allowSkip: true }, () => c.remote.refundPayment({ caseNo: c.caseNo, paymentId: payment.paymentId, reason }));
  if (r && 'value' in r) {
    payment.status = 'refunded';
    c.record('payment-refunded', { payload: { paymentId: payment.paymentId, refundId: r.value.refundId, amountFen: r.value.amountFen, reason } });
    notify(c, { key: `${c.caseNo}-refund`, caseNo: c.caseNo, recipient: 'applicant', template: 'refund-notice', params: { amountFen: r.value.amountFen, reason } });
  }
}
