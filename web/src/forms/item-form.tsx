/**
 * An item's application form, rendered by JSON Forms from its JSON Schema and UI schema with
 * this app's renderers. Validates in the browser as the server's ajv does (without generated code); the API's
 * field problems (after a 422) are shown on the same fields.
 */
import { UPDATE_CORE, type CoreActions, type JsonFormsCore, type Middleware, type Translator, type UISchemaElement } from '@jsonforms/core';
import { JsonForms } from '@jsonforms/react';
import type Ajv from 'ajv';
import type { ErrorObject } from 'ajv';
import { useMemo, useRef } from 'react';
import type { FieldProblem } from '../api';
import { useI18n } from '../i18n';
import { validationMessage } from './messages';
import { FormValidator } from './validator';
import { appRenderers, ShowAllErrors } from './renderers';

/**
 * JSON Forms' validator: compile and validate without generated code (see ./validator), so the
 * page needs no 'unsafe-eval'; its errors are Ajv's, with the server's options.
 */
const ajv = new FormValidator() as unknown as Ajv;

export interface ItemFormProps {
  schema: Record<string, unknown>;
  uischema: Record<string, unknown>;
  data: Record<string, unknown>;
  onChange: (data: Record<string, unknown>, errors: ErrorObject[]) => void;
  /** Problems from the API, pointers relative to the form data (e.g. /phone). */
  serverProblems?: FieldProblem[];
  showAllErrors: boolean;
  readonly?: boolean;
}

/** API field problems as ajv errors, so JSON Forms puts them on their fields. */
function asAjvErrors(problems: FieldProblem[]): ErrorObject[] {
  return problems.map((p) => ({ instancePath: p.pointer === '/' ? '' : p.pointer, schemaPath: '#/server', keyword: 'server', params: {}, message: p.detail }));
}

/**
 * JSON Forms tells the page of a change 10 ms late (debounced), and resets its own data to the
 * page's whenever the page's props change. A change typed in those 10 ms would then be lost when
 * the page's older copy came back (a clerk typing the next field quickly, or a test). The data
 * objects JSON Forms itself handed out are remembered; one of them coming back is its own echo and
 * keeps what is newer. Data the page made itself (a card read, a draft) is taken as given.
 */
function keepNewerThanEcho(echoes: WeakSet<object>): Middleware {
  return (state: JsonFormsCore, action: CoreActions, reducer) => {
    if (action.type === UPDATE_CORE && typeof action.data === 'object' && action.data !== null && echoes.has(action.data as object) && state.data !== undefined) {
      const newer: unknown = state.data;
      return reducer(state, { ...action, data: newer });
    }
    return reducer(state, action);
  };
}

export function ItemForm({ schema, uischema, data, onChange, serverProblems, showAllErrors, readonly }: ItemFormProps) {
  const { lang } = useI18n();
  const echoes = useRef(new WeakSet<object>());
  const middleware = useMemo(() => keepNewerThanEcho(echoes.current), []);
  const i18n = useMemo(() => ({
    locale: lang,
    // Undefined means "no custom text": JSON Forms then uses the error translator below.
    translate: ((_id: string, defaultMessage: string | undefined) => defaultMessage) as Translator,
    translateError: (error: ErrorObject) => validationMessage(error.message ?? error.keyword, lang),
  }), [lang]);
  const additionalErrors = useMemo(() => asAjvErrors(serverProblems ?? []), [serverProblems]);
  return (
    <ShowAllErrors.Provider value={showAllErrors}>
      <div className="item-form">
        <JsonForms
          schema={schema}
          uischema={uischema as unknown as UISchemaElement}
          data={data}
          renderers={appRenderers}
          ajv={ajv}
          i18n={i18n}
          readonly={readonly}
          validationMode="ValidateAndShow"
          additionalErrors={additionalErrors}
          middleware={middleware}
          onChange={({ data: d, errors }) => {
            const next = (d ?? {}) as Record<string, unknown>;
            echoes.current.add(next);
            onChange(next, errors ?? []);
          }}
        />
      </div>
    </ShowAllErrors.Provider>
  );
}

/** Problems that are not on any rendered field (e.g. on the whole form), to list above it. */
export function formLevelProblems(problems: FieldProblem[], lang: 'zh' | 'en'): string[] {
  return problems.filter((p) => p.pointer === '/' || p.pointer === '').map((p) => validationMessage(p.detail, lang));
}
