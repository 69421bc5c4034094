import { ValidationError } from '../errors';
import type { FieldErrors } from '../validation';

/** A service's refusal as the errors of a form: its fields, or one message for the whole form. Anything else: null. */
export function formErrorsOf(err: unknown): FieldErrors | null {
  return err instanceof ValidationError ? { ...err.fields, ...(Object.keys(err.fields).length ? {} : { _form: err.message }) } : null;
}
