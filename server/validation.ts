import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { ID_PATTERN } from './documents/ids';
import { BadRequestError, NotFoundError } from './errors';
import { errorSummary } from './web/forms';

export interface FieldErrors {
  [field: string]: string;
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors; summary: { field: string; message: string }[] };

/** Zod's own messages, in Portuguese, for whatever a schema does not word itself. */
const PT = z.locales.pt().localeError;

/** Parses form input; on failure returns one Portuguese message per field, in form order. */
export function parseForm<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  const result = schema.safeParse(input, { error: PT });
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.join('.') || '_form';
    errors[field] ??= issue.message;
  }
  return { ok: false, errors, summary: errorSummary(errors) };
}

// ---------------------------------------------------------------------------------------------
// Typed input at the edge (docs/security.md, "Entrada"): every route declares, with `input(...)`,
// the schema of its path parameters, query string and (optionally) body. The middleware runs before
// the handler and any service: input that does not fit is a 4xx with a Portuguese message (404 for
// a path id, 400 for the query or body), and the handler never runs. test/integration/security/route-input.test.ts walks the routers of both hosts
// and fails for a route without `input(...)`, or whose params schema misses one of its `:params`.
// ---------------------------------------------------------------------------------------------

/** A database id (BIGINT, positive): digits only, at most 18, no leading zero. */
export const idSchema = z.string({ error: 'O identificador deve ser um número inteiro positivo.' }).regex(ID_PATTERN, 'O identificador deve ser um número inteiro positivo.');

/** `{ id: idSchema, … }` for the named path parameters. */
export function idParams<K extends string>(...names: K[]): z.ZodObject<Record<K, typeof idSchema>> {
  return z.object(Object.fromEntries(names.map((n) => [n, idSchema])) as Record<K, typeof idSchema>);
}

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 and 2026-13-45 are not). */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1900 && y <= 2999 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * A calendar date (a day in Brasília: no time, no zone — services turn it into an instant with
 * `AT TIME ZONE 'America/Sao_Paulo'`). `message` words the refusal for the field.
 */
export function calendarDate(message = 'Informe uma data válida (dd/mm/aaaa).') {
  return z.string({ error: message }).refine(isCalendarDate, message);
}

/** An optional query value: one string (a repeated key is refused), empty meaning absent. */
export const queryText = (max = 300) => z.string().max(max, `Use no máximo ${max} caracteres.`).optional().transform((v) => v || undefined);
export const queryId = z.union([idSchema, z.literal('')]).optional().transform((v) => v || undefined);
export const queryDate = z.union([calendarDate(), z.literal('')]).optional().transform((v) => v || undefined);
/** An optional choice from a list in a query string ('' = none), refused with `message` when it is not one of `values`. */
export const queryChoice = <T extends string>(values: readonly T[], message: string) =>
  z.enum(['', ...values] as [string, ...string[]], { error: message }).optional().transform((v) => (v || undefined) as T | undefined);
export const queryPage = z.union([z.string().regex(/^[1-9][0-9]{0,3}$/, 'A página deve ser um número de 1 a 9999.'), z.literal('')]).optional().transform((v) => (v ? Number(v) : undefined));

export interface RouteInput {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

/** What `input(...)` parsed, on `req.input`: use it instead of the raw `req.params` / `req.query`. */
export interface ParsedInput<S extends RouteInput> {
  params: S['params'] extends z.ZodType ? z.output<S['params']> : Record<string, never>;
  query: S['query'] extends z.ZodType ? z.output<S['query']> : Record<string, never>;
  body: S['body'] extends z.ZodType ? z.output<S['body']> : unknown;
}

const DECLARED = Symbol.for('pen-nuvem.routeInput');
const PARTS = { params: 'endereço', query: 'endereço', body: 'formulário' } as const;

/** No typed input at all (the route reads no ids, dates, enums nor cursors). */
export const NO_INPUT: RouteInput = {};

/**
 * The route's input schema, as middleware: `router.get('/x/:id', input({ params: idParams('id') }), handler)`.
 * On success `req.input` holds the parsed values; on failure the request ends: a path parameter that is
 * not an id is a 404 (an address that does not exist), a query or body that does not fit a 400 naming the field.
 */
export function input<S extends RouteInput>(schemas: S): RequestHandler {
  const handler: RequestHandler = (req, _res, next) => {
    const parsed: Record<string, unknown> = {};
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = schema.safeParse(req[part] ?? {}, { error: PT });
      if (!result.success) {
        // A path whose id is not one is an address that does not exist: 404, as for an unknown id.
        if (part === 'params') return next(new NotFoundError('Página não encontrada: o endereço tem um identificador inválido (deve ser um número inteiro positivo).'));
        const [issue] = result.error.issues;
        const field = issue.path.length ? ` (${issue.path.join('.')})` : '';
        const fields: FieldErrors = {};
        for (const i of result.error.issues) fields[i.path.join('.') || '_'] ??= i.message;
        return next(new BadRequestError(`Requisição inválida: o ${PARTS[part]} tem um valor que não serve${field}. ${issue.message}`, fields));
      }
      parsed[part] = result.data;
    }
    req.input = parsed;
    next();
  };
  Object.defineProperty(handler, DECLARED, { value: schemas });
  return handler;
}

/** The schemas a handler declares through `input(...)` (for the router walk test). */
export function declaredInput(handler: unknown): RouteInput | undefined {
  return (handler as { [DECLARED]?: RouteInput } | undefined)?.[DECLARED];
}

/** `req.input` typed by the route's schemas. */
export function inputOf<S extends RouteInput>(req: Request, _schemas: S): ParsedInput<S> {
  return req.input as ParsedInput<S>;
}
