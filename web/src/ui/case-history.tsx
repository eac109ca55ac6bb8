/**
 * The case's history as people say it (申报, 受理, 审核通过, 作出决定 …), from the case's own
 * events in the read model, with who and the opinion. The engine's view (the Temporal history)
 * stays one click away for those who may read it (supervisors).
 */
import { useState } from 'react';
import { get } from '../api';
import { fmtTime, useI18n, type Lang } from '../i18n';
import { actionDone, actorName, causeName, deliveryName, eventName, procedureName, stepName } from '../names';
import type { CaseEvent, CaseRecord, ProcessStep } from '../types';
import { ErrorBanner, Spinner, Timeline, useLoad, type TimelineEntry } from './kit';

/** Engine bookkeeping that says nothing to a person reading the history. */
const quiet = new Set(['task-opened', 'task-assigned', 'precheck-started', 'issuing', 'deadlines-recomputed', 'department-milestone-ignored', 'department-result-stale']);

export interface HistoryLine {
  seq: number;
  at: string;
  what: string;
  note?: string;
  who?: string | null;
}

/** One line per event that means something to the applicant or the staff. */
export function historyLines(record: CaseRecord, lang: Lang, process?: ProcessStep[]): HistoryLine[] {
  const zh = lang === 'zh';
  const taskStep = (taskId: unknown) => record.tasks.find((x) => x.taskId === taskId)?.stepName;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return record.events.filter((e) => !quiet.has(e.type)).map((e: CaseEvent): HistoryLine => {
    const p = e.payload ?? {};
    const line: HistoryLine = { seq: e.seq, at: e.at, what: eventName(e.type, lang), who: actorName(e.actor, lang, record.staffNames) };
    switch (e.type) {
      case 'filed':
        line.what = p.channel === 'window' ? (zh ? '窗口申报' : 'Filed at the window') : (zh ? '网上申报' : 'Filed online');
        break;
      case 'task-completed': {
        const step = taskStep(p.taskId) ?? stepName(str(p.stepId), lang, process);
        line.what = `${step}：${actionDone(str(p.action) ?? '', lang)}`;
        line.note = [str(p.opinion), Array.isArray(p.problems) ? (p.problems as string[]).join('；') : undefined].filter(Boolean).join(' — ') || undefined;
        break;
      }
      case 'decided':
        line.what = p.outcome === 'approved' ? (zh ? '作出准予许可决定' : 'Decided: approved') : (zh ? '作出不予许可决定' : 'Decided: refused');
        line.note = str(p.opinion);
        break;
      case 'correction-requested':
        line.note = Array.isArray(p.problems) ? (p.problems as string[]).join('；') : undefined;
        break;
      case 'correction-replied':
      case 'extension-requested':
        line.note = str(p.note) ?? str(p.reason);
        break;
      case 'special-procedure-started':
        line.what = `${eventName(e.type, lang)}：${procedureName(str(p.type) ?? '', lang)}`;
        line.note = str(p.reason);
        break;
      case 'returned':
        line.what = `${zh ? '退回至' : 'Sent back to'} ${stepName(str(p.to), lang, process)}`;
        break;
      case 'urged':
        line.note = str(p.message);
        break;
      case 'delivered':
      case 'awaiting-pickup':
        line.note = p.method ? deliveryName(str(p.method), lang) : str(p.waybillNo);
        break;
      case 'evaluated':
        line.note = str(p.comment);
        break;
      default:
        if (str(p.cause)) line.note = causeName(String(p.cause), lang);
    }
    return line;
  });
}

export function CaseHistory({ record, process, engineView }: { record: CaseRecord; process?: ProcessStep[]; engineView?: boolean }) {
  const { t, lang } = useI18n();
  const [engine, setEngine] = useState(false);
  const lines = historyLines(record, lang, process);
  return (
    <div>
      {engineView && (
        <button type="button" className="btn-small" aria-pressed={engine} onClick={() => setEngine(!engine)}>
          {engine ? t('返回办理过程', 'Back to the history') : t('查看引擎记录', 'Engine view')}
        </button>
      )}
      {engine ? <EngineView caseNo={record.caseNo} /> : lines.length === 0 ? <p className="muted">{t('暂无记录', 'Nothing recorded yet')}</p> : (
        <ol className="timeline history">
          {lines.map((l) => (
            <li key={l.seq}>
              <time dateTime={l.at}>{fmtTime(l.at)}</time>
              <div className="tl-body"><strong>{l.what}</strong>{l.who && <span className="muted"> · {l.who}</span>}{l.note && <div className="muted">{l.note}</div>}</div>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function EngineView({ caseNo }: { caseNo: string }) {
  const history = useLoad((signal) => get<{ timeline: TimelineEntry[] }>(`/api/cases/${caseNo}/history`, { signal }), [caseNo]);
  return (
    <div className="engine-view" lang="en">
      {history.loading && !history.data && <Spinner />}
      <ErrorBanner error={history.error} onRetry={history.reload} />
      {history.data && <Timeline entries={history.data.timeline} />}
    </div>
  );
}
