/**
 * The case page for staff: what was applied for (the form, read-only), the materials and
 * certificates, earlier opinions, the history timeline, and the open task's allowed actions
 * with an opinion; extension request, special procedure and urges to answer.
 */
import { useState } from 'react';
import { get, post } from '../api';
import { ItemForm } from '../forms/item-form';
import { actionName, fmtDeadline, fmtTime, useI18n } from '../i18n';
import { staffOf, useSession } from '../session';
import type { CaseRecord, Guide, LiveView, OpenTask, ProcessStep } from '../types';
import { actorName, procedureName, roleName, stepName } from '../names';
import { CaseHistory } from '../ui/case-history';
import { ChecklistTable, CorrectionFiles, type Checklist } from '../ui/checklist';
import { documentLinks } from './documents';
import { deptName, useDepartments } from '../ui/departments';
import { ErrorBanner, LevelBadge, Notice, Spinner, StatusBadge, useAction, useFollow, useLoad, useOnMove } from '../ui/kit';

type ProcedureType = NonNullable<OpenTask['specialProcedures']>[number];

const procedureTypes: [ProcedureType, string, string][] = [
  ['hearing', '听证', 'Hearing'], ['inspection', '检验检测检疫', 'Inspection'], ['appraisal', '鉴定', 'Appraisal'],
  ['expert-review', '专家评审', 'Expert review'], ['public-notice', '公示', 'Public notice'], ['tender', '招标拍卖', 'Tender / auction'],
];

/**
 * The case's record, followed as it moves (the server holds the request until it does), and its
 * live view, read again each time the record moves.
 */
export function useCaseData(caseNo: string) {
  const record = useFollow<CaseRecord>(`/api/cases/${encodeURIComponent(caseNo)}`);
  const live = useLoad((signal) => get<LiveView>(`/api/cases/${caseNo}/live`, { signal }), [caseNo]);
  useOnMove(record.data, live.reload);
  const code = record.data?.implementationCode;
  const guide = useLoad((signal) => (code ? get<Guide>(`/api/implementations/${encodeURIComponent(code)}`, { signal }).catch(() => undefined) : Promise.resolve(undefined)), [code]);
  const reload = () => {
    record.reload();
    live.reload();
  };
  return { record, live, guide, reload };
}

export function CaseSummary({ record, live, guide }: { record: CaseRecord; live: LiveView | undefined; guide?: Guide | undefined }) {
  const { t } = useI18n();
  const departments = useDepartments();
  // A deadline in a year whose holidays are not published yet: it moves when they are.
  const provisional = <span className="muted small" title={t('该日期跨入尚未公布节假日安排的年度，公布后将自动重新计算', 'The date reaches into a year whose holidays are not published yet; it is recomputed when they are')}> {t('（暂定）', '(provisional)')}</span>;
  return (
    <section className="card summary" aria-label={t('办件概况', 'Summary')}>
      <dl className="facts facts-wide">
        <dt>{t('事项', 'Item')}</dt><dd>{record.itemName}</dd>
        <dt>{t('实施部门', 'Department')}</dt><dd>{deptName(departments, record.department)}</dd>
        <dt>{t('申请人', 'Applicant')}</dt><dd>{record.applicant.name} <span className="muted mono">{record.applicant.idNumber}</span></dd>
        <dt>{t('状态', 'Status')}</dt><dd><StatusBadge status={live?.status ?? record.status} /> {live && <LevelBadge level={live.supervision.level} />}{live?.supervision.statutoryOverdue && <span className="badge level-overdue">{t('超法定时限', 'Past statutory limit')}</span>}</dd>
        <dt>{t('申报时间', 'Filed')}</dt><dd>{fmtTime(record.filedAt)} · {record.channel === 'window' ? t('窗口', 'window') : t('网上', 'online')}</dd>
        <dt>{t('受理时间', 'Accepted')}</dt><dd>{fmtTime(live?.clock.acceptedAt ?? record.acceptedAt)}</dd>
        <dt>{t('承诺办结', 'Promised by')}</dt><dd>{fmtDeadline(live?.clock.promisedDeadline ?? record.promisedDeadline)}{live?.clock.extended && ` (${t('已延期', 'extended')})`}{(live ? live.clock.promisedProvisional : record.deadlineProvisional) && provisional}</dd>
        <dt>{t('法定办结', 'Statutory by')}</dt><dd>{fmtDeadline(live?.clock.statutoryDeadline ?? record.statutoryDeadline)}{(live ? live.clock.statutoryProvisional : record.deadlineProvisional) && provisional}</dd>
        {live && <><dt>{t('已用工作日', 'Working days used')}</dt><dd>{live.clock.usedDays} / {live.clock.promisedLimitDays}{live.clock.running ? '' : ` · ${t('计时暂停', 'clock paused')}`}</dd></>}
      </dl>
      <SimulationFacts record={record} live={live} guide={guide} />
    </section>
  );
}

const simulationStates: Record<string, [string, string]> = {
  simulating: ['模拟审查中', 'Simulated review'], awaiting: ['已出具模拟审批意见，待转正', 'Simulated opinion given, awaiting precondition'],
  converting: ['转正审查中', 'Converting'], converted: ['已转正', 'Converted'], lapsed: ['已失效', 'Lapsed'], refused: ['不予通过', 'Refused'], ended: ['已终止', 'Ended'],
};

/** 模拟审批: the simulation's state, what is missing, the simulated opinion and its conditions, and what conversion re-ran. */
function SimulationFacts({ record, live, guide }: { record: CaseRecord; live: LiveView | undefined; guide: Guide | undefined }) {
  const { t, lang } = useI18n();
  const sim = live?.simulation;
  const state = sim?.state ?? record.simulation?.state;
  if (!state) return null;
  const name = (s: string) => simulationStates[s]?.[lang === 'zh' ? 0 : 1] ?? s;
  const list = (xs: string[]) => (xs.length ? xs.join('、') : t('无', 'none'));
  const precondition = (id: string) => sim?.preconditions.find((p) => p.id === id)?.name ?? id;
  const fields = (guide?.form.schema as { properties?: Record<string, { title?: string }> } | undefined)?.properties;
  const field = (f: string) => fields?.[f]?.title ?? f;
  const material = (m: string) => guide?.materials.find((x) => x.id === m)?.name ?? m;
  return (
    <div className="simulation" aria-label={t('模拟审批', 'Simulated approval')}>
      <h3><span className="badge level-warning">{t('模拟', 'Simulated')}</span> {t('模拟审批', 'Simulated approval')} · {name(state)}</h3>
      <dl className="facts facts-wide">
        {sim && <><dt>{t('尚缺前置条件', 'Preconditions missing')}</dt><dd>{list(sim.missing.map(precondition))}</dd></>}
        {sim?.met.length ? <><dt>{t('已具备', 'Met')}</dt><dd>{sim.met.map((m) => `${precondition(m.id)}：${m.how}`).join('；')}</dd></> : null}
        {sim?.opinion && <><dt>{t('模拟审批意见', 'Simulated opinion')}</dt><dd>{sim.opinion.text}<br /><span className="muted">{t('附条件：', 'Conditions: ')}{sim.opinion.conditions}</span></dd></>}
        {(sim?.lapseAt ?? record.simulation?.lapseAt) && <><dt>{t('转正期限', 'Convert by')}</dt><dd>{fmtTime(sim?.lapseAt ?? record.simulation?.lapseAt ?? null)}</dd></>}
        <dt>{t('模拟审查用时', 'Simulated review')}</dt><dd>{sim?.simulatedDays ?? record.simulation?.simulatedDays ?? '—'} {t('个工作日', 'working days')}</dd>
        {record.simulation?.formalDays != null && <><dt>{t('转正至发证用时', 'Precondition to certificate')}</dt><dd>{record.simulation.formalDays} {t('个工作日', 'working days')}</dd></>}
        {sim?.preconditionMetAt && <>
          <dt>{t('变更的申请内容', 'Changed since review')}</dt><dd>{list([...sim.changedFields.map(field), ...sim.changedMaterials.map(material)])}</dd>
          <dt>{t('沿用模拟意见的环节', 'Carried over')}</dt><dd>{list(sim.carriedOver.map((id) => stepTitle(record, id)))}</dd>
          <dt>{t('重新审查的环节', 'Reviewed again')}</dt><dd>{list(sim.rerun.map((id) => stepTitle(record, id)))}</dd>
        </>}
      </dl>
    </div>
  );
}

/** A step's name as its tasks showed it (without the 模拟 stamp), else its id. */
function stepTitle(record: CaseRecord, stepId: string): string {
  const task = record.tasks.find((x) => x.stepId === stepId);
  return task ? task.stepName.replace(/^（模拟）/, '') : stepId;
}

export function Opinions({ record }: { record: CaseRecord }) {
  const { t, lang } = useI18n();
  const done = record.tasks.filter((x) => x.outcome);
  return (
    <section className="card" aria-labelledby="op-h">
      <h2 id="op-h">{t('办理意见', 'Opinions so far')}</h2>
      {done.length === 0 ? <p className="muted">{t('尚无', 'None yet')}</p> : (
        <ol className="opinions">
          {done.map((x) => (
            <li key={x.taskId}>
              <div><strong>{x.stepName}</strong> · {actionName(String(x.outcome?.action ?? ''), lang)} · <span className="muted">{actorName(String(x.outcome?.by ?? x.assignee ?? ''), lang, record.staffNames)} {fmtTime(x.closedAt)}</span></div>
              {x.outcome?.opinion && <blockquote>{x.outcome.opinion}</blockquote>}
              {Array.isArray(x.outcome?.problems) && <ul>{x.outcome.problems.map((p, i) => <li key={i}>{p}</li>)}</ul>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The case's stored checklist (materials, files, e-certificates, correction files) and the result certificate. */
export function MaterialsAndCertificates({ record, live }: { record: CaseRecord; guide?: Guide | undefined; live: LiveView | undefined }) {
  const { t } = useI18n();
  const list = useLoad((signal) => get<Checklist>(`/api/cases/${record.caseNo}/checklist`, { signal }), [record.caseNo]);
  return (
    <section className="card" aria-labelledby="mat-h">
      <h2 id="mat-h">{t('申请材料与电子证照', 'Materials and certificates')}</h2>
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {list.data && <ChecklistTable list={list.data} editable={false} onChanged={list.reload} />}
      {list.data && <CorrectionFiles list={list.data} />}
      {live?.certificateNo && (
        <p>{t('办理结果证照', 'Result certificate')}: <span className="mono">{live.certificateNo}</span> <a href={`/api/certificates/${encodeURIComponent(live.certificateNo)}/verify`} target="_blank" rel="noreferrer">{t('验证真伪', 'Verify')}</a></p>
      )}
    </section>
  );
}

function TaskPanel({ task, onDone, process, names }: { task: OpenTask; onDone: () => void; process?: ProcessStep[]; names: Record<string, string> }) {
  const { t, lang } = useI18n();
  const me = staffOf(useSession().session);
  const [opinion, setOpinion] = useState('');
  const [returnTo, setReturnTo] = useState(task.returnTo?.[0] ?? '');
  const [problems, setProblems] = useState('');
  const [proc, setProc] = useState({ type: task.specialProcedures?.[0] ?? 'hearing', reason: '', expectedDays: 10 });
  const [pending, setPending] = useState<string | null>(null);
  const [tried, setTried] = useState(false);
  const action = useAction();
  const mine = !task.assignee || task.assignee === me?.userId;
  const needsOpinion = (a: string) => ['refuse', 'reject', 'void', 'return'].includes(a);

  const complete = async (a: string) => {
    setTried(true);
    setPending(a);
    if (needsOpinion(a) && !opinion.trim()) return;
    if (a === 'correction' && !problems.trim()) return;
    if (a === 'suspend' && !proc.reason.trim()) return;
    const body: Record<string, unknown> = { action: a, opinion: opinion.trim() || (a === 'approve' ? t('同意', 'Agreed') : a === 'handover' ? t('已当面交付', 'Handed over') : actionName(a, lang)) };
    if (a === 'return') body.returnTo = returnTo;
    if (a === 'correction') body.problems = problems.split('\n').map((s) => s.trim()).filter(Boolean);
    if (a === 'suspend') body.procedure = { ...proc, reason: proc.reason.trim() };
    const r = await action.run(() => post(`/api/tasks/${encodeURIComponent(task.taskId)}/complete`, body));
    if (r !== undefined) onDone();
  };

  return (
    <section className="card task-panel" aria-labelledby="task-h">
      <h2 id="task-h">{t('当前环节', 'Current step')}：{task.stepName}</h2>
      <p className="muted">{roleName(task.role, lang)} · {task.assignee ? `${t('办理人', 'handled by')} ${actorName(task.assignee, lang, names)}` : t('未认领', 'unclaimed')}</p>
      {!task.assignee && <button type="button" className="btn-small" disabled={action.busy} onClick={() => void action.run(() => post(`/api/tasks/${encodeURIComponent(task.taskId)}/claim`)).then(onDone)}>{t('认领', 'Claim')}</button>}
      {task.assignee === me?.userId && <button type="button" className="btn-small" disabled={action.busy} onClick={() => void action.run(() => post(`/api/tasks/${encodeURIComponent(task.taskId)}/release`)).then(onDone)}>{t('释放', 'Release')}</button>}
      {!mine && <Notice kind="warn">{t('该任务已由他人认领', 'Claimed by someone else')}</Notice>}
      <div className={`field${tried && pending && needsOpinion(pending) && !opinion.trim() ? ' field-invalid' : ''}`}>
        <label htmlFor="opinion">{t('审批意见', 'Opinion')}</label>
        <textarea id="opinion" rows={3} value={opinion} onChange={(e) => setOpinion(e.target.value)} maxLength={2000} />
        {tried && pending && needsOpinion(pending) && !opinion.trim() && <div className="field-error" role="alert">{t('此操作需要填写意见和理由', 'This needs an opinion with reasons')}</div>}
      </div>
      {task.actions.includes('return') && task.returnTo && task.returnTo.length > 0 && (
        <div className="field">
          <label htmlFor="return-to">{t('退回至环节', 'Send back to')}</label>
          <select id="return-to" value={returnTo} onChange={(e) => setReturnTo(e.target.value)}>{task.returnTo.map((s) => <option key={s} value={s}>{stepName(s, lang, process)}</option>)}</select>
        </div>
      )}
      {task.actions.includes('correction') && (
        <div className={`field${tried && pending === 'correction' && !problems.trim() ? ' field-invalid' : ''}`}>
          <label htmlFor="review-problems">{t('补正内容（每行一项，用于“补正补齐”）', 'What to supply (one per line, for a correction)')}</label>
          <textarea id="review-problems" rows={2} value={problems} onChange={(e) => setProblems(e.target.value)} />
          {tried && pending === 'correction' && !problems.trim() && <div className="field-error" role="alert">{t('请列出需要补正的内容', 'List what must be supplied')}</div>}
        </div>
      )}
      {task.actions.includes('suspend') && (
        <fieldset className="group">
          <legend>{t('特别程序（时间不计入办理时限）', 'Special procedure (time not counted)')}</legend>
          <div className="layout-horizontal">
            <div className="field">
              <label htmlFor="proc-type">{t('类型', 'Type')}</label>
              <select id="proc-type" value={proc.type} onChange={(e) => setProc({ ...proc, type: e.target.value as ProcedureType })}>
                {procedureTypes.filter(([v]) => !task.specialProcedures || task.specialProcedures.includes(v)).map(([v, zh, en]) => <option key={v} value={v}>{lang === 'zh' ? zh : en}</option>)}
              </select>
            </div>
            <div className="field">
              <label htmlFor="proc-days">{t('预计天数', 'Expected days')}</label>
              <input id="proc-days" type="number" min={1} max={365} value={proc.expectedDays} onChange={(e) => setProc({ ...proc, expectedDays: Number(e.target.value) || 1 })} />
            </div>
          </div>
          <div className={`field${tried && pending === 'suspend' && !proc.reason.trim() ? ' field-invalid' : ''}`}>
            <label htmlFor="proc-reason">{t('理由', 'Reason')}</label>
            <input id="proc-reason" value={proc.reason} onChange={(e) => setProc({ ...proc, reason: e.target.value })} />
            {tried && pending === 'suspend' && !proc.reason.trim() && <div className="field-error" role="alert">{t('请说明理由', 'Give a reason')}</div>}
          </div>
        </fieldset>
      )}
      <ErrorBanner error={action.error} />
      <div className="actions-bar">
        {task.actions.map((a) => (
          <button key={a} type="button" className={a === 'approve' || a === 'accept' || a === 'handover' || a === 'answer' ? 'btn-primary' : ['refuse', 'reject', 'void'].includes(a) ? 'btn-danger' : ''}
            disabled={action.busy || !mine} onClick={() => void complete(a)}>
            {action.busy && pending === a ? <Spinner label={t('提交中…', 'Sending…')} /> : actionName(a, lang)}
          </button>
        ))}
      </div>
    </section>
  );
}

function CaseTools({ caseNo, live, onDone, names }: { caseNo: string; live: LiveView; onDone: () => void; names: Record<string, string> }) {
  const { t, lang } = useI18n();
  const [reason, setReason] = useState('');
  const [result, setResult] = useState('');
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const action = useAction();
  const openUrges = live.supervision.urges.filter((u) => !u.answer);
  const reviewing = ['in_review', 'special_procedure'].includes(live.status);
  return (
    <section className="card" aria-labelledby="tools-h">
      <h2 id="tools-h">{t('延期、特别程序与督办', 'Extension, special procedure, urges')}</h2>
      <ErrorBanner error={action.error} />
      {live.specialProcedure && (
        <div className="subcard">
          <p>{t('特别程序进行中', 'Special procedure under way')}: {procedureName(live.specialProcedure.type, lang)} · {live.specialProcedure.reason} · {fmtTime(live.specialProcedure.startedAt)}</p>
          <div className="field">
            <label htmlFor="sp-result">{t('特别程序结果', 'Result')}</label>
            <textarea id="sp-result" rows={2} value={result} onChange={(e) => setResult(e.target.value)} />
          </div>
          <button type="button" disabled={action.busy || !result.trim()} onClick={() => void action.run(() => post(`/api/cases/${caseNo}/special-procedure/end`, { result: result.trim() })).then(onDone)}>{t('结束特别程序', 'End the procedure')}</button>
        </div>
      )}
      {reviewing && !live.clock.extended && (
        <div className="subcard">
          <div className="field">
            <label htmlFor="ext-reason">{t('延期理由（经负责人批准可延长一次）', 'Reason for the one extension (head approves)')}</label>
            <input id="ext-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="button" disabled={action.busy || !reason.trim()} onClick={() => void action.run(() => post(`/api/cases/${caseNo}/extension`, { reason: reason.trim() })).then(onDone)}>{t('申请延期', 'Request extension')}</button>
        </div>
      )}
      {openUrges.map((u) => (
        <div className="subcard urge" key={u.urgeId}>
          <p><strong>{t('督办', 'Urge')}</strong>：{u.message} <span className="muted">· {actorName(u.by, lang, names)} · {t('回复期限', 'reply by')} {fmtTime(u.replyBy)}</span></p>
          <div className="field">
            <label htmlFor={`ans-${u.urgeId}`}>{t('督办回复', 'Answer')}</label>
            <input id={`ans-${u.urgeId}`} value={answers[u.urgeId] ?? ''} onChange={(e) => setAnswers({ ...answers, [u.urgeId]: e.target.value })} />
          </div>
          <button type="button" disabled={action.busy || !answers[u.urgeId]?.trim()} onClick={() => void action.run(() => post(`/api/cases/${caseNo}/urges/${u.urgeId}/answer`, { answer: answers[u.urgeId].trim() })).then(onDone)}>{t('回复', 'Answer')}</button>
        </div>
      ))}
      {!live.specialProcedure && !(reviewing && !live.clock.extended) && openUrges.length === 0 && <p className="muted">{t('当前无可用操作', 'Nothing to do here now')}</p>}
    </section>
  );
}

export function CasePage({ caseNo }: { caseNo: string }) {
  const { t } = useI18n();
  const me = staffOf(useSession().session);
  const { record, live, guide } = useCaseData(caseNo);
  // My open tasks when I last acted: the "submitted" note goes once a new task of mine arrives.
  // The page follows the case by itself (useCaseData), so what the action set going shows as it happens.
  const [justDone, setJustDone] = useState<string[] | null>(null);
  const myTasks = (live.data?.openTasks ?? []).filter((x) => !me?.department || (x.department === me.department && (!me.roles || me.roles.includes(x.role))));
  const otherTasks = (live.data?.openTasks ?? []).filter((x) => !myTasks.includes(x));
  const after = () => {
    setJustDone(myTasks.map((x) => x.taskId));
    live.reload();
  };
  if (record.loading && !record.data) return <div className="page"><Spinner /></div>;
  if (!record.data) return <div className="page"><ErrorBanner error={record.error} onRetry={record.reload} /></div>;
  const names = record.data.staffNames;
  return (
    <div className="page">
      <p><a href="#/inbox">← {t('待办', 'Inbox')}</a></p>
      <h1>{t('办件', 'Case')} <span className="mono">{caseNo}</span></h1>
      <CaseSummary record={record.data} live={live.data} guide={guide.data} />
      {justDone && myTasks.every((x) => justDone.includes(x.taskId)) && <Notice kind="ok">{t('已提交。', 'Done.')} <button type="button" className="link" onClick={() => setJustDone(null)}>{t('知道了', 'Dismiss')}</button></Notice>}
      <div className="grid-2">
        <div>
          {myTasks.map((task) => <TaskPanel key={task.taskId} task={task} onDone={after} process={guide.data?.process.steps} names={names} />)}
          {otherTasks.length > 0 && <p className="muted">{t('其他部门正在办理：', 'With other departments: ')}{otherTasks.map((x) => x.stepName).join('、')}</p>}
          {live.data && <CaseTools caseNo={caseNo} live={live.data} onDone={after} names={names} />}
          <section className="card" aria-labelledby="fd-h">
            <h2 id="fd-h">{t('申请表', 'Application form')}</h2>
            {/* While the guide loads, a spinner (not the raw data, whose keys are English). */}
            {guide.data ? <ItemForm schema={guide.data.form.schema} uischema={guide.data.form.uischema} data={live.data?.formData ?? record.data.formData} onChange={() => undefined} showAllErrors={false} readonly />
              : guide.loading ? <Spinner /> : <pre className="json">{JSON.stringify(record.data.formData, null, 2)}</pre>}
          </section>
        </div>
        <div>
          <MaterialsAndCertificates record={record.data} guide={guide.data} live={live.data} />
          <Opinions record={record.data} />
          <section className="card" aria-labelledby="hist-h">
            <h2 id="hist-h">{t('办理过程', 'History')}</h2>
            <CaseHistory record={record.data} process={guide.data?.process.steps} />
          </section>
          <CaseDocuments caseNo={caseNo} record={record.data} />
        </div>
      </div>
    </div>
  );
}

/** The documents this case has (or may have now), each opening its A4 page. */
export function CaseDocuments({ caseNo, record, base = '#/doc' }: { caseNo: string; record: CaseRecord; base?: string }) {
  const { t } = useI18n();
  const has = (type: string) => record.events.some((e) => e.type === type);
  const decided = record.events.filter((e) => e.type === 'decided').at(-1)?.payload.outcome;
  const available: Record<string, boolean> = {
    receipt: true, accept: Boolean(record.acceptedAt), correction: has('correction-requested'), reject: record.status === 'not_accepted',
    approval: decided === 'approved', refusal: decided === 'refused', service: Boolean(decided) || record.status === 'not_accepted',
  };
  return (
    <section className="card" aria-labelledby="docs-h">
      <h2 id="docs-h">{t('文书', 'Documents')}</h2>
      <ul className="plain list">
        {documentLinks.filter(([k]) => available[k]).map(([k, zh, en]) => <li key={k}><a href={`${base}/${k}/${caseNo}`}>{t(zh, en)}</a></li>)}
      </ul>
    </section>
  );
}
