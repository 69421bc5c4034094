import type { Response } from 'express';
import { ValidationError } from '../errors';
import type { FieldErrors } from '../validation';

/** The error summary above a form (gov.br's "corrija os campos"): one line per field, each linking to it. */
export function errorSummary(errors: FieldErrors): { field: string; message: string }[] {
  return Object.entries(errors).map(([field, message]) => ({ field, message }));
}

/** A form as it is shown again: the user's input kept, and what was wrong with it. */
export interface FormState {
  values?: Record<string, unknown>;
  errors?: FieldErrors;
}

/** The locals every form view reads: `values`, `errors` beside their fields, `summary` above the form. */
export function formLocals(form: FormState = {}): { values: Record<string, unknown>; errors: FieldErrors; summary: { field: string; message: string }[] } {
  const errors = form.errors ?? {};
  return { values: form.values ?? {}, errors, summary: errorSummary(errors) };
}

/** Renders a form page: the page's own locals, then the user's input and the errors with their summary. */
export function renderForm(res: Response, view: string, status: number, locals: Record<string, unknown>, form: FormState = {}): void {
  res.status(status).render(view, { ...locals, ...formLocals(form) });
}

/** A service's refusal as the errors of a form: its fields, or one message for the whole form. Anything else: null. */
export function formErrorsOf(err: unknown): FieldErrors | null {
  return err instanceof ValidationError ? { ...err.fields, ...(Object.keys(err.fields).length ? {} : { _form: err.message }) } : null;
}
