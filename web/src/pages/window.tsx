/**
 * 窗口受理: the clerk picks the item, files the case from the form with the materials checked,
 * then pre-checks it: accept, a correction notice listing every problem at once, or refusal
 * with reasons, and prints the notice.
 */
import { useEffect, useRef, useState } from 'react';
import { del, get, post, put } from '../api';
import { actionName, fmtTime, useI18n } from '../i18n';
import type { Applicant, CaseRecord, Guide, LiveView } from '../types';
import { ApplyForm } from '../ui/apply-form';
import { ChecklistTable, CorrectionFiles, type Checklist } from '../ui/checklist';
import { ItemList } from '../ui/item-list';
import { ErrorBanner, go, LevelBadge, Notice, Spinner, StatusBadge, useAction, useFollow, useInterval, useLoad, useOnMove } from '../ui/kit';
import { CallingPage } from './calling';

export function WindowPage({ route }: { route: string[] }) {
  if (route[0] === 'calling') return <CallingPage />;
  if (route[0] === 'apply' && route[1]) return <WindowApply key={route[1]} code={route[1]} ticket={route[2] === 'ticket' ? route[3] : undefined} />;
  if (route[0] === 'drafts') return <DraftsPage />;
  if (route[0] === 'draft' && route[1]) return <ResumeDraft id={route[1]} />;
  if (route[0] === 'case' && route[1]) return <Precheck caseNo={route[1]} />;
  return <ItemPicker />;
}

interface InboxTask {
  taskId: string;
  caseNo: string;
  kind: string;
  stepName: string;
  itemName: string;
  status: string;
  supervisionState: string;
  createdAt: string;
  applicant: { name: string };
}

function ItemPicker() {
  const { t } = useI18n();
  const pending = useLoad((signal) => get<{ tasks: InboxTask[]; total: number }>('/api/views/inbox', { signal }), []);
  return (
    <div className="page">
      <h1>{t('窗口受理', 'Window')}</h1>
      <p><a href="#/window/drafts">{t('草稿箱（保存未申报的申请）', 'Drafts (saved, not yet filed)')}</a> · <a href="#/window/calling">{t('叫号', 'Calling')}</a></p>
      <div className="grid-2">
        <section className="card" aria-labelledby="pick-h">
          <h2 id="pick-h">{t('选择办理事项', 'Choose the service item')}</h2>
          <ItemList pickLabel={t('受理', 'Take in')} onPick={(it) => go(`/window/apply/${encodeURIComponent(it.code)}`)} />
        </section>
        <section className="card" aria-labelledby="pending-h">
          <h2 id="pending-h">{t('窗口待办（预审、发证）', 'Window tasks (pre-check, hand-over)')}</h2>
          {pending.loading && !pending.data && <Spinner />}
          <ErrorBanner error={pending.error} onRetry={pending.reload} />
          <ul className="plain list">
            {(pending.data?.tasks ?? []).map((task) => (
              <li key={task.taskId}>
                <a href={task.kind === 'precheck' ? `#/window/case/${task.caseNo}` : `#/case/${task.caseNo}`}>
                  <span className="mono">{task.caseNo}</span> {task.itemName}
                </a>
                <div className="muted">{task.stepName} · {task.applicant?.name} · {fmtTime(task.createdAt)} <LevelBadge level={task.supervisionState} /></div>
              </li>
            ))}
            {pending.data && pending.data.tasks.length === 0 && <li className="muted">{t('暂无待办', 'Nothing waiting')}</li>}
          </ul>
          {pending.data && pending.data.total > pending.data.tasks.length && <a href="#/inbox">{t('查看全部', 'See all')}</a>}
        </section>
      </div>
    </div>
  );
}

interface Draft {
  id: string;
  implementationCode: string;
  itemName: string;
  applicant: Partial<Applicant>;
  formData: Record<string, unknown>;
  applicantName?: string | null;
  updatedAt: string;
}

/** Files at the window; the application can be saved to the draft box (草稿箱) and resumed later. With a queue ticket, the filed case is linked to it. */
function WindowApply({ code, draft, ticket }: { code: string; draft?: Draft; ticket?: string }) {
  const { t } = useI18n();
  const guide = useLoad((signal) => get<Guide>(`/api/implementations/${encodeURIComponent(code)}`, { signal }), [code]);
  const typed = useRef<{ applicant: Applicant; formData: Record<string, unknown> } | null>(null);
  const [draftId, setDraftId] = useState(draft?.id ?? null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const save = useAction();
  const saveDraft = async () => {
    const s = typed.current;
    if (!s) return;
    const body = { implementationCode: code, applicant: { kind: s.applicant.kind, name: s.applicant.name, idNumber: s.applicant.idNumber, phone: s.applicant.phone ?? '' }, formData: s.formData };
    const r = await save.run(() => (draftId ? put<Draft>(`/api/drafts/${draftId}`, body) : post<Draft>('/api/drafts', body)));
    if (r) {
      setDraftId(r.id);
      setSavedAt(r.updatedAt);
    }
  };
  return (
    <div className="page">
      <p><a href="#/window">← {t('返回事项列表', 'Back to items')}</a> · <a href="#/window/drafts">{t('草稿箱', 'Drafts')}</a>{ticket && <> · <a href="#/window/calling">{t('返回叫号', 'Back to calling')}</a></>}</p>
      <h1>{guide.data ? guide.data.itemName : t('窗口受理', 'Window')}</h1>
      {guide.data && <p className="muted">{guide.data.departmentName} · <span className="mono">{guide.data.code}</span> · {t(`承诺 ${guide.data.promisedLimitDays ?? 0} 个工作日 / 法定 ${guide.data.statutoryLimitDays} 个工作日`, `promised ${guide.data.promisedLimitDays ?? 0} / statutory ${guide.data.statutoryLimitDays} working days`)}</p>}
      {guide.loading && <Spinner />}
      <ErrorBanner error={guide.error} onRetry={guide.reload} />
      {guide.data && guide.data.code === code && (
        <>
          <div className="actions-bar draft-bar">
            <button type="button" onClick={() => void saveDraft()} disabled={save.busy}>{save.busy ? <Spinner label={t('保存中…', 'Saving…')} /> : t('保存草稿', 'Save draft')}</button>
            <span className="muted small" role="status">{savedAt ? t(`草稿已保存（${fmtTime(savedAt)}）`, `Draft saved (${fmtTime(savedAt)})`) : draftId ? t('正在继续办理草稿', 'Resuming a draft') : ''}</span>
          </div>
          <ErrorBanner error={save.error} />
          {/* Keyed by item (and draft): going straight from one item's form to another starts a fresh form. */}
          <ApplyForm key={`${code}:${draft?.id ?? ''}`} guide={guide.data} channel="window" initial={draft ? { applicant: draft.applicant, formData: draft.formData } : undefined}
            onEdit={(s) => { typed.current = s; }}
            onFiled={(caseNo) => {
              if (draftId) void del(`/api/drafts/${draftId}`).catch(() => undefined);
              // The ticket learns its case; the pre-check opens either way.
              const linked = ticket ? post(`/api/hall/tickets/${ticket}/case`, { caseNo }).catch(() => undefined) : Promise.resolve();
              void linked.then(() => go(`/window/case/${caseNo}`));
            }} />
        </>
      )}
    </div>
  );
}

/** 草稿箱: the clerk's saved applications, newest first; open one to go on, or delete it. */
function DraftsPage() {
  const { t } = useI18n();
  const drafts = useLoad((signal) => get<{ drafts: Draft[] }>('/api/drafts', { signal }), []);
  const remove = useAction();
  return (
    <div className="page">
      <p><a href="#/window">← {t('窗口受理', 'Window')}</a></p>
      <h1>{t('草稿箱', 'Drafts')}</h1>
      <ErrorBanner error={drafts.error ?? remove.error} onRetry={drafts.reload} />
      {drafts.loading && !drafts.data && <Spinner />}
      <table className="table">
        <thead><tr><th scope="col">{t('事项', 'Item')}</th><th scope="col">{t('申请人', 'Applicant')}</th><th scope="col">{t('保存时间', 'Saved')}</th><th scope="col"><span className="sr-only">{t('操作', 'Actions')}</span></th></tr></thead>
        <tbody>
          {(drafts.data?.drafts ?? []).map((d) => (
            <tr key={d.id}>
              <td>{d.itemName}</td>
              <td>{d.applicantName || <span className="muted">{t('未填写', 'not given')}</span>}</td>
              <td>{fmtTime(d.updatedAt)}</td>
              <td><div className="row-actions">
                <a className="btn-small btn-primary" href={`#/window/draft/${d.id}`} aria-label={t(`继续办理 ${d.itemName}`, `Resume ${d.itemName}`)}>{t('继续办理', 'Resume')}</a>
                <button type="button" className="btn-small" disabled={remove.busy} aria-label={t(`删除草稿 ${d.itemName}`, `Delete draft ${d.itemName}`)}
                  onClick={() => void remove.run(() => del(`/api/drafts/${d.id}`)).then(drafts.reload)}>{t('删除', 'Delete')}</button>
              </div></td>
            </tr>
          ))}
          {drafts.data && drafts.data.drafts.length === 0 && <tr><td colSpan={4} className="muted">{t('草稿箱为空', 'No drafts')}</td></tr>}
        </tbody>
      </table>
    </div>
  );
}

function ResumeDraft({ id }: { id: string }) {
  const { t } = useI18n();
  const draft = useLoad((signal) => get<Draft>(`/api/drafts/${encodeURIComponent(id)}`, { signal }), [id]);
  if (draft.data?.id === id) return <WindowApply key={id} code={draft.data.implementationCode} draft={draft.data} />;
  return <div className="page"><h1>{t('草稿箱', 'Drafts')}</h1>{draft.loading ? <Spinner /> : <ErrorBanner error={draft.error} onRetry={draft.reload} />}</div>;
}

/** The acceptance record of the materials, kept with the clerk's opinion (全程留痕). */
function materialsRecord(list: Checklist, t: (zh: string, en: string) => string): string {
  return list.materials.filter((m) => m.state !== 'missing').map((m) => m.state === 'certificate'
    ? `${m.name}：${t('电子证照', 'e-certificate')} ${m.certificateType ?? ''} ${m.certificateNo ?? ''}`
    : `${m.name}：${m.state === 'uploaded' ? `${t('电子件', 'file')} ${m.files.map((f) => f.fileName).join('、')}` : t('纸质材料', 'paper')}`).join('；');
}

/**
 * 预审: the case's stored checklist (the same from any tab or machine), the correction reply's
 * files beside the problems, and the outcome. Acceptance with a required material missing needs
 * a reason, which the server also insists on.
 */
function Precheck({ caseNo }: { caseNo: string }) {
  const { t, lang } = useI18n();
  const checklist = useLoad((signal) => get<Checklist>(`/api/cases/${caseNo}/checklist`, { signal }), [caseNo]);
  const live = useLoad((signal) => get<LiveView>(`/api/cases/${caseNo}/live`, { signal }), [caseNo]);
  // The record follows the case (the server holds the request until it moves); each move reads
  // the live view and the checklist again: the pre-check task appearing, the applicant's reply.
  const record = useFollow<CaseRecord>(`/api/cases/${encodeURIComponent(caseNo)}`);
  const task = live.data?.openTasks.find((x) => x.kind === 'precheck');
  const waiting = !live.data || (!task && ['filed', 'prechecking'].includes(live.data.status));
  const awaitingReply = live.data?.status === 'awaiting_correction';
  const { reload: reloadLive } = live;
  const { reload: reloadChecklist } = checklist;
  useOnMove(record.data, () => {
    reloadLive();
    reloadChecklist();
  });
  // A safety net while the page waits for the case: what moves without the record moving.
  useInterval(() => {
    reloadLive();
    reloadChecklist();
  }, waiting || awaitingReply ? 5000 : null);
  const list = checklist.data;
  const missing = list ? list.materials.filter((m) => list.missingRequired.includes(m.materialId)) : [];
  // Until the clerk picks, the proposal follows the stored checklist.
  const [picked, setOutcome] = useState<'accept' | 'correction' | 'reject' | null>(null);
  const outcome = picked ?? (missing.length ? 'correction' : 'accept');
  const [problemsEdited, setProblems] = useState<string | null>(null);
  const problems = problemsEdited ?? missing.map((m) => `${lang === 'zh' ? '缺少' : 'Missing: '}${m.name}`).join('\n');
  const [waiver, setWaiver] = useState('');
  const [reasons, setReasons] = useState('');
  const [opinion, setOpinion] = useState('');
  const [tried, setTried] = useState(false);
  const action = useAction();
  // The outcome just given, for the pre-check task it was given on (a reopened pre-check is a new task).
  const [given, setDone] = useState<{ outcome: string; taskId: string } | null>(null);
  const done = given && task?.taskId === given.taskId ? given.outcome : given && !task ? given.outcome : null;
  // A reopened pre-check (after a correction reply) starts from the checklist's proposal again.
  const taskId = task?.taskId;
  useEffect(() => {
    setOutcome(null);
    setProblems(null);
    setWaiver('');
    setTried(false);
  }, [taskId]);

  const submit = async () => {
    setTried(true);
    if (!task) return;
    const problemList = problems.split('\n').map((s) => s.trim()).filter(Boolean);
    if (outcome === 'correction' && problemList.length === 0) return;
    if (outcome === 'reject' && !reasons.trim()) return;
    if (outcome === 'accept' && missing.length > 0 && !waiver.trim()) return;
    const received = list ? materialsRecord(list, t) : '';
    const body = outcome === 'accept'
      ? {
        action: 'accept', opinion: [opinion.trim() || t('材料齐全，符合法定形式，予以受理', 'Complete and in due form: accepted'), received && `${t('收取材料', 'Materials')}：${received}`].filter(Boolean).join('。'),
        ...(missing.length ? { missingMaterialsReason: waiver.trim() } : {}),
      }
      : outcome === 'correction'
        ? { action: 'correction', opinion: opinion.trim() || t('申请材料不齐全，请一次性补正以下内容', 'Please supply everything listed'), problems: problemList }
        : { action: 'reject', opinion: reasons.trim() };
    const r = await action.run(() => post(`/api/tasks/${encodeURIComponent(task.taskId)}/complete`, body));
    if (r !== undefined) {
      setDone({ outcome, taskId: task.taskId });
      live.reload();
      checklist.reload();
    }
  };

  const noticeKind = done ?? (live.data?.status === 'awaiting_correction' ? 'correction' : live.data?.status === 'not_accepted' ? 'reject' : live.data?.clock.acceptedAt ? 'accept' : null);
  return (
    <div className="page">
      <p><a href="#/window">← {t('窗口受理', 'Window')}</a></p>
      <h1>{t('预审', 'Pre-check')} <span className="mono">{caseNo}</span></h1>
      <p><a href={`#/doc/receipt/${caseNo}`}>{t('打印收件回执', 'Print the filing receipt')}</a></p>
      <ErrorBanner error={live.error} onRetry={live.reload} />
      {live.data && (
        <p>
          <StatusBadge status={live.data.status} /> {record.data && <>{record.data.itemName} · {record.data.applicant.name}</>}
        </p>
      )}
      {waiting && <Notice><Spinner label={t('办件已登记，正在生成预审任务…', 'Case filed; opening the pre-check…')} /></Notice>}
      {noticeKind && (
        <Notice kind="ok">
          {noticeKind === 'accept' ? t('已受理。', 'Accepted.') : noticeKind === 'correction' ? t('已出具补正告知。', 'Correction notice issued.') : t('已作出不予受理决定。', 'Refused to accept.')}{' '}
          <a href={`#/doc/${noticeKind}/${caseNo}`}>{noticeKind === 'accept' ? t('打印受理通知书', 'Print the acceptance notice') : noticeKind === 'correction' ? t('打印补正告知书', 'Print the correction notice') : t('打印不予受理通知书', 'Print the refusal notice')}</a>
        </Notice>
      )}
      {task && !done && (
        <section className="card" aria-labelledby="pc-h">
          <h2 id="pc-h">{t('预审结论', 'Outcome')}</h2>
          <h3>{t('材料核验', 'Materials check')}</h3>
          <ErrorBanner error={checklist.error} onRetry={checklist.reload} />
          {list && <ChecklistTable list={list} editable onChanged={checklist.reload} />}
          {list && <CorrectionFiles list={list} />}
          <fieldset className="outcomes">
            <legend>{t('处理方式', 'Decision')}</legend>
            {(['accept', 'correction', 'reject'] as const).map((o) => (
              <label key={o} className="radio">
                <input type="radio" name="outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} />
                {actionName(o, lang)}{o === 'correction' ? t('（一次性告知）', ' (all at once)') : ''}
              </label>
            ))}
          </fieldset>
          {outcome === 'correction' && (
            <div className={`field${tried && !problems.trim() ? ' field-invalid' : ''}`}>
              <label htmlFor="pc-problems">{t('需补正的全部内容（每行一项）', 'Everything to supply (one per line)')}</label>
              <textarea id="pc-problems" rows={5} value={problems} onChange={(e) => setProblems(e.target.value)} aria-invalid={tried && !problems.trim()} />
              {tried && !problems.trim() && <div className="field-error" role="alert">{t('请列出需要补正的内容', 'List what must be supplied')}</div>}
            </div>
          )}
          {outcome === 'reject' && (
            <div className={`field${tried && !reasons.trim() ? ' field-invalid' : ''}`}>
              <label htmlFor="pc-reasons">{t('不予受理的理由及依据', 'Reasons and legal basis')}<span className="req" aria-hidden="true"> *</span></label>
              <textarea id="pc-reasons" rows={4} value={reasons} onChange={(e) => setReasons(e.target.value)} aria-invalid={tried && !reasons.trim()} />
              {tried && !reasons.trim() && <div className="field-error" role="alert">{t('不予受理必须说明理由', 'A refusal needs reasons')}</div>}
            </div>
          )}
          {outcome === 'accept' && missing.length > 0 && (
            <div className={`field${tried && !waiver.trim() ? ' field-invalid' : ''}`}>
              <label htmlFor="pc-waiver">{t(`缺少必需材料（${missing.map((m) => m.name).join('、')}）仍予受理的理由`, `Why accept with required materials missing (${missing.map((m) => m.name).join(', ')})`)}<span className="req" aria-hidden="true"> *</span></label>
              <textarea id="pc-waiver" rows={2} maxLength={500} value={waiver} onChange={(e) => setWaiver(e.target.value)} aria-invalid={tried && !waiver.trim()} />
              {tried && !waiver.trim() && <div className="field-error" role="alert">{t('必需材料不齐，受理须写明理由', 'Required materials are missing: give the reason')}</div>}
            </div>
          )}
          {outcome !== 'reject' && (
            <div className="field">
              <label htmlFor="pc-opinion">{t('预审意见', 'Opinion')}</label>
              <textarea id="pc-opinion" rows={2} value={opinion} onChange={(e) => setOpinion(e.target.value)} placeholder={outcome === 'accept' ? t('材料齐全，符合法定形式，予以受理', 'Complete and in due form: accepted') : ''} />
            </div>
          )}
          <ErrorBanner error={action.error} />
          <div className="actions-bar">
            <button type="button" className="btn-primary" disabled={action.busy} onClick={() => void submit()}>
              {action.busy ? <Spinner label={t('正在提交…', 'Submitting…')} /> : t('确认', 'Confirm')}
            </button>
          </div>
        </section>
      )}
    </div>
  );
}
