/**
 * 事项管理: items and their versions, the process as a diagram, a live preview of the form,
 * editing a draft with the server's validation problems shown where they belong, and
 * submitting the draft for review (编办 → 法制 → 监察).
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, del, get, post, put, type FieldProblem } from '../api';
import { ItemForm } from '../forms/item-form';
import { fmtTime, useI18n } from '../i18n';
import type { Entry } from '../types';
import { useDepartments } from '../ui/departments';
import { ErrorBanner, go, Notice, Spinner, useAction, useLoad } from '../ui/kit';
import { ProcessDiagram } from '../ui/process-diagram';
import { ItemList } from '../ui/item-list';
import { conditionFields } from '../ui/process-editor/conditions';
import { ProcessEditor, type EditorOptions, type PreviewMark } from '../ui/process-editor/editor';
import { problemText } from '../ui/process-editor/messages';
import type { Step } from '../ui/process-editor/model';
import { ProcessPreviewPanel } from '../ui/process-editor/preview';
import { fieldLabel } from '../problems';

interface VersionRow {
  version: number;
  state: string;
  createdAt: string;
  publishedAt: string | null;
  createdBy: string | null;
  changeId: string | null;
}

interface ExportDoc {
  item: { code: string; name: string; type: string };
  implementation: { code: string; name: string; department: string };
  entry: Entry;
  form: { key: string; version: number; schema: Record<string, unknown>; uischema: Record<string, unknown>; example: Record<string, unknown> };
}

interface ChangeView {
  changeId: string;
  kind: string;
  state: string;
  reviews: { stage: string; status: string; decision: string | null; opinion: string | null }[];
}

export function CataloguePage({ route }: { route: string[] }) {
  const { t } = useI18n();
  if (route[0] === 'entry' && route[1]) return <EntryPage code={route[1]} version={route[2] ? Number(route[2]) : undefined} />;
  return (
    <div className="page">
      <h1>{t('事项管理', 'Catalogue')}</h1>
      <section className="card">
        <h2>{t('实施清单', 'Implementation entries')}</h2>
        <ItemList pickLabel={t('管理', 'Manage')} onPick={(it) => go(`/catalogue/entry/${encodeURIComponent(it.code)}`)} />
      </section>
    </div>
  );
}

const stateNames: Record<string, [string, string]> = {
  draft: ['草稿', 'Draft'], in_review: ['审核中', 'In review'], published: ['已发布', 'Published'], superseded: ['已替代', 'Superseded'], suspended: ['已暂停', 'Suspended'], cancelled: ['已取消', 'Cancelled'],
};

function EntryPage({ code, version }: { code: string; version?: number }) {
  const { t, lang } = useI18n();
  const versions = useLoad((signal) => get<{ versions: VersionRow[] }>(`/api/implementations/${encodeURIComponent(code)}/versions`, { signal }), [code]);
  const list = versions.data?.versions ?? [];
  const chosen = version ?? list.filter((v) => v.state === 'draft' || v.state === 'published').at(-1)?.version ?? list.at(-1)?.version;
  const doc = useLoad((signal) => (chosen ? get<ExportDoc>(`/api/implementations/${encodeURIComponent(code)}/export?version=${chosen}`, { signal }) : Promise.resolve(undefined)), [code, chosen]);
  const create = useAction();
  const hasDraft = list.some((v) => v.state === 'draft' || v.state === 'in_review');
  const row = list.find((v) => v.version === chosen);
  return (
    <div className="page">
      <p><a href="#/catalogue">← {t('事项管理', 'Catalogue')}</a></p>
      <h1>{doc.data?.item.name ?? code} <small className="muted mono">{code}</small></h1>
      <ErrorBanner error={versions.error ?? doc.error ?? create.error} onRetry={() => { versions.reload(); doc.reload(); }} />
      <div className="grid-side">
        <section className="card" aria-labelledby="ver-h">
          <h2 id="ver-h">{t('版本', 'Versions')}</h2>
          {versions.loading && !versions.data && <Spinner />}
          <ul className="plain versions">
            {list.map((v) => (
              <li key={v.version} className={v.version === chosen ? 'current' : ''}>
                <a href={`#/catalogue/entry/${encodeURIComponent(code)}/${v.version}`} aria-current={v.version === chosen ? 'page' : undefined}>v{v.version}</a>
                {' '}<span className={`badge state-${v.state}`}>{stateNames[v.state]?.[lang === 'zh' ? 0 : 1] ?? v.state}</span>
                <div className="muted small">{fmtTime(v.publishedAt ?? v.createdAt)}{v.createdBy ? ` · ${v.createdBy === 'seed' ? t('初始数据', 'seed data') : v.createdBy}` : ''}</div>
              </li>
            ))}
          </ul>
          {!hasDraft && (
            <button type="button" disabled={create.busy} onClick={() => void create.run(async () => {
              const d = await post<{ code: string; version: number }>(`/api/implementations/${encodeURIComponent(code)}/drafts`);
              versions.reload();
              go(`/catalogue/entry/${encodeURIComponent(code)}/${d.version}`);
            })}>{create.busy ? <Spinner label={t('创建中…', 'Creating…')} /> : t('新建草稿', 'New draft')}</button>
          )}
        </section>
        <div>
          {doc.loading && !doc.data && <Spinner />}
          {doc.data && row && (row.state === 'draft'
            ? <DraftEditor key={`${code}-${row.version}`} code={code} version={row.version} doc={doc.data} onChanged={() => { versions.reload(); doc.reload(); }} />
            : (
              <>
                {row.state === 'in_review' && row.changeId && <ChangeStatus changeId={row.changeId} />}
                <EntryView doc={doc.data} entry={doc.data.entry} />
              </>
            ))}
        </div>
      </div>
    </div>
  );
}

/** A version under review: where its change stands (编办 → 法制 → 监察). */
function ChangeStatus({ changeId }: { changeId: string }) {
  const { t } = useI18n();
  const change = useLoad((signal) => get<ChangeView>(`/api/changes/${encodeURIComponent(changeId)}`, { signal }), [changeId]);
  return (
    <section className="card" aria-labelledby="change-h">
      <h2 id="change-h">{t('审核进度', 'Review')}</h2>
      {change.loading && !change.data && <Spinner />}
      <ErrorBanner error={change.error} onRetry={change.reload} />
      {change.data && <ChangeNotice change={change.data} />}
    </section>
  );
}

function ChangeNotice({ change }: { change: ChangeView }) {
  const { t } = useI18n();
  return (
    <Notice kind="ok">
      {t('已提交审核', 'Submitted for review')} · <span className="mono">{change.changeId}</span> · {change.state}
      <ul>{change.reviews.map((r) => <li key={r.stage}>{r.stage}: {r.status}{r.decision ? ` · ${r.decision}` : ''}{r.opinion ? ` · ${r.opinion}` : ''}</li>)}</ul>
    </Notice>
  );
}

function EntryView({ doc, entry }: { doc: ExportDoc; entry: Entry }) {
  const { t } = useI18n();
  const departments = useDepartments();
  const [preview, setPreview] = useState<Record<string, unknown>>(doc.form.example ?? {});
  return (
    <>
      <section className="card" aria-labelledby="proc-h">
        <h2 id="proc-h">{t('办理流程', 'Process')}</h2>
        <ProcessDiagram steps={entry.process?.steps ?? []} departments={departments} fee={Boolean(entry.fee?.charged)} />
      </section>
      <section className="card" aria-labelledby="fp-h">
        <h2 id="fp-h">{t('表单预览', 'Form preview')} <small className="muted">{doc.form.key}@{doc.form.version}</small></h2>
        <ItemForm schema={doc.form.schema} uischema={doc.form.uischema} data={preview} onChange={(d) => setPreview(d)} showAllErrors />
      </section>
    </>
  );
}

/** Field problems from the server, by pointer relative to the entry. */
function byPointer(problems: FieldProblem[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const p of problems) {
    const key = p.pointer.replace(/^\/entry(?=\/|$)/, '') || '/';
    m.set(key, [...(m.get(key) ?? []), p.detail]);
  }
  return m;
}

/** Where JSON.parse stopped, as a line number of the text (V8 says "position N" or "line N"). */
function jsonErrorLine(text: string, err: unknown): number | undefined {
  const msg = (err as Error).message ?? '';
  const line = /line (\d+)/.exec(msg);
  if (line) return Number(line[1]);
  const pos = /position (\d+)/.exec(msg);
  return pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
}

/** The entry a JSON text holds, or a plain Chinese reason why it holds none. */
function parseEntry(text: string): { entry: Entry } | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    const line = jsonErrorLine(text, err);
    return { error: `JSON 格式有误${line ? `（第 ${line} 行附近）` : ''}，图形仍显示上次有效的内容。` };
  }
  const steps = (v as { process?: { steps?: unknown } } | null)?.process?.steps;
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Array.isArray(steps) || steps.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) {
    return { error: '内容不是完整的实施清单（缺少流程环节列表），图形仍显示上次有效的内容。' };
  }
  return { entry: v as Entry };
}

function DraftEditor({ code, version, doc, onChanged }: { code: string; version: number; doc: ExportDoc; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const [entry, setEntry] = useState<Entry>(doc.entry);
  const [json, setJson] = useState(() => JSON.stringify(doc.entry, null, 2));
  const [jsonError, setJsonError] = useState('');
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [checking, setChecking] = useState(false);
  const [saved, setSaved] = useState(false);
  const [reason, setReason] = useState('');
  const [change, setChange] = useState<ChangeView | null>(null);
  const [marks, setMarks] = useState<Map<string, PreviewMark> | undefined>();
  const options = useLoad((signal) => get<EditorOptions>('/api/catalogue/options', { signal }), []);
  const fields = useMemo(() => conditionFields(doc.form.schema), [doc.form.schema]);
  const save = useAction();
  const submit = useAction();
  const discard = useAction();
  const map = useMemo(() => byPointer(problems), [problems]);
  const at = (ptr: string) => (map.get(ptr) ?? []).map((d) => problemText(d, lang)).join('；');
  const shown = new Set(['/statutoryLimitDays', '/promisedLimitDays', '/conditions', '/fee/amountFen']);
  // Problems of the process are shown on its steps by the editor; the rest here, in words.
  const others = [...map.entries()].filter(([k]) => !shown.has(k) && !/^\/materials\/\d+\/name$/.test(k) && !k.startsWith('/process'));

  // The server checks the entry as it is edited (debounced); nothing is saved by it.
  useEffect(() => {
    const ctl = new AbortController();
    const timer = window.setTimeout(() => {
      setChecking(true);
      post<{ valid: boolean; problems: FieldProblem[] }>('/api/catalogue/validate', { entry }, { signal: ctl.signal }).then(
        (r) => { if (!ctl.signal.aborted) { setProblems(r.problems); setChecking(false); } },
        () => { if (!ctl.signal.aborted) setChecking(false); },
      );
    }, 400);
    return () => {
      window.clearTimeout(timer);
      ctl.abort();
    };
  }, [entry]);

  /** An edit made in the fields or the shapes: the JSON view follows. */
  const edit = (next: Entry) => {
    setSaved(false);
    setEntry(next);
    setJson(JSON.stringify(next, null, 2));
    setJsonError('');
  };
  const update = (patch: Partial<Entry>) => edit({ ...entry, ...patch });
  const setSteps = (steps: Step[]) => {
    setMarks(undefined);
    edit({ ...entry, process: { ...entry.process, steps } });
  };
  const num = (v: string) => (v.trim() === '' ? undefined : Number(v));

  const doSave = async () => {
    setSaved(false);
    const r = await save.run(async () => {
      try {
        return await put(`/api/implementations/${encodeURIComponent(code)}/versions/${version}`, { entry });
      } catch (err) {
        if (err instanceof ApiError) setProblems(err.errors);
        throw err;
      }
    });
    if (r !== undefined) {
      setProblems([]);
      setSaved(true);
    }
  };

  const field = (ptr: string, label: string, input: ReactNode) => (
    <div className={`field${at(ptr) ? ' field-invalid' : ''}`}>
      {label && <label htmlFor={`d-${ptr}`}>{label}</label>}
      {input}
      {at(ptr) && <div className="field-error" role="alert">{at(ptr)}</div>}
    </div>
  );

  return (
    <>
      <section className="card" aria-labelledby="draft-h">
        <h2 id="draft-h">{t(`编辑草稿 v${version}`, `Editing draft v${version}`)}</h2>
        <div className="layout-horizontal">
          {field('/statutoryLimitDays', t('法定办结时限（工作日）', 'Statutory limit (working days)'),
            <input id="d-/statutoryLimitDays" inputMode="numeric" value={entry.statutoryLimitDays ?? ''} aria-invalid={Boolean(at('/statutoryLimitDays'))} onChange={(e) => update({ statutoryLimitDays: num(e.target.value) })} />)}
          {field('/promisedLimitDays', t('承诺办结时限（工作日）', 'Promised limit (working days)'),
            <input id="d-/promisedLimitDays" inputMode="numeric" value={entry.promisedLimitDays ?? ''} aria-invalid={Boolean(at('/promisedLimitDays'))} onChange={(e) => update({ promisedLimitDays: num(e.target.value) })} />)}
          {entry.fee?.charged && field('/fee/amountFen', t('收费金额（分）', 'Fee (fen)'),
            <input id="d-/fee/amountFen" inputMode="numeric" value={entry.fee.amountFen ?? ''} aria-invalid={Boolean(at('/fee/amountFen'))} onChange={(e) => update({ fee: { ...entry.fee, charged: true, amountFen: num(e.target.value) } })} />)}
        </div>
        {field('/conditions', t('办理条件', 'Conditions'),
          <textarea id="d-/conditions" rows={3} value={entry.conditions ?? ''} aria-invalid={Boolean(at('/conditions'))} onChange={(e) => update({ conditions: e.target.value })} />)}
        <fieldset className="group">
          <legend>{t('申请材料', 'Materials')}</legend>
          {entry.materials.map((m, i) => (
            <div key={i} className="layout-horizontal material-row">
              {field(`/materials/${i}/name`, `${t('材料', 'Material')} ${i + 1}`,
                <input id={`d-/materials/${i}/name`} value={m.name} aria-invalid={Boolean(at(`/materials/${i}/name`))} onChange={(e) => update({ materials: entry.materials.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })} />)}
              <label className="check"><input type="checkbox" checked={m.required} onChange={(e) => update({ materials: entry.materials.map((x, j) => (j === i ? { ...x, required: e.target.checked } : x)) })} />{t('必需', 'Required')}</label>
            </div>
          ))}
        </fieldset>
        <details>
          <summary>{t('完整定义（JSON，可直接编辑）', 'Whole entry (JSON, editable)')}</summary>
          <div className={`field${jsonError ? ' field-invalid' : ''}`}>
            <label htmlFor="d-json" className="sr-only">JSON</label>
            <textarea id="d-json" className="json" rows={16} value={json} aria-invalid={Boolean(jsonError)} aria-describedby={jsonError ? 'd-json-err' : undefined} onChange={(e) => {
              setJson(e.target.value);
              setSaved(false);
              const r = parseEntry(e.target.value);
              if ('error' in r) setJsonError(r.error);
              else {
                setJsonError('');
                setMarks(undefined);
                setEntry(r.entry);
              }
            }} />
            {jsonError && <div className="field-error" id="d-json-err" role="alert">{lang === 'zh' ? jsonError : 'Not a valid entry; the shapes keep the last valid one.'}</div>}
          </div>
        </details>
        {others.length > 0 && (
          <div className="banner banner-error" role="alert">
            <strong>{t('其他需要修改之处', 'Other problems')}</strong>
            <ul>{others.map(([k, v]) => <li key={k}>{fieldLabel(k, lang)}：{v.map((d) => problemText(d, lang)).join('；')}</li>)}</ul>
          </div>
        )}
        <ErrorBanner error={problems.length ? undefined : save.error} />
        {saved && <Notice kind="ok">{t('草稿已保存，校验通过。', 'Draft saved; it passes every check.')}</Notice>}
        <div className="actions-bar">
          <button type="button" className="btn-primary" disabled={save.busy || Boolean(jsonError)} onClick={() => void doSave()}>{save.busy ? <Spinner label={t('校验并保存…', 'Checking and saving…')} /> : t('保存草稿', 'Save draft')}</button>
          <button type="button" className="btn-danger" disabled={discard.busy} onClick={() => void discard.run(async () => {
            await del(`/api/implementations/${encodeURIComponent(code)}/versions/${version}`);
            onChanged();
            go(`/catalogue/entry/${encodeURIComponent(code)}`);
          })}>{t('放弃草稿', 'Discard draft')}</button>
        </div>
        <ErrorBanner error={discard.error} />
      </section>

      <section className="card" aria-labelledby="editor-h">
        <div className="card-head">
          <h2 id="editor-h">{t('流程设计', 'Process design')}</h2>
          <span className="muted small" aria-live="polite">{checking ? t('校验中…', 'Checking…') : problems.length ? t(`共 ${problems.length} 处需要修改`, `${problems.length} problem(s)`) : t('校验通过', 'Passes every check')}</span>
        </div>
        <p className="hint">{t('每个环节可上移、下移、移入或移出并联分支；展开“编辑”设置部门、角色、操作、退回、特别程序和适用条件。改动随时校验，问题显示在对应环节上。', 'Move steps up, down, into or out of parallel branches; open “Edit” for department, role, actions, returns, special procedures and conditions. Every change is checked; problems show on their step.')}</p>
        <ErrorBanner error={options.error} onRetry={options.reload} />
        {options.data
          ? <ProcessEditor steps={(entry.process?.steps ?? [])} onChange={setSteps} problems={problems} options={options.data} fields={fields} preview={marks} defaultDepartment={doc.implementation.department} />
          : options.loading && <Spinner />}
      </section>
      <ProcessPreviewPanel steps={(entry.process?.steps ?? [])} form={doc.form} departments={options.data?.departments ?? []} onResult={(rows) => setMarks(rows ? new Map(rows.map((r) => [r.pointer, { result: r.result }])) : undefined)} />

      <section className="card" aria-labelledby="submit-h">
        <h2 id="submit-h">{t('提交审核', 'Submit for review')}</h2>
        <p className="muted">{t('审核顺序：编办（分类）→ 法制（合法性）→ 监察（廉政风险），全部通过后发布。', 'Reviewed by classification, then legality, then integrity; published once all approve.')}</p>
        {change ? <ChangeNotice change={change} /> : (
          <>
            <div className="field">
              <label htmlFor="submit-reason">{t('变更理由', 'Reason for the change')}</label>
              <textarea id="submit-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
            </div>
            <ErrorBanner error={submit.error} />
            <button type="button" disabled={submit.busy || !reason.trim() || !saved} title={saved ? undefined : t('请先保存草稿', 'Save the draft first')} onClick={() => void submit.run(async () => {
              const c = await post<{ changeId: string }>(`/api/implementations/${encodeURIComponent(code)}/versions/${version}/submit`, { reason: reason.trim() });
              setChange(await get<ChangeView>(`/api/changes/${encodeURIComponent(c.changeId)}`));
              onChanged();
            })}>{submit.busy ? <Spinner label={t('提交中…', 'Submitting…')} /> : t('提交审核', 'Submit')}</button>
            {!saved && <p className="hint">{t('保存并通过校验后才能提交。', 'Save (and pass the checks) before submitting.')}</p>}
          </>
        )}
      </section>
      <EntryView doc={doc} entry={entry} />
    </>
  );
}
