/**
 * 收费 → 制证 → 送达 after a positive decision: the fee (when charged at the decision), the
 * electronic certificate, and the result delivered by courier or handed over at the window.
 */
import { DELIVERY_WAIT_DAYS } from '../../definitions';
import { DAY_MS, now, type Case } from '../context';
import { awaitTask, openTask, waitOrAsk, withManualFallback } from '../tasks';
import { collectFee } from './fee';
import { certificateAfterConversion } from './simulation';

export async function deliverResult(c: Case): Promise<void> {
  const { state, impl, input, caseNo } = c;
  if (impl.fee.charged && (impl.fee.when !== 'acceptance' || c.sim)) {
    const paid = await collectFee(c, impl.fee.amountFen, impl.fee.paymentDays, 'decision');
    if (!paid) return;
  }
  if (impl.result.type === 'certificate') {
    c.record('issuing', {}, 'issuing');
    const cert = await withManualFallback(c, { id: 'certificate', name: '电子证照签发', department: impl.department, allowSkip: true }, () => c.remote.issueCertificate({
      caseNo, certificateType: impl.result.certificateType ?? impl.result.name, name: impl.result.name, holderName: input.applicant.name,
      holderId: input.applicant.idNumber, issuer: impl.department, validityYears: impl.result.validityYears ?? null, issuedAt: now(),
      fields: { itemName: impl.itemName, ...pickScalars(state.formData) },
    }));
    if (cert && 'value' in cert) {
      state.certificateNo = cert.value.certificateNo;
      c.record('certificate-issued', { payload: { certificateNo: cert.value.certificateNo } });
      if (c.sim) certificateAfterConversion(c);
    }
  }
  state.delivery = { method: input.delivery.method, waybillNo: null, deliveredAt: null };
  if (input.delivery.method === 'courier') {
    const booked = await withManualFallback(c, { id: 'courier', name: '物流寄递下单', department: impl.department, allowSkip: true }, () => c.remote.bookCourier({ caseNo, address: input.delivery.address!, item: impl.result.name }));
    if (booked && 'value' in booked) {
      const { waybillNo } = booked.value;
      state.delivery.waybillNo = waybillNo;
      const early = c.early?.deliveries.get(waybillNo);
      if (early && !c.deliveredAt) c.deliveredAt = early; // its callback came before this answer
      c.record('courier-booked', { payload: { waybillNo } }, 'delivering');
      await awaitDelivery(c, waybillNo);
      state.delivery.deliveredAt = c.deliveredAt;
      c.journal.push({ op: 'delivery', caseNo, waybillNo, deliveredAt: c.deliveredAt! });
      c.record('delivered', { payload: { waybillNo, at: c.deliveredAt } });
    } else {
      state.delivery.method = 'window'; // no courier: the result is handed over at the window instead
    }
  }
  if (state.delivery.method !== 'courier') {
    c.record('awaiting-pickup', { payload: { method: state.delivery.method } }, 'delivering');
    const task = openTask(c, { kind: 'handover', stepId: 'handover', stepName: '窗口发证', department: impl.window.department, role: impl.window.role, actions: ['handover'] });
    const done = await awaitTask(c, task);
    state.delivery.deliveredAt = now();
    c.record('delivered', { actor: done?.actor.userId, payload: { method: state.delivery.method } });
  }
  c.record('completed', { patch: { completedAt: now(), currentSteps: [] } }, 'completed');
}

/**
 * The courier's delivered callback; the case asks the courier's tracking along the way, and after
 * DELIVERY_WAIT_DAYS without a delivery a manual task lets the window ask again or confirm the
 * hand-over (e.g. the applicant confirmed receipt by phone), with a note.
 */
async function awaitDelivery(c: Case, waybillNo: string): Promise<void> {
  const arrived = () => c.deliveredAt !== null;
  const ask = async (): Promise<boolean> => {
    const t = await c.call(() => c.remote.trackWaybill({ waybillNo, readOnly: true }));
    if (t.delivered && c.deliveredAt === null) {
      c.deliveredAt = t.at ?? now();
      c.record('delivery-found', { payload: { waybillNo, at: c.deliveredAt, status: t.status } });
    }
    return arrived();
  };
  let until = new Date(Date.now() + DELIVERY_WAIT_DAYS * DAY_MS).toISOString();
  for (;;) {
    if (await waitOrAsk(c, arrived, ask, until)) return;
    const task = openTask(c, {
      kind: 'manual', stepId: 'delivery', stepName: '人工处理：寄递未确认签收', department: c.impl.window.department, role: c.impl.window.role, actions: ['retry', 'skip'],
      notes: [`运单 ${waybillNo} 寄出后 ${DELIVERY_WAIT_DAYS} 日仍未收到签收信息，查询物流亦未签收。“重试”再次查询并等待一日；“跳过”＝已通过其他方式确认送达（须写明如何确认）。`],
    });
    const done = await awaitTask(c, task, undefined, arrived);
    if (!done) return;
    if (done.action === 'retry') {
      until = new Date(Date.now() + DAY_MS).toISOString();
      continue;
    }
    c.deliveredAt = now();
    c.record('delivery-confirmed-by-hand', { actor: done.actor.userId, payload: { waybillNo, opinion: done.opinion } });
    task.handled = true;
    return;
  }
}

/** Scalar form fields, for the certificate's content. */
function pickScalars(data: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(data)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}
