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

/** What a service's write came to: its value, or the fields it refused (to show beside them). */
export type FormOutcome<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/**
 * Runs a service's write for a form: a refusal that names fields (a `ValidationError` with fields)
 * comes back as those fields, so the route shows the form again; anything else is thrown on.
 */
export async function withFieldErrors<T>(write: () => Promise<T>): Promise<FormOutcome<T>> {
  try {
    return { ok: true, value: await write() };
  } catch (err) {
    if (err instanceof ValidationError && Object.keys(err.fields).length) return { ok: false, errors: err.fields };
    throw err;
  }
}
