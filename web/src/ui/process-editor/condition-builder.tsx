/**
 * The small condition builder of a step: rules "field · comparison · value" over the item's
 * form and the applicant's kind, joined by and / or, kept as the JsonLogic the engine evaluates.
 * A condition it cannot show as rules is edited as JSON in place.
 */
import { useId, useState } from 'react';
import { useI18n } from '../../i18n';
import { fromLogic, ruleOps, takesValue, toLogic, typedValue, type ConditionField, type Rule, type RuleGroup } from './conditions';

export function ConditionBuilder({ when, fields, onChange, invalid, label }: {
  when: unknown;
  fields: ConditionField[];
  onChange: (when: Record<string, unknown> | undefined) => void;
  invalid: boolean;
  /** The step's name, so every control says which step's condition it edits. */
  label: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const group = fromLogic(when);
  if (!group) return <RawCondition when={when} onChange={onChange} label={label} />;
  const set = (g: RuleGroup) => onChange(toLogic(g));
  const setRule = (i: number, r: Rule) => set({ ...group, rules: group.rules.map((x, k) => (k === i ? r : x)) });
  const first = fields[0];
  return (
    <fieldset className={`group condition${invalid ? ' field-invalid' : ''}`}>
      <legend>{t('适用条件', 'Applies when')}</legend>
      {group.rules.length === 0 && <p className="hint">{t('无条件：每个办件都办理本环节。', 'No condition: every case runs this step.')}</p>}
      {group.rules.length > 1 && (
        <div className="field">
          <label htmlFor={`${id}-join`}>{t('多个条件之间', 'Between the rules')}</label>
          <select id={`${id}-join`} value={group.join} onChange={(e) => set({ ...group, join: e.target.value as 'and' | 'or' })}>
            <option value="and">{t('全部满足（且）', 'all hold (and)')}</option>
            <option value="or">{t('任一满足（或）', 'any holds (or)')}</option>
          </select>
        </div>
      )}
      <ol className="plain rules">
        {group.rules.map((r, i) => {
          const f = fields.find((x) => x.path === r.field);
          const n = i + 1;
          return (
            <li key={i} className="rule-row">
              <select aria-label={t(`${label}：条件${n}的字段`, `${label}: field of rule ${n}`)} value={r.field} onChange={(e) => setRule(i, { ...r, field: e.target.value, value: '' })}>
                {!f && <option value={r.field}>{t('未知字段', 'unknown field')}</option>}
                {fields.map((x) => <option key={x.path} value={x.path}>{x.label}</option>)}
              </select>
              <select aria-label={t(`${label}：条件${n}的比较方式`, `${label}: comparison of rule ${n}`)} value={r.op} onChange={(e) => setRule(i, { ...r, op: e.target.value as Rule['op'] })}>
                {ruleOps.map((o) => <option key={o.op} value={o.op}>{o.label}</option>)}
              </select>
              {takesValue(r.op) && (f?.options
                ? (
                  <select aria-label={t(`${label}：条件${n}的值`, `${label}: value of rule ${n}`)} value={String(r.value)} onChange={(e) => setRule(i, { ...r, value: typedValue(f, e.target.value) })}>
                    {!f.options.some((o) => String(o.value) === String(r.value)) && <option value={String(r.value)}>{t('请选择', 'choose')}</option>}
                    {f.options.map((o) => <option key={String(o.value)} value={String(o.value)}>{o.label}</option>)}
                  </select>
                )
                : <input aria-label={t(`${label}：条件${n}的值`, `${label}: value of rule ${n}`)} inputMode={f?.type === 'number' ? 'decimal' : undefined} value={String(r.value)} onChange={(e) => setRule(i, { ...r, value: typedValue(f, e.target.value) })} />)}
              <button type="button" className="btn-small" aria-label={t(`${label}：删除条件${n}`, `${label}: remove rule ${n}`)} onClick={() => set({ ...group, rules: group.rules.filter((_, k) => k !== i) })}>{t('删除', 'Remove')}</button>
            </li>
          );
        })}
      </ol>
      {first && (
        <button type="button" className="btn-small" aria-label={t(`${label}：添加条件`, `${label}: add a rule`)} onClick={() => set({ ...group, rules: [...group.rules, { field: first.path, op: '==', value: first.options?.[0]?.value ?? '' }] })}>
          {t('＋ 添加条件', '+ Add a rule')}
        </button>
      )}
    </fieldset>
  );
}

/** A condition beyond the builder (nested and / or, `if`, defaults): its JSON, applied when it parses. */
function RawCondition({ when, onChange, label }: { when: unknown; onChange: (when: Record<string, unknown> | undefined) => void; label: string }) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState(() => JSON.stringify(when));
  const [bad, setBad] = useState(false);
  return (
    <div className={`field${bad ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{t('适用条件（较复杂，以 JSON 编辑）', 'Applies when (complex: edited as JSON)')}</label>
      <textarea id={id} className="json" rows={3} aria-label={t(`${label}：适用条件`, `${label}: condition`)} value={text} onChange={(e) => {
        setText(e.target.value);
        try {
          const v = JSON.parse(e.target.value) as unknown;
          if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
          setBad(false);
          onChange(v as Record<string, unknown>);
        } catch {
          setBad(true);
        }
      }} />
      {bad && <div className="field-error" role="alert">{t('条件格式有误，仍使用上次有效的条件。', 'Not a valid condition; the last valid one is kept.')}</div>}
      <button type="button" className="btn-small" onClick={() => onChange(undefined)}>{t('清除条件', 'Clear the condition')}</button>
    </div>
  );
}
