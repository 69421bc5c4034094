import { API_BASE, OPERATIONS, openApiPath, type Operation } from './contract';
import { SCOPE_LABELS } from './keys';
import type { z } from 'zod';

interface Field {
  name: string;
  where: string;
  required: boolean;
  description: string;
}

function fieldsOf(schema: z.ZodType | undefined, where: string): Field[] {
  const shape = (schema as { shape?: Record<string, z.ZodType> } | undefined)?.shape;
  if (!shape) return [];
  return Object.entries(shape).map(([name, s]) => ({ name, where, required: !s.safeParse(undefined).success, description: s.description ?? '' }));
}

/** What /api/v1/docs shows: each operation from the same list the OpenAPI document is made of. */
export function docsPage() {
  return {
    base: API_BASE,
    scopes: Object.entries(SCOPE_LABELS).map(([scope, label]) => ({ scope, label })),
    operations: (Object.entries(OPERATIONS) as [string, Operation][]).map(([name, op]) => ({
      anchor: name,
      method: op.method.toUpperCase(),
      path: openApiPath(op.path),
      summary: op.summary,
      description: op.description,
      scope: op.scope,
      bodyType: op.bodyType ?? null,
      idempotent: Boolean(op.idempotent),
      fields: [...fieldsOf(op.request.params, 'caminho'), ...fieldsOf(op.request.query, 'consulta'), ...fieldsOf(op.request.body, op.bodyType === 'multipart/form-data' ? 'formulário' : 'corpo JSON')],
      responses: Object.entries(op.responses).map(([status, r]) => ({ status, description: r.description })),
    })),
  };
}
