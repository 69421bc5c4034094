import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ROLES } from '../models';
import { slugProblem } from './slugs';

export const TENANTS_DIR = path.resolve(__dirname, '..', '..', 'tenants');

export const slugSchema = z.string().superRefine((slug, ctx) => {
  const problem = slugProblem(slug);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const acronymSchema = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9-]*$/, 'A sigla usa letras maiúsculas, números e hífens.')
  .max(30);

export interface UnitDefinition {
  acronym: string;
  name: string;
  protocolCode?: string;
  children?: UnitDefinition[];
}

const unitSchema: z.ZodType<UnitDefinition> = z.lazy(() =>
  z.object({
    acronym: acronymSchema,
    name: z.string().min(2).max(200),
    protocolCode: z
      .string()
      .regex(/^\d{5}$/, 'O código de protocolo tem 5 dígitos.')
      .optional(),
    children: z.array(unitSchema).optional(),
  }),
);

export const tenantDefinitionSchema = z.object({
  slug: slugSchema,
  name: z.string().min(3).max(200),
  kind: z.enum(['municipio', 'estado', 'orgao']),
  uf: z.string().regex(/^[A-Z]{2}$/),
  ibgeCode: z.string().regex(/^\d{2}(\d{5})?$/).nullable().optional(),
  numberingScheme: z.enum(['nup', 'nipe']).default('nup'),
  domains: z.array(z.string()).default([]),
  root: unitSchema,
  users: z
    .array(
      z.object({
        name: z.string().min(2),
        email: z.string().email().transform((e) => e.toLowerCase()),
        cpf: z.string().regex(/^\d{11}$/).optional(),
        /** Cargos/funções the user signs under. */
        positions: z.array(z.string().min(2).max(200)).default([]),
        units: z.array(z.object({ acronym: acronymSchema, role: z.enum(ROLES as [string, ...string[]]) })).min(1),
      }),
    )
    .default([]),
});

export type TenantDefinition = z.infer<typeof tenantDefinitionSchema>;
/** A definition as written (defaults not yet applied), e.g. in tenants/<slug>/tenant.json. */
export type TenantDefinitionInput = z.input<typeof tenantDefinitionSchema>;

export function readTenantDefinition(slug: string): TenantDefinition {
  slugSchema.parse(slug);
  const file = path.join(TENANTS_DIR, slug, 'tenant.json');
  return tenantDefinitionSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

export function listTenantDefinitions(): string[] {
  return fs
    .readdirSync(TENANTS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(TENANTS_DIR, d.name, 'tenant.json')))
    .map((d) => d.name)
    .sort();
}
