/**
 * The visual process editor (可视化流程设计): the review steps of a draft as cards, nested
 * in their parallel steps' branches. Steps are added, removed, moved up and down and into or
 * out of a branch with buttons (keyboard first; the moved step keeps the focus), fields are
 * picked from the API's lists, conditions are built from the item's form fields, and every
 * validation problem is shown on the card of the step it concerns.
 */
import { createContext, useContext, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '../../i18n';
import { procedureName } from '../../names';
import { ConditionBuilder } from './condition-builder';
import { describeCondition, ruleProblems, type ConditionField } from './conditions';
import { fieldWords, problemText } from './messages';
import {
  addBranch, addStep, earlierSteps, flatten, moveStep, moveStepTo, moveTargets, newStep, pointerOf, problemsByStep, removeBranch, removeStep,
  renameStep, sequenceAt, updateBranch, updateStep, type SeqPath, type Step, type StepPath, type StepType,
} from './model';

export interface EditorOptions {
  departments: { code: string; name: string; level: string }[];
  roles: { code: string; name: string }[];
  systems: { department: string; system: string }[];
  services: { adapter: string; operation: string; name: string }[];
}

export interface PreviewMark {
  result: 'runs' | 'skipped' | 'ask' | 'not-reached';
}

interface Ctx {
  steps: Step[];
  set: (steps: Step[], focus?: { id: string; control: string }) => void;
  problems: Map<string, { pointer: string; detail: string; field: string }[]>;
  options: EditorOptions;
  fields: ConditionField[];
  preview?: Map<string, PreviewMark>;
  focus: { id: string; control: string } | null;
  defaultDepartment: string;
}

const EditorContext = createContext<Ctx | null>(null);
const useEditor = () => useContext(EditorContext)!;

const typeNames: Record<StepType, [string, string]> = {
  task: ['审查环节', 'Task'], parallel: ['并联审批', 'Parallel'], department: ['部门系统办理', 'Department system'], service: ['接口核验', 'Service check'],
};
const actionNames: [string, string, string][] = [
  ['approve', '同意（发送下一环节）', 'Approve'], ['return', '退回', 'Return'], ['correction', '补正', 'Correction'],
  ['suspend', '挂起（特别程序）', 'Suspend (special procedure)'], ['refuse', '不予许可', 'Refuse'], ['void', '作废', 'Void'],
];
const procedures = ['hearing', 'inspection', 'appraisal', 'expert-review', 'public-notice', 'tender'];
const previewWords: Record<PreviewMark['result'], [string, string]> = {
  runs: ['试算：办理', 'Preview: runs'], skipped: ['试算：跳过', 'Preview: skipped'], ask: ['试算：由负责人判断', 'Preview: head decides'], 'not-reached': ['试算：不经过', 'Preview: not reached'],
};

export function ProcessEditor({ steps, onChange, problems, options, fields, preview, defaultDepartment }: {
  steps: Step[];
  onChange: (steps: Step[]) => void;
  /** Field problems with pointers relative to the entry (`/process/steps/…`). */
  problems: { pointer: string; detail: string }[];
  options: EditorOptions;
  fields: ConditionField[];
  preview?: Map<string, PreviewMark>;
  defaultDepartment: string;
}) {
  const { t, lang } = useI18n();
  const [focus, setFocus] = useState<Ctx['focus']>(null);
  // The server's problems, and the browser's own checks of the conditions' rules.
  const byStep = useMemo(() => {
    const own = flatten(steps).flatMap(({ step, path }) => ruleProblems(step.when, fields).map((detail) => ({ pointer: `${pointerOf(path)}/when`, detail })));
    return problemsByStep([...problems.filter((p) => p.pointer.startsWith('/process')), ...own]);
  }, [problems, steps, fields]);
  const ctx: Ctx = {
    steps, problems: byStep, options, fields, preview, focus, defaultDepartment,
    set: (next, f) => {
      setFocus(f ?? null);
      onChange(next);
    },
  };
  const general = byStep.get('') ?? [];
  return (
    <EditorContext.Provider value={ctx}>
      <div className="process-editor">
        {general.length > 0 && (
          <div className="banner banner-error" role="alert">
            <strong>{t('流程整体', 'The process')}</strong>
            <ul>{general.map((p, i) => <li key={i}>{problemText(p.detail, lang)}</li>)}</ul>
          </div>
        )}
        <Sequence seq={[]} list={steps} label={t('主流程', 'Main process')} />
      </div>
    </EditorContext.Provider>
  );
}

/** The steps of the process or of a branch, and the control that adds one at its end. */
function Sequence({ seq, list, label }: { seq: SeqPath; list: Step[]; label: string }) {
  const { t } = useI18n();
  const ed = useEditor();
  const id = useId();
  const [type, setType] = useState<StepType>('task');
  const add = () => {
    const sys = ed.options.systems[0];
    const svc = ed.options.services[0];
    const dept = type === 'department' && sys ? sys.department : ed.defaultDepartment;
    const step = newStep(ed.steps, type, dept, { system: sys?.system, adapter: svc?.adapter, operation: svc?.operation });
    ed.set(addStep(ed.steps, seq, step), { id: step.id, control: 'name' });
  };
  return (
    <div className="sequence">
      <ol className="plain step-list" aria-label={label}>
        {list.map((s, i) => <StepCard key={`${i}:${s.id}`} step={s} path={[...seq, i]} index={i} count={list.length} />)}
      </ol>
      <div className="add-step">
        <label htmlFor={`${id}-type`}>{t(`在「${label}」末尾添加`, `Add to the end of “${label}”`)}</label>
        <select id={`${id}-type`} value={type} onChange={(e) => setType(e.target.value as StepType)}>
          {(Object.keys(typeNames) as StepType[]).filter((k) => k !== 'parallel' || seq.length === 0).map((k) => <option key={k} value={k}>{t(...typeNames[k])}</option>)}
        </select>
        <button type="button" className="btn-small" onClick={add}>{t('添加环节', 'Add step')}</button>
      </div>
    </div>
  );
}

function StepCard({ step, path, index, count }: { step: Step; path: StepPath; index: number; count: number }) {
  const { t, lang } = useI18n();
  const ed = useEditor();
  const uid = useId();
  const pointer = pointerOf(path);
  const problems = ed.problems.get(pointer) ?? [];
  const [open, setOpen] = useState(problems.length > 0 || ed.focus?.id === step.id);
  const refs = useRef<Record<string, HTMLElement | null>>({});
  const [target, setTarget] = useState('');
  const targets = moveTargets(ed.steps, path);
  const mark = ed.preview?.get(pointer);
  const typeName = typeNames[step.type] ? t(...typeNames[step.type]) : t('未知类型环节', 'Unknown step');
  const label = step.name || t('未命名环节', 'Unnamed step');
  const deptName = (code: unknown) => ed.options.departments.find((d) => d.code === code)?.name ?? t('未选择部门', 'no department');

  useEffect(() => {
    if (ed.focus?.id !== step.id) return;
    if (ed.focus.control === 'name') setOpen(true);
    // After the render that moved it: the same control of the same step keeps the focus.
    requestAnimationFrame(() => refs.current[ed.focus!.control]?.focus());
  }, [ed.focus, step.id]);
  useEffect(() => {
    if (problems.length > 0) setOpen(true);
  }, [problems.length]);

  const set = (fn: (s: Step) => Step) => ed.set(updateStep(ed.steps, path, fn));
  const at = (field: string) => problems.filter((p) => p.field === field || p.field.startsWith(`${field}/`));
  const invalid = (field: string) => at(field).length > 0;
  const errs = (field: string) => at(field).length > 0 && (
    <div className="field-error" id={`${uid}-${field}-err`}>{at(field).map((p) => problemText(p.detail, lang)).join('；')}</div>
  );
  const text = (field: string, labelText: string, value: unknown, onValue: (v: string) => void, extra: { inputMode?: 'numeric' } = {}) => (
    <div className={`field${invalid(field) ? ' field-invalid' : ''}`}>
      <label htmlFor={`${uid}-${field}`}>{labelText}</label>
      <input id={`${uid}-${field}`} ref={(el) => { refs.current[field] = el; }} value={typeof value === 'string' || typeof value === 'number' ? String(value) : ''} inputMode={extra.inputMode}
        aria-invalid={invalid(field)} aria-describedby={invalid(field) ? `${uid}-${field}-err` : undefined} onChange={(e) => onValue(e.target.value)} />
      {errs(field)}
    </div>
  );
  const select = (field: string, labelText: string, value: unknown, choices: { value: string; label: string }[], onValue: (v: string) => void) => (
    <div className={`field${invalid(field) ? ' field-invalid' : ''}`}>
      <label htmlFor={`${uid}-${field}`}>{labelText}</label>
      <select id={`${uid}-${field}`} value={typeof value === 'string' ? value : ''} aria-invalid={invalid(field)} aria-describedby={invalid(field) ? `${uid}-${field}-err` : undefined} onChange={(e) => onValue(e.target.value)}>
        {(typeof value !== 'string' || !choices.some((c) => c.value === value)) && <option value={typeof value === 'string' ? value : ''}>{t('请选择', 'Choose')}</option>}
        {choices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
      </select>
      {errs(field)}
    </div>
  );
  const days = (v: string) => (v.trim() === '' ? undefined : Number.isFinite(Number(v)) ? Number(v) : v);
  const withLimit = (s: Step, v: string): Step => {
    const n = days(v);
    const { limitDays: _old, ...rest } = s;
    return n === undefined ? (rest) : { ...rest, limitDays: n as number };
  };
  const departments = ed.options.departments.map((d) => ({ value: d.code, label: d.name }));
  const actions = Array.isArray(step.actions) ? step.actions : [];
  const toggle = (list: string[], v: string, on: boolean) => (on ? [...new Set([...list, v])] : list.filter((x) => x !== v));
  const setOptionalList = (key: 'returnTo' | 'specialProcedures', list: string[]) => set((s) => {
    const { [key]: _drop, ...rest } = s;
    return (list.length ? { ...rest, [key]: list } : rest);
  });
  const move = (fn: () => Step[], control: string) => ed.set(fn(), { id: step.id, control });

  return (
    <li className={`step-card step-${step.type}${problems.length ? ' step-invalid' : ''}${mark ? ` preview-${mark.result}` : ''}`} aria-labelledby={`${uid}-title`}>
      <div className="step-head">
        <h3 id={`${uid}-title`} className="step-title">
          <span className="step-no">{index + 1}</span> <span className="step-label">{label}</span> <span className="badge badge-status">{typeName}</span>
          {problems.length > 0 && <span className="badge step-problem-count">{t(`${problems.length} 处问题`, `${problems.length} problem(s)`)}</span>}
          {mark && <span className={`badge preview-badge preview-badge-${mark.result}`}>{t(...previewWords[mark.result])}</span>}
        </h3>
        <p className="muted small step-summary">
          {step.type === 'parallel' ? `${t('牵头', 'Lead')}：${deptName(step.lead)}` : step.type === 'service' ? ed.options.services.find((s) => s.adapter === step.adapter && s.operation === step.operation)?.name ?? t('接口核验', 'Service') : deptName(step.department)}
          {step.type === 'task' && ` · ${ed.options.roles.find((r) => r.code === step.role)?.name ?? t('未选择角色', 'no role')}`}
          {typeof step.limitDays === 'number' && ` · ${step.limitDays} ${t('个工作日', 'working days')}`}
          {step.when !== undefined && ` · ${t('条件', 'When')}：${describeCondition(step.when, ed.fields)}`}
        </p>
        {problems.length > 0 && (
          <ul className="step-problems" aria-label={t(`${label}的问题`, `Problems of ${label}`)}>
            {problems.map((p, i) => {
              const sentence = problemText(p.detail, lang);
              const what = fieldWords(p.field);
              return <li key={i}>{sentence.startsWith(what) ? sentence : `${what}：${sentence}`}</li>;
            })}
          </ul>
        )}
        <div className="step-tools" role="group" aria-label={t(`${label}：移动与编辑`, `${label}: move and edit`)}>
          <button type="button" className="btn-small" ref={(el) => { refs.current.up = el; }} disabled={index === 0} aria-label={t(`上移「${label}」`, `Move “${label}” up`)} onClick={() => move(() => moveStep(ed.steps, path, -1), 'up')}>{t('上移', 'Up')}</button>
          <button type="button" className="btn-small" ref={(el) => { refs.current.down = el; }} disabled={index === count - 1} aria-label={t(`下移「${label}」`, `Move “${label}” down`)} onClick={() => move(() => moveStep(ed.steps, path, 1), 'down')}>{t('下移', 'Down')}</button>
          {path.length > 1 && (
            <button type="button" className="btn-small" ref={(el) => { refs.current.out = el; }} aria-label={t(`将「${label}」移出分支`, `Move “${label}” out of the branch`)} onClick={() => move(() => moveStepTo(ed.steps, path, path.slice(0, -3)), 'edit')}>{t('移出分支', 'Out of branch')}</button>
          )}
          {targets.length > 0 && (
            <span className="move-to">
              <select aria-label={t(`将「${label}」移到`, `Move “${label}” to`)} value={target} ref={(el) => { refs.current.target = el; }} onChange={(e) => setTarget(e.target.value)}>
                <option value="">{t('移到…', 'Move to…')}</option>
                {targets.map((x) => <option key={x.seq.join('.')} value={x.seq.length ? x.seq.join('.') : 'main'}>{x.parallel ? `${x.parallel} · ${x.branch}` : t('主流程', 'Main process')}</option>)}
              </select>
              <button type="button" className="btn-small" disabled={!target} aria-label={t(`移动「${label}」`, `Move “${label}”`)} onClick={() => {
                const seq = target === 'main' ? [] : target.split('.').map(Number);
                setTarget('');
                move(() => moveStepTo(ed.steps, path, seq), 'edit');
              }}>{t('移动', 'Move')}</button>
            </span>
          )}
          <button type="button" className="btn-small" ref={(el) => { refs.current.edit = el; }} aria-expanded={open} aria-controls={`${uid}-body`} onClick={() => setOpen(!open)}>{open ? t('收起', 'Close') : t('编辑', 'Edit')}</button>
          <button type="button" className="btn-small btn-danger" aria-label={t(`删除「${label}」`, `Remove “${label}”`)} onClick={() => ed.set(removeStep(ed.steps, path))}>{t('删除', 'Remove')}</button>
        </div>
      </div>
      <div id={`${uid}-body`} className="step-body" hidden={!open}>
        <div className="layout-horizontal">
          {text('name', t('环节名称', 'Name'), step.name, (v) => set((s) => ({ ...s, name: v })))}
          {text('id', t('环节编号（小写字母、数字和连字符）', 'Id (lower-case letters, digits, hyphens)'), step.id, (v) => ed.set(renameStep(ed.steps, path, v), { id: v, control: 'id' }))}
        </div>
        {step.type === 'task' && (
          <>
            <div className="layout-horizontal">
              {select('department', t('办理部门', 'Department'), step.department, departments, (v) => set((s) => ({ ...s, department: v })))}
              {select('role', t('办理角色', 'Role'), step.role, ed.options.roles.map((r) => ({ value: r.code, label: r.name })), (v) => set((s) => ({ ...s, role: v })))}
              {text('limitDays', t('环节时限（工作日）', 'Limit (working days)'), step.limitDays, (v) => set((s) => withLimit(s, v)), { inputMode: 'numeric' })}
            </div>
            <fieldset className={`group${invalid('actions') ? ' field-invalid' : ''}`}>
              <legend>{t('允许的操作', 'Allowed actions')}</legend>
              {actionNames.map(([a, zh, en]) => (
                <label key={a} className="check"><input type="checkbox" checked={actions.includes(a)} onChange={(e) => set((s) => ({ ...s, actions: toggle(actions, a, e.target.checked) }))} />{t(zh, en)}</label>
              ))}
              {errs('actions')}
            </fieldset>
            {(actions.includes('return') || Array.isArray(step.returnTo)) && (
              <fieldset className={`group${invalid('returnTo') ? ' field-invalid' : ''}`}>
                <legend>{t('可退回到', 'May return to')}</legend>
                {earlierSteps(ed.steps, path).length === 0 && <p className="hint">{t('本环节之前没有可退回的环节。', 'No earlier step to return to.')}</p>}
                {earlierSteps(ed.steps, path).map((s) => {
                  const list = Array.isArray(step.returnTo) ? (step.returnTo as string[]) : [];
                  return <label key={s.id} className="check"><input type="checkbox" checked={list.includes(s.id)} onChange={(e) => setOptionalList('returnTo', toggle(list, s.id, e.target.checked))} />{s.name}</label>;
                })}
                {errs('returnTo')}
              </fieldset>
            )}
            {(actions.includes('suspend') || Array.isArray(step.specialProcedures)) && (
              <fieldset className={`group${invalid('specialProcedures') ? ' field-invalid' : ''}`}>
                <legend>{t('可启动的特别程序', 'Special procedures')}</legend>
                {procedures.map((p) => {
                  const list = Array.isArray(step.specialProcedures) ? (step.specialProcedures as string[]) : [];
                  return <label key={p} className="check"><input type="checkbox" checked={list.includes(p)} onChange={(e) => setOptionalList('specialProcedures', toggle(list, p, e.target.checked))} />{procedureName(p, lang)}</label>;
                })}
                {errs('specialProcedures')}
              </fieldset>
            )}
          </>
        )}
        {step.type === 'parallel' && (
          <div className="layout-horizontal">
            {select('lead', t('牵头部门', 'Lead department'), step.lead, departments, (v) => set((s) => ({ ...s, lead: v })))}
            {select('join', t('汇总规则', 'Join rule'), step.join, [
              { value: 'any-refusal-refuses', label: t('任一分支不予许可即不予许可', 'any refusal refuses') },
              { value: 'lead-decides', label: t('牵头部门综合决定', 'the lead department decides') },
            ], (v) => set((s) => ({ ...s, join: v })))}
            {text('limitDays', t('并联时限（工作日）', 'Limit (working days)'), step.limitDays, (v) => set((s) => withLimit(s, v)), { inputMode: 'numeric' })}
          </div>
        )}
        {step.type === 'department' && (
          <div className="layout-horizontal">
            {select('department', t('办理部门', 'Department'), step.department, departments, (v) => set((s) => ({ ...s, department: v })))}
            {select('system', t('部门业务系统', 'Department system'), step.system, systemChoices(ed.options, step.department, t), (v) => set((s) => ({ ...s, system: v })))}
            {text('limitDays', t('环节时限（工作日）', 'Limit (working days)'), step.limitDays, (v) => set((s) => withLimit(s, v)), { inputMode: 'numeric' })}
          </div>
        )}
        {step.type === 'service' && (
          <div className="layout-horizontal">
            {select('operation', t('核验接口', 'Service'), `${String(step.adapter)}.${String(step.operation)}`, ed.options.services.map((s) => ({ value: `${s.adapter}.${s.operation}`, label: s.name })), (v) => {
              const [adapter, operation] = v.split('.');
              set((s) => ({ ...s, adapter, operation }));
            })}
          </div>
        )}
        <ConditionBuilder when={step.when} fields={ed.fields} label={label} invalid={invalid('when')} onChange={(when) => set((s) => {
          const { when: _old, ...rest } = s;
          return (when === undefined ? rest : { ...rest, when });
        })} />
        {errs('when')}
      </div>
      {step.type === 'parallel' && <Branches step={step} path={path} label={label} invalid={invalid('branches')} />}
    </li>
  );
}

function systemChoices(o: EditorOptions, department: unknown, t: (zh: string, en: string) => string): { value: string; label: string }[] {
  const own = o.systems.filter((s) => s.department === department);
  const others = o.systems.filter((s) => s.department !== department);
  const name = (code: string) => o.departments.find((d) => d.code === code)?.name ?? t('其他部门', 'another department');
  return [
    ...own.map((s) => ({ value: s.system, label: t(`${name(s.department)}业务系统`, `System of ${name(s.department)}`) + (own.length > 1 ? `（${s.system}）` : '') })),
    ...others.map((s) => ({ value: s.system, label: t(`${name(s.department)}业务系统（其他部门）`, `System of ${name(s.department)} (another department)`) })),
  ];
}

/** A parallel step's branches, each a sequence of its own. */
function Branches({ step, path, label, invalid }: { step: Step; path: StepPath; label: string; invalid: boolean }): ReactNode {
  const { t } = useI18n();
  const ed = useEditor();
  const uid = useId();
  const branches = (step.branches ?? []) as { id: string; name: string; steps: Step[] }[];
  return (
    <div className={`branches${invalid ? ' field-invalid' : ''}`}>
      {branches.map((b, j) => (
        <section key={`${j}:${b.id}`} className="branch" aria-label={t(`${label} · ${b.name}`, `${label} · ${b.name}`)}>
          <div className="branch-head">
            <label htmlFor={`${uid}-b${j}`}>{t(`分支 ${j + 1} 名称`, `Branch ${j + 1} name`)}</label>
            <input id={`${uid}-b${j}`} value={b.name} onChange={(e) => ed.set(updateBranch(ed.steps, path, j, { name: e.target.value }))} />
            <button type="button" className="btn-small btn-danger" aria-label={t(`删除分支「${b.name}」`, `Remove branch “${b.name}”`)} onClick={() => ed.set(removeBranch(ed.steps, path, j))}>{t('删除分支', 'Remove branch')}</button>
          </div>
          <Sequence seq={[...path, j]} list={sequenceAt(ed.steps, [...path, j]) ?? []} label={`${label} · ${b.name}`} />
        </section>
      ))}
      <button type="button" className="btn-small" onClick={() => ed.set(addBranch(ed.steps, path, ed.defaultDepartment))}>{t(`为「${label}」添加分支`, `Add a branch to “${label}”`)}</button>
    </div>
  );
}
