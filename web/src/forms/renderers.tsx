/**
 * This app's JSON Forms renderer set: plain, accessible HTML controls styled by app.css (no UI
 * kit, nothing fetched at run time). A renderer is a component, a tester and a registration.
 * A field's error shows once the field was left or a submission was tried, so nobody is
 * greeted by a page of red.
 */
import {
  and, isBooleanControl, isDateControl, isEnumControl, isIntegerControl, isMultiLineControl, isNumberControl, isStringControl,
  optionIs, or, rankWith, uiTypeIs,
  type ControlProps, type GroupLayout, type JsonFormsRendererRegistryEntry, type LabelElement, type LayoutProps, type OwnPropsOfEnum, type EnumOption,
} from '@jsonforms/core';
import { JsonFormsDispatch, withJsonFormsControlProps, withJsonFormsEnumProps, withJsonFormsLabelProps, withJsonFormsLayoutProps } from '@jsonforms/react';
import { createContext, useContext, useState, type ReactNode } from 'react';

/** Set once the user tried to submit: from then on every error shows. */
export const ShowAllErrors = createContext(false);

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

function useTouched(): [boolean, () => void] {
  const [touched, setTouched] = useState(false);
  return [touched, () => setTouched(true)];
}

function TextControl(props: ControlProps) {
  const [touched, touch] = useTouched();
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
  return (
    <FieldShell id={props.id} label={props.label} required={Boolean(props.required)} errors={props.errors} description={props.description} touched={touched} visible={props.visible}>
      {(aria) => <input {...aria} name={props.path} type="date" value={typeof props.data === 'string' ? props.data : ''} disabled={!props.enabled} onChange={(e) => props.handleChange(props.path, e.target.value || undefined)} onBlur={touch} />}
    </FieldShell>
  );
}

function BooleanControl(props: ControlProps) {
  if (!props.visible) return null;
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

function Unknown() {
  return <div className="field-error">此字段类型暂不支持 / unsupported field</div>;
}

/** The renderers, ranked so the most specific tester wins. */
export const appRenderers: JsonFormsRendererRegistryEntry[] = [
  { tester: rankWith(1, () => true), renderer: Unknown },
  { tester: rankWith(2, isStringControl), renderer: withJsonFormsControlProps(TextControl) },
  { tester: rankWith(3, isMultiLineControl), renderer: withJsonFormsControlProps(TextControl) },
  { tester: rankWith(3, or(isNumberControl, isIntegerControl)), renderer: withJsonFormsControlProps(NumberControl) },
  { tester: rankWith(3, isBooleanControl), renderer: withJsonFormsControlProps(BooleanControl) },
  { tester: rankWith(4, isDateControl), renderer: withJsonFormsControlProps(DateControl) },
  { tester: rankWith(4, isEnumControl), renderer: withJsonFormsEnumProps(EnumControl) },
  { tester: rankWith(5, and(isEnumControl, optionIs('format', 'radio'))), renderer: withJsonFormsEnumProps(EnumControl) },
  { tester: rankWith(2, uiTypeIs('VerticalLayout')), renderer: withJsonFormsLayoutProps(VerticalLayout) },
  { tester: rankWith(2, uiTypeIs('HorizontalLayout')), renderer: withJsonFormsLayoutProps(HorizontalLayout) },
  { tester: rankWith(2, uiTypeIs('Group')), renderer: withJsonFormsLayoutProps(GroupRenderer) },
  { tester: rankWith(2, uiTypeIs('Label')), renderer: withJsonFormsLabelProps(LabelRenderer) },
];
