/**
 * This app's JSON Forms renderer set: plain, accessible HTML controls styled by app.css (no UI
 * kit, nothing fetched at run time). A renderer is a component, a tester and a registration.
 * A field's error shows once the field was left or a submission was tried, so nobody is
 * greeted by a page of red. Every control also renders read-only (for approvers): its label
 * and its value as a person reads it.
 *
 * Beyond plain fields: lists of objects or texts, multi-selects and nested objects
 * (list-renderers.tsx); money typed in 元 and stored in 分 (UI option `"money": "fen"` on an
 * integer); a file attached inside the form (UI option `"attachment": {"materialId": …}` on a
 * string, which keeps the file's name; the file itself is uploaded as that material of the case).
 */
import {
  and, isBooleanControl, isDateControl, isEnumControl, isIntegerControl, isMultiLineControl, isNumberControl, isObjectArrayControl, isObjectControl,
  isPrimitiveArrayControl, isStringControl, optionIs, or, rankWith, schemaMatches, uiTypeIs,
  type ControlProps, type GroupLayout, type JsonFormsRendererRegistryEntry, type LabelElement, type LayoutProps, type OwnPropsOfEnum, type EnumOption, type UISchemaElement,
} from '@jsonforms/core';
import { JsonFormsDispatch, withJsonFormsControlProps, withJsonFormsEnumProps, withJsonFormsLabelProps, withJsonFormsLayoutProps } from '@jsonforms/react';
import { createContext, useContext, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n';
import { ListControl, MultiSelectControl, ObjectControl } from './list-renderers';
import { fenToYuanText, parseYuan } from './money';
import { formatValue, ReadOnlyField, ShowAllErrors } from './read-only';

export { ShowAllErrors } from './read-only';

/** Files picked in attachment fields, by data path, for the page to upload once the case exists. */
export interface AttachmentFiles {
  files: Record<string, { file: File; materialId?: string }>;
  pick: (path: string, file: File | undefined, materialId?: string) => void;
}

export const AttachmentContext = createContext<AttachmentFiles | null>(null);

const optionsOf = (props: { uischema: UISchemaElement }) => (props.uischema.options ?? {}) as { multi?: boolean; format?: string; money?: string; attachment?: { materialId?: string; accept?: string } };

/** The read-only rendering of a plain control. */
function ReadOnlyControl(props: ControlProps & { text?: string }) {
  const { lang } = useI18n();
  if (!props.visible) return null;
  return <ReadOnlyField label={props.label} text={props.text ?? formatValue(props.data, props.schema, lang, optionsOf(props).money === 'fen' ? 'fen' : undefined)} />;
}

interface FieldShellProps {
  id: string;
  label: string;
  required: boolean;
  errors: string;
  description?: string;
  touched: boolean;
  visible: boolean;
  children: (aria: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string; 'aria-required': boolean }) => ReactNode;
}

function FieldShell({ id, label, required, errors, description, touched, visible, children }: FieldShellProps) {
  const showAll = useContext(ShowAllErrors);
  if (!visible) return null;
  const shown = (touched || showAll) && errors.length > 0;
  const errId = `${id}-error`;
  const descId = `${id}-desc`;
  const describedBy = [shown ? errId : '', description ? descId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${shown ? ' field-invalid' : ''}`}>
      <label htmlFor={`${id}-input`}>
        {label}
        {required && <span className="req" aria-hidden="true"> *</span>}
      </label>
      {children({ id: `${id}-input`, 'aria-invalid': shown, 'aria-describedby': describedBy, 'aria-required': required })}
      {description && <div className="hint" id={descId}>{description}</div>}
      {shown && <div className="field-error" id={errId} role="alert">{errors}</div>}
    </div>
  );
}

/**
 * Whether a mouse button, finger or pen is pressed now. Pressing a button blurs the field first;
 * an error shown at that moment pushes the button down the page before it is released, and the
 * click is lost (it lands on whatever moved under the pointer).
 */
let pointerPressed = false;
if (typeof window !== 'undefined') {
  window.addEventListener('pointerdown', () => { pointerPressed = true; }, true);
  for (const end of ['pointerup', 'pointercancel'] as const) window.addEventListener(end, () => { pointerPressed = false; }, true);
}

/**
 * Runs `reveal` now, or, when the blur came from pressing a pointer, once it is released and the
 * click it makes has been handled (a task after `pointerup`), so the page does not move under it.
 */
export function afterPointerRelease(reveal: () => void): void {
  if (!pointerPressed) {
    reveal();
    return;
  }
  const released = () => {
    window.removeEventListener('pointerup', released, true);
    window.removeEventListener('pointercancel', released, true);
    window.setTimeout(reveal, 0);
  };
  window.addEventListener('pointerup', released, true);
  window.addEventListener('pointercancel', released, true);
}

/** A field's errors show once it has been left (on blur), never while a press on another control is under way. */
function useTouched(): [boolean, () => void] {
  const [touched, setTouched] = useState(false);
  return [touched, () => afterPointerRelease(() => setTouched(true))];
}

function TextControl(props: ControlProps) {
  const [touched, touch] = useTouched();
  if (!props.enabled) return <ReadOnlyControl {...props} />;
  const multi = Boolean((props.uischema.options as { multi?: boolean } | undefined)?.multi);
  const value = typeof props.data === 'string' ? props.data : '';
  const max = typeof props.schema.maxLength === 'number' ? props.schema.maxLength : undefined;
  const onChange = (v: string) => props.handleChange(props.path, v === '' ? undefined : v);
  return (
    <FieldShell id={props.id} label={props.label} required={Boolean(props.required)} errors={props.errors} description={props.description} touched={touched} visible={props.visible}>
      {(aria) => multi
        ? <textarea {...aria} name={props.path} value={value} maxLength={max} rows={3} disabled={!props.enabled} onChange={(e) => onChange(e.target.value)} onBlur={touch} />
        : <input {...aria} name={props.path} type="text" value={value} maxLength={max} disabled={!props.enabled} onChange={(e) => onChange(e.target.value)} onBlur={touch} />}
    </FieldShell>
  );
}

function NumberControl(props: ControlProps) {
  const [touched, touch] = useTouched();
  const [text, setText] = useState(props.data === undefined || props.data === null ? '' : String(props.data));
  if (!props.enabled) return <ReadOnlyControl {...props} />;
  const integer = props.schema.type === 'integer';
  const onChange = (v: string) => {
    setText(v);
    const trimmed = v.trim();
    if (trimmed === '') return props.handleChange(props.path, undefined);
    const n = Number(trimmed);
    // Not a number yet: hand the text over so the schema's type check marks the field.
    props.handleChange(props.path, Number.isFinite(n) ? n : trimmed);
  };
  const shownText = typeof props.data === 'number' && Number(text) !== props.data ? String(props.data) : text;
  return (
    <FieldShell id={props.id} label={props.label} required={Boolean(props.required)} errors={props.errors} description={props.description} touched={touched} visible={props.visible}>
      {(aria) => <input {...aria} name={props.path} type="text" inputMode={integer ? 'numeric' : 'decimal'} value={shownText} disabled={!props.enabled} onChange={(e) => onChange(e.target.value)} onBlur={touch} />}
    </FieldShell>
  );
}

function DateControl(props: ControlProps) {
  const [touched, touch] = useTouched();
  if (!props.enabled) return <ReadOnlyControl {...props} />;
  return (
    <FieldShell id={props.id} label={props.label} required={Boolean(props.required)} errors={props.errors} description={props.description} touched={touched} visible={props.visible}>
      {(aria) => <input {...aria} name={props.path} type="date" value={typeof props.data === 'string' ? props.data : ''} disabled={!props.enabled} onChange={(e) => props.handleChange(props.path, e.target.value || undefined)} onBlur={touch} />}
    </FieldShell>
  );
}

function BooleanControl(props: ControlProps) {
  if (!props.visible) return null;
  // An unticked box is stored as absent: it reads 否.
  if (!props.enabled) return <ReadOnlyControl {...props} data={props.data === true} />;
  return (
    <div className="field field-check">
      <label>
        <input type="checkbox" name={props.path} checked={props.data === true} disabled={!props.enabled} onChange={(e) => props.handleChange(props.path, e.target.checked)} />
        {props.label}
      </label>
      {props.errors && <div className="field-error" role="alert">{props.errors}</div>}
    </div>
  );
}

function EnumControl(props: ControlProps & OwnPropsOfEnum) {
  const [touched, touch] = useTouched();
  const options: EnumOption[] = props.options ?? [];
  const radio = (props.uischema.options as { format?: string } | undefined)?.format === 'radio';
  const value = props.data === undefined || props.data === null ? '' : String(props.data);
  if (!props.enabled) return <ReadOnlyControl {...props} text={options.find((o) => String(o.value) === value)?.label ?? value} />;
  if (radio) {
    return (
      <FieldShell id={props.id} label={props.label} required={Boolean(props.required)} errors={props.errors} description={props.description} touched={touched} visible={props.visible}>
        {(aria) => (
          <div className="radios" role="radiogroup" aria-labelledby={`${aria.id}-legend`} aria-invalid={aria['aria-invalid']} id={aria.id}>
            {options.map((o) => (
              <label key={String(o.value)} className="radio">
                <input type="radio" name={props.path} value={String(o.value)} checked={value === String(o.value)} disabled={!props.enabled}
                  onChange={() => props.handleChange(props.path, o.value)} onBlur={touch} />
                {o.label}
              </label>
            ))}
          </div>
        )}
      </FieldShell>
    );
  }
  return (
    <FieldShell id={props.id} label={props.label} required={Boolean(props.required)} errors={props.errors} description={props.description} touched={touched} visible={props.visible}>
      {(aria) => (
        <select {...aria} name={props.path} value={value} disabled={!props.enabled} onChange={(e) => props.handleChange(props.path, e.target.value === '' ? undefined : options.find((o) => String(o.value) === e.target.value)?.value)} onBlur={touch}>
          <option value="">—</option>
          {options.map((o) => <option key={String(o.value)} value={String(o.value)}>{o.label}</option>)}
        </select>
      )}
    </FieldShell>
  );
}

/** Money: typed in 元 (two decimals at most), kept in 分 as an integer. */
function MoneyControl(props: ControlProps) {
  const { t } = useI18n();
  const [touched, touch] = useTouched();
  const [text, setText] = useState(typeof props.data === 'number' ? fenToYuanText(props.data) : '');
  if (!props.enabled) return <ReadOnlyControl {...props} />;
  const parsed = parseYuan(text);
  const onChange = (v: string) => {
    setText(v);
    const p = parseYuan(v);
    // Not an amount: the text goes to the data so the schema's integer check marks the field.
    props.handleChange(props.path, p.kind === 'empty' ? undefined : p.kind === 'fen' ? p.fen : v);
  };
  // The data changed from elsewhere (a row moved, a correction loaded): show it.
  const shownText = typeof props.data === 'number' && !(parsed.kind === 'fen' && parsed.fen === props.data) ? fenToYuanText(props.data) : text;
  const errors = parsed.kind === 'invalid' ? t('请填写金额（元），最多两位小数，如 1234.50', 'Enter an amount in yuan with at most two decimals, e.g. 1234.50') : props.errors;
  return (
    <FieldShell id={props.id} label={props.label} required={Boolean(props.required)} errors={errors} description={props.description ?? t('单位：元', 'In yuan')} touched={touched} visible={props.visible}>
      {(aria) => (
        <div className="money-input">
          <span aria-hidden="true">¥</span>
          <input {...aria} name={props.path} type="text" inputMode="decimal" value={shownText} onChange={(e) => onChange(e.target.value)} onBlur={() => { touch(); if (parsed.kind === 'fen') setText(fenToYuanText(parsed.fen)); }} />
          <span aria-hidden="true">{t('元', 'yuan')}</span>
        </div>
      )}
    </FieldShell>
  );
}

/** A file inside the form: the form keeps its name; the page uploads the file as the named material once the case exists. */
function AttachmentControl(props: ControlProps) {
  const { t } = useI18n();
  const [touched, touch] = useTouched();
  const attachments = useContext(AttachmentContext);
  if (!props.enabled) return <ReadOnlyControl {...props} text={typeof props.data === 'string' ? `${props.data}${t('（附件，见申请材料）', ' (attached, see the materials)')}` : ''} />;
  const opts = optionsOf(props).attachment ?? {};
  const picked = attachments?.files[props.path];
  return (
    <FieldShell id={props.id} label={props.label} required={Boolean(props.required)} errors={props.errors} description={props.description ?? t('支持 PDF、JPG、PNG，5 MB 以内', 'PDF, JPG or PNG, up to 5 MB')} touched={touched} visible={props.visible}>
      {(aria) => (
        <label className="attachment">
          <span className="pick">{t('选择文件', 'Choose a file')}</span>
          <input {...aria} name={props.path} type="file" accept={opts.accept ?? 'application/pdf,image/jpeg,image/png'}
            onChange={(e) => {
              touch();
              const f = e.target.files?.[0];
              attachments?.pick(props.path, f, opts.materialId);
              props.handleChange(props.path, f ? f.name : undefined);
            }} />
          {typeof props.data === 'string' && <span className="ok-text">{picked ? t(`已选择：${props.data}`, `Chosen: ${props.data}`) : props.data}</span>}
        </label>
      )}
    </FieldShell>
  );
}

function layoutChildren(props: LayoutProps) {
  const elements = (props.uischema as { elements?: LayoutProps['uischema'][] }).elements ?? [];
  return elements.map((el, i) => (
    <JsonFormsDispatch key={i} uischema={el} schema={props.schema} path={props.path} enabled={props.enabled} renderers={props.renderers} cells={props.cells} />
  ));
}

function VerticalLayout(props: LayoutProps) {
  if (!props.visible) return null;
  return <div className="layout-vertical">{layoutChildren(props)}</div>;
}

function HorizontalLayout(props: LayoutProps) {
  if (!props.visible) return null;
  return <div className="layout-horizontal">{layoutChildren(props)}</div>;
}

function GroupRenderer(props: LayoutProps) {
  if (!props.visible) return null;
  const label = (props.uischema as GroupLayout).label;
  return (
    <fieldset className="group">
      {label && <legend>{label}</legend>}
      {layoutChildren(props)}
    </fieldset>
  );
}

function LabelRenderer(props: { text?: string; visible: boolean }) {
  if (!props.visible) return null;
  return <p className="form-label">{props.text ?? (props as unknown as { uischema: LabelElement }).uischema?.text}</p>;
}

function Unknown(props: { uischema?: UISchemaElement }) {
  const { t } = useI18n();
  return <div className="field-error">{t('此字段暂时无法显示，请联系系统管理员', 'This field cannot be shown; tell the administrator')}<span className="sr-only">{JSON.stringify(props.uischema ?? {})}</span></div>;
}

const isMultiSelect = and(uiTypeIs('Control'), schemaMatches((s) => s.type === 'array' && Boolean(s.items) && !Array.isArray(s.items) && Array.isArray((s.items as { enum?: unknown[] }).enum)));
const isMoney = and(isIntegerControl, schemaMatches(() => true), (ui) => (ui.options as { money?: string } | undefined)?.money === 'fen');
const isAttachment = and(isStringControl, (ui) => Boolean((ui.options as { attachment?: unknown } | undefined)?.attachment));

/** The renderers, ranked so the most specific tester wins. */
export const appRenderers: JsonFormsRendererRegistryEntry[] = [
  { tester: rankWith(1, () => true), renderer: Unknown },
  { tester: rankWith(2, isStringControl), renderer: withJsonFormsControlProps(TextControl) },
  { tester: rankWith(3, isMultiLineControl), renderer: withJsonFormsControlProps(TextControl) },
  { tester: rankWith(3, or(isNumberControl, isIntegerControl)), renderer: withJsonFormsControlProps(NumberControl) },
  // Above the enum testers: a boolean with `const: true` (a consent) is a checkbox, not a list of one.
  { tester: rankWith(6, isBooleanControl), renderer: withJsonFormsControlProps(BooleanControl) },
  { tester: rankWith(4, isDateControl), renderer: withJsonFormsControlProps(DateControl) },
  { tester: rankWith(4, isEnumControl), renderer: withJsonFormsEnumProps(EnumControl) },
  { tester: rankWith(5, and(isEnumControl, optionIs('format', 'radio'))), renderer: withJsonFormsEnumProps(EnumControl) },
  { tester: rankWith(6, isMoney), renderer: withJsonFormsControlProps(MoneyControl) },
  { tester: rankWith(6, isAttachment), renderer: withJsonFormsControlProps(AttachmentControl) },
  { tester: rankWith(3, isObjectControl), renderer: withJsonFormsControlProps(ObjectControl) },
  { tester: rankWith(4, or(isObjectArrayControl, isPrimitiveArrayControl)), renderer: withJsonFormsControlProps(ListControl) },
  { tester: rankWith(6, isMultiSelect), renderer: withJsonFormsControlProps(MultiSelectControl) },
  { tester: rankWith(2, uiTypeIs('VerticalLayout')), renderer: withJsonFormsLayoutProps(VerticalLayout) },
  { tester: rankWith(2, uiTypeIs('HorizontalLayout')), renderer: withJsonFormsLayoutProps(HorizontalLayout) },
  { tester: rankWith(2, uiTypeIs('Group')), renderer: withJsonFormsLayoutProps(GroupRenderer) },
  { tester: rankWith(2, uiTypeIs('Label')), renderer: withJsonFormsLabelProps(LabelRenderer) },
];
