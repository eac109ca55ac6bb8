/**
 * Renderers for the structured parts of a form: a list of objects or of texts as a repeatable
 * group (add, remove, move up and down, each row's own errors), a multi-select of fixed options
 * as checkboxes, and a nested object as a group of its fields. Each has a read-only rendering for
 * the case page (a table, a list, a group of values).
 */
import { composePaths, Generate, type ControlProps, type JsonSchema, type UISchemaElement } from '@jsonforms/core';
import { JsonFormsDispatch, useJsonForms } from '@jsonforms/react';
import { useContext, useMemo, useRef, useState } from 'react';
import { useI18n } from '../i18n';
import { addItem, moveItem, pathToPointer, removeItem, rowErrorCount, toggleValue } from './array-edit';
import { ShowAllErrors, formatValue, ReadOnlyField } from './read-only';

interface Schema { type?: unknown; title?: string; format?: string; enum?: unknown[]; properties?: Record<string, Schema>; items?: Schema; maxItems?: number }

let keySeq = 0;
const newKey = () => `row-${++keySeq}`;

/** Stable keys for the rows, kept in step with adds, removals and moves (so a row's typing state follows it). */
function useRowKeys(length: number) {
  const keys = useRef<string[]>([]);
  if (keys.current.length !== length) keys.current = Array.from({ length }, (_x, i) => keys.current[i] ?? newKey());
  return keys;
}

function itemSchemaOf(schema: Schema): Schema {
  return schema.items ?? {};
}

/** A list of objects or of texts: one fieldset per row with its own fields and errors. */
export function ListControl(props: ControlProps) {
  const { t } = useI18n();
  const ctx = useJsonForms();
  const showAll = useContext(ShowAllErrors);
  const [touched, setTouched] = useState(false);
  const schema = props.schema as unknown as Schema;
  const itemSchema = itemSchemaOf(schema);
  const items: unknown[] = Array.isArray(props.data) ? (props.data as unknown[]) : [];
  const keys = useRowKeys(items.length);
  const isObject = itemSchema.type === 'object';
  const rowUi = useMemo<UISchemaElement>(() => (isObject
    ? { type: 'HorizontalLayout', elements: Object.keys(itemSchema.properties ?? {}).map((k) => ({ type: 'Control', scope: `#/properties/${k}` })) }
    : { type: 'Control', scope: '#', label: props.label }), [isObject, itemSchema, props.label]);
  if (!props.visible) return null;
  if (!props.enabled) return <ReadOnlyList label={props.label} schema={schema} items={items} />;

  const pointer = pathToPointer(props.path);
  const errors = ctx.core?.errors ?? [];
  const change = (next: unknown[] | undefined) => {
    setTouched(true);
    props.handleChange(props.path, next);
  };
  const add = () => {
    keys.current = [...keys.current, newKey()];
    change(addItem(items, isObject ? {} : ''));
    // Focus the first field of the new row once it is rendered.
    window.setTimeout(() => document.querySelector<HTMLElement>(`[data-list="${props.path}"] > .list-row:last-of-type input, [data-list="${props.path}"] > .list-row:last-of-type select`)?.focus(), 0);
  };
  const remove = (i: number) => {
    keys.current = keys.current.filter((_k, j) => j !== i);
    change(removeItem(items, i));
  };
  const move = (from: number, to: number) => {
    keys.current = moveItem(keys.current, from, to);
    change(moveItem(items, from, to));
  };
  const max = schema.maxItems;
  const shownErrors = (touched || showAll) && props.errors ? props.errors : '';
  const rowName = (i: number) => t(`第 ${i + 1} 项`, `Item ${i + 1}`);
  return (
    <fieldset className={`group list-group${shownErrors ? ' field-invalid' : ''}`} aria-describedby={shownErrors ? `${props.id}-error` : undefined}>
      <legend>{props.label}{props.required && <span className="req" aria-hidden="true"> *</span>}</legend>
      {props.description && <div className="hint">{props.description}</div>}
      <div className="list-rows" data-list={props.path}>
        {items.length === 0 && <p className="muted">{t('尚未添加，请点击下方按钮添加。', 'None yet; add one below.')}</p>}
        {items.map((_item, i) => {
          const rowErrors = rowErrorCount(errors, pointer, i);
          return (
            <fieldset key={keys.current[i]} className={`list-row${showAll && rowErrors ? ' list-row-invalid' : ''}`}>
              <legend className="list-row-head">
                <span>{rowName(i)}</span>
                {showAll && rowErrors > 0 && <span className="field-error" role="alert">{t(`本项有 ${rowErrors} 处需要修改`, `${rowErrors} problem(s) in this item`)}</span>}
              </legend>
              <div className="list-row-tools">
                <button type="button" className="btn-small" disabled={i === 0} aria-label={t(`上移${rowName(i)}`, `Move item ${i + 1} up`)} onClick={() => move(i, i - 1)}>{t('上移', 'Up')}</button>
                <button type="button" className="btn-small" disabled={i === items.length - 1} aria-label={t(`下移${rowName(i)}`, `Move item ${i + 1} down`)} onClick={() => move(i, i + 1)}>{t('下移', 'Down')}</button>
                <button type="button" className="btn-small btn-danger" aria-label={t(`删除${rowName(i)}`, `Remove item ${i + 1}`)} onClick={() => remove(i)}>{t('删除', 'Remove')}</button>
              </div>
              <JsonFormsDispatch schema={itemSchema as JsonSchema} uischema={rowUi} path={composePaths(props.path, String(i))} enabled renderers={props.renderers} cells={props.cells} />
            </fieldset>
          );
        })}
      </div>
      {(max === undefined || items.length < max) && (
        <button type="button" className="btn-small list-add" onClick={add}>{t(`＋ 添加${props.label}`, `+ Add to ${props.label}`)}</button>
      )}
      {max !== undefined && items.length >= max && <p className="muted">{t(`最多 ${max} 项`, `At most ${max}`)}</p>}
      {shownErrors && <div className="field-error" id={`${props.id}-error`} role="alert">{shownErrors}</div>}
    </fieldset>
  );
}

function ReadOnlyList({ label, schema, items }: { label: string; schema: Schema; items: unknown[] }) {
  const { t, lang } = useI18n();
  const itemSchema = itemSchemaOf(schema);
  if (items.length === 0) return <ReadOnlyField label={label} text="" />;
  if (itemSchema.type !== 'object') {
    return (
      <div className="field field-readonly">
        <span className="ro-label">{label}</span>
        <ol className="ro-list">{items.map((v, i) => <li key={i}>{formatValue(v, itemSchema, lang)}</li>)}</ol>
      </div>
    );
  }
  const cols = Object.entries(itemSchema.properties ?? {});
  return (
    <div className="field field-readonly">
      <span className="ro-label" id={`ro-${label}`}>{label}</span>
      <div className="table-wrap">
        <table className="table ro-table" aria-labelledby={`ro-${label}`}>
          <thead><tr><th scope="col">{t('序号', 'No.')}</th>{cols.map(([k, s]) => <th key={k} scope="col">{s.title ?? k}</th>)}</tr></thead>
          <tbody>
            {items.map((row, i) => (
              <tr key={i}>
                <td>{i + 1}</td>
                {cols.map(([k, s]) => <td key={k}>{formatValue((row as Record<string, unknown> | null)?.[k], s, lang) || '—'}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** Several of a fixed set of options (an array of enum values): one checkbox each. */
export function MultiSelectControl(props: ControlProps) {
  const { t, lang } = useI18n();
  const showAll = useContext(ShowAllErrors);
  const [touched, setTouched] = useState(false);
  const schema = props.schema as unknown as Schema;
  const options = (itemSchemaOf(schema).enum ?? []) as (string | number)[];
  const selected: (string | number)[] = Array.isArray(props.data) ? (props.data as (string | number)[]) : [];
  if (!props.visible) return null;
  if (!props.enabled) return <ReadOnlyField label={props.label} text={selected.map((v) => formatValue(v, itemSchemaOf(schema), lang)).join('、')} />;
  const shown = (touched || showAll) && props.errors ? props.errors : '';
  return (
    <fieldset className={`group multi-select${shown ? ' field-invalid' : ''}`} aria-describedby={shown ? `${props.id}-error` : undefined} aria-invalid={Boolean(shown)}>
      <legend>{props.label}{props.required && <span className="req" aria-hidden="true"> *</span>}</legend>
      <div className="checks">
        {options.map((o) => (
          <label key={String(o)} className="check">
            <input type="checkbox" name={props.path} value={String(o)} checked={selected.includes(o)}
              onChange={(e) => { setTouched(true); props.handleChange(props.path, toggleValue(selected, o, e.target.checked, options)); }} />
            {String(o)}
          </label>
        ))}
      </div>
      {selected.length > 0 && <div className="hint">{t(`已选 ${selected.length} 项`, `${selected.length} chosen`)}</div>}
      {shown && <div className="field-error" id={`${props.id}-error`} role="alert">{shown}</div>}
    </fieldset>
  );
}

/** A Control pointing at a whole object: its fields, generated from its schema, in a group. */
export function ObjectControl(props: ControlProps) {
  const ui = useMemo(() => Generate.uiSchema(props.schema, 'VerticalLayout'), [props.schema]);
  if (!props.visible) return null;
  return (
    <fieldset className="group">
      <legend>{props.label}</legend>
      <JsonFormsDispatch schema={props.schema} uischema={ui} path={props.path} enabled={props.enabled} renderers={props.renderers} cells={props.cells} />
    </fieldset>
  );
}
