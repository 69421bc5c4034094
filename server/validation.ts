import type { z } from 'zod';

export interface FieldErrors {
  [field: string]: string;
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors; summary: { field: string; message: string }[] };

/** Parses form input; on failure returns one Portuguese message per field, in form order. */
export function parseForm<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.join('.') || '_form';
    errors[field] ??= issue.message;
  }
  return { ok: false, errors, summary: Object.entries(errors).map(([field, message]) => ({ field, message })) };
}
