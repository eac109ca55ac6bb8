/**
 * 流程试算: fill the item's form (its example first), and the server answers which steps such a
 * case would run, each `when` decided by the case engine's own condition code.
 */
import { useState } from 'react';
import { post } from '../../api';
import { ItemForm } from '../../forms/item-form';
import { useI18n } from '../../i18n';
import { ErrorBanner, Spinner, useAction } from '../kit';
import type { Step } from './model';

export interface PreviewRow {
  stepId: string;
  name: string;
  type: Step['type'];
  pointer: string;
  depth: number;
  branch?: string;
  department?: string;
  role?: string;
  result: 'runs' | 'skipped' | 'ask' | 'not-reached';
  conditional: boolean;
  reason?: string;
  leadDecides?: boolean;
}

const resultWords: Record<PreviewRow['result'], [string, string]> = {
  runs: ['办理', 'runs'], skipped: ['跳过（条件不满足）', 'skipped (condition not met)'], ask: ['条件无法判断，由部门负责人决定是否办理', 'cannot be decided: the department head decides'], 'not-reached': ['不经过（所在并联环节跳过）', 'not reached (its parallel step is skipped)'],
};

export function ProcessPreviewPanel({ steps, form, departments, onResult }: {
  steps: Step[];
  form: { schema: Record<string, unknown>; uischema: Record<string, unknown>; example: Record<string, unknown> };
  departments: { code: string; name: string }[];
  onResult: (rows: PreviewRow[] | null) => void;
}) {
  const { t } = useI18n();
  const [data, setData] = useState<Record<string, unknown>>(form.example ?? {});
  const [kind, setKind] = useState<'person' | 'legal_person'>('person');
  const [rows, setRows] = useState<PreviewRow[] | null>(null);
  const run = useAction();
  const dept = (code?: string) => departments.find((d) => d.code === code)?.name ?? '';
  return (
    <section className="card" aria-labelledby="preview-h">
      <h2 id="preview-h">{t('流程试算', 'Preview a case')}</h2>
      <p className="muted">{t('按下面的申请数据（已填入表单示例，可修改），看一个办件会经过哪些环节。', 'With the form data below (the form\'s example, editable), see which steps a case would run.')}</p>
      <div className="field">
        <label htmlFor="preview-kind">{t('申请人类型', 'Applicant')}</label>
        <select id="preview-kind" value={kind} onChange={(e) => setKind(e.target.value as 'person' | 'legal_person')}>
          <option value="person">{t('自然人', 'Person')}</option>
          <option value="legal_person">{t('法人或其他组织', 'Legal person')}</option>
        </select>
      </div>
      <details>
        <summary>{t('试算用的申请数据', 'Form data for the preview')}</summary>
        <ItemForm schema={form.schema} uischema={form.uischema} data={data} onChange={(d) => setData(d)} showAllErrors={false} />
      </details>
      <ErrorBanner error={run.error} />
      <button type="button" className="btn-primary" disabled={run.busy} onClick={() => void run.run(async () => {
        const r = await post<{ steps: PreviewRow[] }>('/api/catalogue/preview', { steps, formData: data, applicantKind: kind });
        setRows(r.steps);
        onResult(r.steps);
      })}>{run.busy ? <Spinner label={t('试算中…', 'Working…')} /> : t('试算', 'Preview')}</button>
      {rows && (
        <ol className="preview-path" aria-label={t('试算结果', 'Preview result')}>
          {rows.map((r) => (
            <li key={r.pointer} className={`preview-${r.result}`} style={{ marginLeft: `${r.depth * 1.5}rem` }}>
              <strong>{r.name}</strong>
              {r.branch && <span className="muted">（{r.branch}）</span>}
              {r.department && <span className="muted"> · {dept(r.department)}</span>}
              {' — '}<span className={`badge preview-badge preview-badge-${r.result}`}>{t(...resultWords[r.result])}</span>
              {r.leadDecides && r.result === 'runs' && <span className="muted"> · {t('各分支办完后由牵头部门综合决定', 'then the lead department decides')}</span>}
              {r.reason && <div className="hint">{r.reason}</div>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
