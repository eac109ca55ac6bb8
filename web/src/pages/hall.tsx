/**
 * 网上办事大厅 for applicants: service guides, applying online with the item's form, tracking
 * a case, replying to a correction, paying, following delivery, and rating the service.
 * Laid out for phones as well as desktops.
 */
import { lazy, useState, type FormEvent } from 'react';
import { get, post } from '../api';
import { fmtDeadline, fmtTime, statusName, useI18n, yuan } from '../i18n';
import { ApplicantSignIn, applicantOf, useSession } from '../session';
import type { CaseRecord, Guide, LiveView } from '../types';
import { uploadMaterial, type Checklist } from '../ui/checklist';
import { useDepartments } from '../ui/departments';
import { ErrorBanner, go, Notice, Spinner, StatusBadge, useAction, useFollow, useInterval, useLoad, useOnMove } from '../ui/kit';
import { ProcessDiagram } from '../ui/process-diagram';
import { assuranceName, assuranceOrder } from '../names';
import { FaceCheck } from '../ui/face-check';
import { HallHome, remember } from './hall-home';

// The form (JSON Forms, ajv) and the documents load when opened: the hall's first page needs neither.
const ApplyForm = lazy(() => import('../ui/apply-form').then((m) => ({ default: m.ApplyForm })));
const DocumentPage = lazy(() => import('./documents').then((m) => ({ default: m.DocumentPage })));
const AppointmentPage = lazy(() => import('./appointments').then((m) => ({ default: m.AppointmentPage })));

export function HallPage({ route }: { route: string[] }) {
  if (route[0] === 'guide' && route[1]) return <GuidePage code={route[1]} />;
  if (route[0] === 'apply' && route[1]) return <ApplyOnline key={route[1]} code={route[1]} />;
  if (route[0] === 'track') return <Track key={route[1]} initial={route[1] ?? ''} />;
  if (route[0] === 'mine') return <MyCases />;
  if (route[0] === 'appointment') return <AppointmentPage />;
  if (route[0] === 'doc' && route[1] && route[2]) return <DocumentPage kind={route[1]} caseNo={route[2]} back={`#/hall/track/${route[2]}`} />;
  return <HallHome />;
}

function GuidePage({ code }: { code: string }) {
  const { t } = useI18n();
  const departments = useDepartments();
  const guide = useLoad((signal) => get<Guide>(`/api/implementations/${encodeURIComponent(code)}`, { signal }), [code]);
  if (guide.loading && !guide.data) return <div className="page"><Spinner /></div>;
  if (!guide.data) return <div className="page"><ErrorBanner error={guide.error} onRetry={guide.reload} /></div>;
  const g = guide.data;
  return (
    <div className="page hall">
      <p><a href="#/hall">← {t('网上办事大厅', 'Service hall')}</a></p>
      <h1>{g.itemName}</h1>
      <p className="muted">{g.departmentName} · {g.type} · <span className="mono">{g.code}</span></p>
      {g.online !== false && <a className="btn-primary" href={`#/hall/apply/${encodeURIComponent(g.code)}`}>{t('在线申报', 'Apply online')}</a>}
      <section className="card">
        <h2>{t('基本信息', 'At a glance')}</h2>
        <dl className="facts facts-wide">
          <dt>{t('办件类型', 'Type')}</dt><dd>{g.caseType === 'instant' ? t('即办件', 'Instant') : t('承诺件', 'Promised')}</dd>
          <dt>{t('法定办结时限', 'Statutory limit')}</dt><dd>{t(`${g.statutoryLimitDays} 个工作日`, `${g.statutoryLimitDays} working days`)}</dd>
          <dt>{t('承诺办结时限', 'Promised limit')}</dt><dd>{g.promisedLimitDays ? t(`${g.promisedLimitDays} 个工作日`, `${g.promisedLimitDays} working days`) : t('当场办结', 'Same day')}</dd>
          <dt>{t('收费', 'Fee')}</dt><dd>{g.fee?.charged ? `${yuan(g.fee.amountFen ?? 0)} · ${g.fee.standard ?? ''}` : t('不收费', 'Free')}</dd>
          <dt>{t('到现场次数', 'Visits')}</dt><dd>{g.visits ?? 0}</dd>
          <dt>{t('办理结果', 'Result')}</dt><dd>{g.result?.name ?? '—'}</dd>
          <dt>{t('设定依据', 'Legal basis')}</dt><dd>{g.legalBasis ?? '—'}</dd>
        </dl>
      </section>
      {g.conditions && <section className="card"><h2>{t('办理条件', 'Conditions')}</h2><p className="prewrap">{g.conditions}</p></section>}
      <section className="card">
        <h2>{t('申请材料', 'Materials')}</h2>
        <ol>{g.materials.map((m) => <li key={m.id}>{m.name} <span className="muted">· {m.required ? t('必需', 'required') : t('按需', 'if applicable')}{m.certificateType ? ` · ${t('可用电子证照免交', 'an e-certificate replaces it')}` : ''}</span>{m.note && <div className="hint">{m.note}</div>}</li>)}</ol>
      </section>
      <section className="card">
        <h2>{t('办理流程', 'Process')}</h2>
        <ProcessDiagram steps={g.process.steps} departments={departments} fee={Boolean(g.fee?.charged)} />
      </section>
      {g.windows && g.windows.length > 0 && (
        <section className="card">
          <h2>{t('办理窗口', 'Windows')}</h2>
          {g.windows.map((w) => <p key={w.name}><strong>{w.name}</strong><br />{w.address}<br /><span className="muted">{w.hours} · {w.phone}</span></p>)}
          <p className="muted">{t('咨询电话', 'Enquiries')} {g.consultPhone ?? '—'} · {t('监督电话', 'Supervision')} {g.supervisionPhone ?? '12345'}</p>
        </section>
      )}
    </div>
  );
}

function ApplyOnline({ code }: { code: string }) {
  const { t } = useI18n();
  const me = applicantOf(useSession().session);
  const guide = useLoad((signal) => get<Guide>(`/api/implementations/${encodeURIComponent(code)}`, { signal }), [code]);
  return (
    <div className="page hall">
      <p><a href={`#/hall/guide/${encodeURIComponent(code)}`}>← {t('办事指南', 'Guide')}</a></p>
      <h1>{t('在线申报', 'Apply online')}{guide.data && `：${guide.data.itemName}`}</h1>
      {guide.data && <AssuranceNotice needed={guide.data.authLevel} have={me?.assuranceLevel} />}
      {!me && <div className="signin-wrap"><ApplicantSignIn onDone={() => undefined} /></div>}
      {guide.loading && <Spinner />}
      <ErrorBanner error={guide.error} onRetry={guide.reload} />
      {me && guide.data && guide.data.code === code && enough(guide.data.authLevel, me.assuranceLevel) && (
        <ApplyForm key={guide.data.code} guide={guide.data} channel="online" fixedApplicant={{ kind: /^\d{17}[\dX]$/.test(me.idNumber) ? 'person' : 'legal_person', name: me.name, idNumber: me.idNumber, phone: me.phone }}
          onFiled={(caseNo) => { remember(caseNo); go(`/hall/track/${caseNo}`); }} />
      )}
    </div>
  );
}

/**
 * Whether the applicant's proved level lets them file (统一身份认证 levels). As on the server, 高级
 * is proved during the case by a live check, so filing asks at most 中级.
 */
function enough(needed: string | undefined, have: string | undefined): boolean {
  const asked = Math.min(assuranceOrder.indexOf(needed ?? 'basic'), assuranceOrder.indexOf('intermediate'));
  return assuranceOrder.indexOf(have ?? 'basic') >= asked;
}

/** Told before the form is filled: the identity level the item needs, and whether the applicant has it. */
function AssuranceNotice({ needed, have }: { needed: string | undefined; have: string | undefined }) {
  const { t, lang } = useI18n();
  const level = assuranceName(needed ?? 'basic', lang);
  if (have && !enough(needed, have)) {
    return (
      <Notice kind="warn">
        {t(`本事项需要${level}及以上身份认证，您当前为${assuranceName(have, lang)}认证。请先到政务服务窗口核验身份或通过人脸识别提升认证等级，再在线申报。`,
          `This item needs ${level} identity assurance or higher; yours is ${assuranceName(have, lang)}. Verify your identity at a window or by a face check first.`)}
        <FaceCheck />
      </Notice>
    );
  }
  if (needed === 'advanced') {
    return <Notice>{t(`本事项需要${level}身份认证：以中级认证申报，受理前请按短信提示在手机上完成活体人脸核验。`, `This item needs ${level} identity assurance: file with intermediate, then complete the live face check sent to your phone before acceptance.`)}</Notice>;
  }
  return <Notice>{t(`本事项需要${level}及以上身份认证（统一身份认证）。`, `This item needs ${level} identity assurance or higher.`)}</Notice>;
}

/** 我的办件: the applicant's cases with their status and what to do next. */
function MyCases() {
  const { t } = useI18n();
  const me = applicantOf(useSession().session);
  const list = useLoad((signal) => (me ? get<{ cases: { caseNo: string; itemName: string; status: string; filedAt: string; nextStep: string }[]; total: number }>('/api/views/my-cases', { signal }) : Promise.resolve(undefined)), [me?.idNumber]);
  const next: Record<string, [string, string]> = {
    correct: ['请补正材料', 'Supply the missing materials'], pay: ['请缴费', 'Pay the fee'], receive: ['等待领取或签收结果', 'Receive the result'],
    rate: ['请评价服务', 'Rate the service'], wait: ['等待办理', 'Being handled'], none: ['无需操作', 'Nothing to do'],
  };
  return (
    <div className="page hall">
      <p><a href="#/hall">← {t('网上办事大厅', 'Service hall')}</a></p>
      <h1>{t('我的办件', 'My cases')}</h1>
      {!me && <div className="signin-wrap"><ApplicantSignIn onDone={() => undefined} /></div>}
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {me && list.loading && !list.data && <Spinner />}
      {list.data && (
        <table className="table">
          <thead><tr><th scope="col">{t('办件编号', 'Case')}</th><th scope="col">{t('事项', 'Item')}</th><th scope="col">{t('状态', 'Status')}</th><th scope="col">{t('下一步', 'Next step')}</th></tr></thead>
          <tbody>
            {list.data.cases.map((c) => (
              <tr key={c.caseNo}>
                <td className="mono"><a href={`#/hall/track/${c.caseNo}`}>{c.caseNo}</a></td>
                <td>{c.itemName}<div className="muted small">{fmtTime(c.filedAt)}</div></td>
                <td><StatusBadge status={c.status} /></td>
                <td>{t(...(next[c.nextStep] ?? next.wait))}</td>
              </tr>
            ))}
            {list.data.cases.length === 0 && <tr><td colSpan={4} className="muted">{t('您还没有办件', 'No cases yet')}</td></tr>}
          </tbody>
        </table>
      )}
    </div>
  );
}

const progress = ['filed', 'prechecking', 'in_review', 'awaiting_payment', 'issuing', 'delivering', 'completed'];

function Track({ initial }: { initial: string }) {
  const { t } = useI18n();
  const { session } = useSession();
  if (!session) {
    return (
      <div className="page hall">
        <p><a href="#/hall">← {t('网上办事大厅', 'Service hall')}</a></p>
        <h1>{t('办件进度', 'Case progress')} <span className="mono">{initial}</span></h1>
        <p className="muted">{t('查询办件进度需先登录（统一身份认证）。', 'Sign in to see your case.')}</p>
        <div className="signin-wrap"><ApplicantSignIn onDone={() => undefined} /></div>
      </div>
    );
  }
  return <TrackCase caseNo={initial} />;
}

function TrackCase({ caseNo }: { caseNo: string }) {
  const { t, lang } = useI18n();
  const valid = /^[0-9]{22}$/.test(caseNo);
  // The record follows the case (the server holds the request until it moves); each move reads
  // the live view again, so the applicant sees the progress as it happens.
  const followed = useFollow<CaseRecord>(`/api/cases/${caseNo}`, 25, valid);
  const liveView = useLoad(async (signal) => {
    if (!valid) return undefined;
    const live = await get<LiveView>(`/api/cases/${caseNo}/live`, { signal });
    remember(caseNo);
    return live;
  }, [caseNo]);
  const { reload: reloadLive } = liveView;
  useOnMove(followed.data, reloadLive);
  const data = { ...liveView, data: liveView.data ? { live: liveView.data, record: followed.data } : undefined };
  const live = data.data?.live;
  // A payment made on the payment platform shows when its callback lands, which moves the record; this is a safety net.
  useInterval(reloadLive, live?.payment?.status === 'open' ? 5000 : null);
  const step = live ? progress.indexOf(live.status === 'special_procedure' ? 'in_review' : live.status === 'awaiting_correction' ? 'prechecking' : live.status === 'closed' ? 'completed' : live.status) : -1;
  return (
    <div className="page hall">
      <p><a href="#/hall">← {t('网上办事大厅', 'Service hall')}</a></p>
      <h1>{t('办件进度', 'Case progress')} <span className="mono">{caseNo}</span></h1>
      {!/^[0-9]{22}$/.test(caseNo) && <Notice kind="warn">{t('办件编号为 22 位数字', 'A case number has 22 digits')}</Notice>}
      {data.loading && !data.data && <Spinner />}
      <ErrorBanner error={data.error} onRetry={data.reload} />
      {live && (
        <>
          <section className="card">
            <p>{data.data?.record?.itemName} <StatusBadge status={live.status} /></p>
            <ol className="progress" aria-label={t('办理进度', 'Progress')}>
              {progress.map((s, i) => <li key={s} className={i < step ? 'done' : i === step ? 'current' : ''} aria-current={i === step ? 'step' : undefined}>{statusName(s, lang)}</li>)}
            </ol>
            <dl className="facts">
              <dt>{t('受理时间', 'Accepted')}</dt><dd>{fmtTime(live.clock.acceptedAt)}</dd>
              <dt>{t('承诺办结', 'Promised by')}</dt><dd>{fmtDeadline(live.clock.promisedDeadline, false)}</dd>
              {live.decision && <><dt>{t('审批结果', 'Decision')}</dt><dd>{live.decision.outcome === 'approved' ? t('准予许可', 'Approved') : t('不予许可', 'Refused')} · {live.decision.opinion}</dd></>}
              {live.certificateNo && <><dt>{t('电子证照', 'E-certificate')}</dt><dd className="mono">{live.certificateNo}</dd></>}
            </dl>
          </section>
          <section className="card" aria-labelledby="docs-h">
            <h2 id="docs-h">{t('文书', 'Documents')}</h2>
            <ul className="plain list">
              <li><a href={`#/hall/doc/receipt/${caseNo}`}>{t('收件回执', 'Filing receipt')}</a></li>
              {live.clock.acceptedAt && <li><a href={`#/hall/doc/accept/${caseNo}`}>{t('受理通知书', 'Acceptance notice')}</a></li>}
              {live.decision && <li><a href={`#/hall/doc/${live.decision.outcome === 'approved' ? 'approval' : 'refusal'}/${caseNo}`}>{live.decision.outcome === 'approved' ? t('准予行政许可决定书', 'Approval decision') : t('不予行政许可决定书', 'Refusal decision')}</a></li>}
            </ul>
          </section>
          {live.correction && live.status === 'awaiting_correction' && <CorrectionReply caseNo={caseNo} live={live} onDone={data.reload} />}
          {live.payment && <Payment live={live} />}
          {live.delivery && (
            <section className="card" aria-labelledby="dl-h">
              <h2 id="dl-h">{t('结果送达', 'Delivery')}</h2>
              <p>{live.delivery.method === 'courier' ? t('邮寄送达', 'By courier') : live.delivery.method === 'window' ? t('窗口领取', 'Window pick-up') : t('自助终端', 'Kiosk')}
                {live.delivery.waybillNo && <> · {t('运单号', 'Waybill')} <span className="mono">{live.delivery.waybillNo}</span></>}
                {' · '}{live.delivery.deliveredAt ? <span className="ok-text">{t(`已送达 ${fmtTime(live.delivery.deliveredAt)}`, `delivered ${fmtTime(live.delivery.deliveredAt)}`)}</span> : <span className="muted">{t('送达中', 'on its way')}</span>}</p>
              {live.delivery.method === 'kiosk' && !live.delivery.deliveredAt && live.status === 'delivering' && <PickupCode caseNo={caseNo} />}
            </section>
          )}
          {['completed', 'closed'].includes(live.status) && <Rate caseNo={caseNo} live={live} onDone={data.reload} />}
        </>
      )}
    </div>
  );
}

/** The code to collect the certificate at the hall's self-service kiosk, with the ID card. */
function PickupCode({ caseNo }: { caseNo: string }) {
  const { t } = useI18n();
  const code = useLoad((signal) => post<{ code: string; collected: boolean }>(`/api/cases/${caseNo}/pickup-code`, undefined, { signal }), [caseNo]);
  if (code.error) return <ErrorBanner error={code.error} onRetry={code.reload} />;
  if (!code.data) return <Spinner />;
  return (
    <div>
      <p>{t('取件码', 'Pick-up code')} <strong className="mono pickup-code" data-testid="pickup-code">{code.data.code}</strong></p>
      <p className="muted">{t('请带身份证到办事大厅的自助服务终端，选择“证照领取”，输入取件码并刷身份证领取。', 'Bring your ID card to the hall\'s kiosk, choose certificate pick-up, enter the code and read your card.')}</p>
    </div>
  );
}

function Payment({ live }: { live: LiveView }) {
  const { t } = useI18n();
  const p = live.payment;
  if (!p) return null;
  return (
    <section className="card payment" aria-labelledby="pay-h">
      <h2 id="pay-h">{t('缴费', 'Payment')}</h2>
      <dl className="facts">
        <dt>{t('应缴金额', 'Amount')}</dt><dd className="amount">{yuan(p.amountFen)}</dd>
        <dt>{t('缴款单号', 'Payment order')}</dt><dd className="mono" data-testid="payment-id">{p.paymentId}</dd>
        <dt>{t('缴费期限', 'Pay by')}</dt><dd>{fmtTime(p.expiresAt)}</dd>
        <dt>{t('状态', 'State')}</dt><dd>{p.status === 'paid' ? <span className="ok-text">{t('已缴费', 'Paid')}</span> : p.status === 'expired' ? <span className="warn-text">{t('已过期', 'Expired')}</span> : <span className="warn-text">{t('待缴费', 'To pay')}</span>}</dd>
      </dl>
      {p.status === 'open' && p.cashierUrl && (
        <p>
          {/* To the payment platform's own page, which brings the applicant back here once paid. */}
          <a className="btn-primary" data-testid="pay" href={`${p.cashierUrl}&return=${encodeURIComponent(window.location.href)}`}>
            {t(`去缴费（${yuan(p.amountFen)}）`, `Pay ${yuan(p.amountFen)}`)}
          </a>
        </p>
      )}
      {p.status === 'open' && (
        <Notice>
          {t('点击“去缴费”到统一公共支付平台缴费，也可凭缴款单号通过银联、支付宝、微信或银行柜台缴费；缴费成功后本页会自动更新。', 'Press “Pay” to pay on the unified payment platform, or pay with the order number by UnionPay, Alipay, WeChat or at a bank counter; this page updates by itself once paid.')}
          {' '}<Spinner label={t('等待缴费结果…', 'Waiting for the payment…')} />
        </Notice>
      )}
    </section>
  );
}

/** The problem's material, when the notice names one of the checklist (e.g. 缺少经营场所使用证明). */
function materialOfProblem(problem: string, list: Checklist | undefined): { id?: string; name: string } {
  const m = list?.materials.filter((x) => problem.includes(x.name)).sort((a, b) => b.name.length - a.name.length)[0];
  return m ? { id: m.materialId, name: m.name } : { name: problem };
}

/** The correction reply: a note, and files for each problem of the notice (uploaded with progress, then sent beside their problems). */
function CorrectionReply({ caseNo, live, onDone }: { caseNo: string; live: LiveView; onDone: () => void }) {
  const { t } = useI18n();
  const [note, setNote] = useState('');
  const [files, setFiles] = useState<Record<number, File[]>>({});
  const [progress, setProgress] = useState<Record<string, number>>({});
  const [tried, setTried] = useState(false);
  const action = useAction();
  const problems = live.correction?.problems ?? [];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!note.trim()) return;
    const r = await action.run(async () => {
      const list = await get<Checklist>(`/api/cases/${caseNo}/checklist`);
      const sent: { id: string; problem: number }[] = [];
      for (const [index, chosen] of Object.entries(files)) {
        for (const f of chosen) {
          const key = `${index}/${f.name}`;
          const up = await uploadMaterial(caseNo, f, materialOfProblem(problems[Number(index)], list), (share) => setProgress((p) => ({ ...p, [key]: share })));
          sent.push({ id: up.id, problem: Number(index) });
        }
      }
      return post(`/api/cases/${caseNo}/correction`, { note: note.trim(), ...(sent.length ? { files: sent } : {}) });
    });
    if (r !== undefined) onDone();
  };
  return (
    <section className="card" aria-labelledby="corr-h">
      <h2 id="corr-h">{t('补正材料', 'Correction')}</h2>
      <p>{t('请一次性补正以下全部内容，可为每一项上传文件（PDF、JPG、PNG，单个 5 MB 以内）：', 'Please supply all of the following; you may upload files for each (PDF, JPG, PNG, up to 5 MB each):')}</p>
      <p className="muted">{t(`请于 ${fmtDeadline(live.correction?.replyBy, false)} 前补正`, `Reply by ${fmtDeadline(live.correction?.replyBy, false)}`)}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <ol className="correction-problems">
          {problems.map((p, i) => (
            <li key={i}>
              <div>{p}</div>
              <label className="upload">
                <span>{t('上传文件', 'Upload files')}</span>
                <input type="file" multiple accept="application/pdf,image/jpeg,image/png" aria-label={t(`为第 ${i + 1} 项上传文件：${p}`, `Files for item ${i + 1}: ${p}`)}
                  onChange={(e) => setFiles((all) => ({ ...all, [i]: [...(e.target.files ?? [])] }))} />
              </label>
              {(files[i] ?? []).map((f) => (
                <div key={f.name} className="small">
                  {f.name}
                  {progress[`${i}/${f.name}`] !== undefined && <progress className="upload-progress" max={1} value={progress[`${i}/${f.name}`]} aria-label={t(`${f.name}上传进度`, `Upload of ${f.name}`)} />}
                </div>
              ))}
            </li>
          ))}
        </ol>
        <div className={`field${tried && !note.trim() ? ' field-invalid' : ''}`}>
          <label htmlFor="corr-note">{t('补正说明', 'Note')}<span className="req" aria-hidden="true"> *</span></label>
          <textarea id="corr-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} aria-invalid={tried && !note.trim()} />
          {tried && !note.trim() && <div className="field-error" role="alert">{t('请填写补正说明', 'Write a note')}</div>}
        </div>
        <ErrorBanner error={action.error} />
        <button type="submit" className="btn-primary" disabled={action.busy}>{action.busy ? <Spinner label={t('提交中…', 'Sending…')} /> : t('提交补正', 'Send correction')}</button>
      </form>
    </section>
  );
}

const levels: [number, string, string][] = [[5, '非常满意', 'Very satisfied'], [4, '满意', 'Satisfied'], [3, '基本满意', 'Fairly satisfied'], [2, '不满意', 'Dissatisfied'], [1, '非常不满意', 'Very dissatisfied']];

function Rate({ caseNo, live, onDone }: { caseNo: string; live: LiveView; onDone: () => void }) {
  const { t, lang } = useI18n();
  const [level, setLevel] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [tried, setTried] = useState(false);
  const action = useAction();
  if (live.evaluation) {
    const l = levels.find(([n]) => n === live.evaluation?.level);
    return <section className="card"><h2>{t('服务评价', 'Your rating')}</h2><p className="ok-text">{t('感谢您的评价：', 'Thank you: ')}{l ? (lang === 'zh' ? l[1] : l[2]) : live.evaluation.level}{live.evaluation.comment ? ` · ${live.evaluation.comment}` : ''}</p></section>;
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (level === null) return;
    const r = await action.run(() => post(`/api/cases/${caseNo}/evaluation`, { level, comment: comment.trim() }));
    if (r !== undefined) onDone();
  };
  return (
    <section className="card" aria-labelledby="rate-h">
      <h2 id="rate-h">{t('好差评', 'Rate the service')}</h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <fieldset className={`rating${tried && level === null ? ' field-invalid' : ''}`}>
          <legend>{t('您对本次服务的评价', 'How was the service?')}</legend>
          {levels.map(([n, zh, en]) => (
            <label key={n} className="radio">
              <input type="radio" name="level" value={n} checked={level === n} onChange={() => setLevel(n)} />
              <span className="stars" aria-hidden="true">{'★'.repeat(n)}{'☆'.repeat(5 - n)}</span> {lang === 'zh' ? zh : en}
            </label>
          ))}
          {tried && level === null && <div className="field-error" role="alert">{t('请选择评价等级', 'Choose a rating')}</div>}
        </fieldset>
        <div className="field">
          <label htmlFor="rate-comment">{t('意见建议（选填）', 'Comment (optional)')}</label>
          <textarea id="rate-comment" rows={2} maxLength={1000} value={comment} onChange={(e) => setComment(e.target.value)} />
        </div>
        <ErrorBanner error={action.error} />
        <button type="submit" className="btn-primary" disabled={action.busy}>{action.busy ? <Spinner label={t('提交中…', 'Sending…')} /> : t('提交评价', 'Submit rating')}</button>
      </form>
    </section>
  );
}
