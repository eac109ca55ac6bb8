/**
 * An item's application form, rendered by JSON Forms from its JSON Schema and UI schema with
 * this app's renderers. Validates in the browser as the server's ajv does (without generated code); the API's
 * field problems (after a 422) are shown on the same fields.
 */
import type { Translator, UISchemaElement } from '@jsonforms/core';
import { JsonForms } from '@jsonforms/react';
import type Ajv from 'ajv';
import type { ErrorObject } from 'ajv';
import { useMemo } from 'react';
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

export function ItemForm({ schema, uischema, data, onChange, serverProblems, showAllErrors, readonly }: ItemFormProps) {
  const { lang } = useI18n();
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
          onChange={({ data: d, errors }) => onChange((d ?? {}) as Record<string, unknown>, (errors ?? []))}
        />
      </div>
    </ShowAllErrors.Provider>
  );
}

/** Problems that are not on any rendered field (e.g. on the whole form), to list above it. */
export function formLevelProblems(problems: FieldProblem[], lang: 'zh' | 'en'): string[] {
  return problems.filter((p) => p.pointer === '/' || p.pointer === '').map((p) => validationMessage(p.detail, lang));
}
