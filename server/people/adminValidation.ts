import { z } from 'zod';
import { ROLES, type Role } from '../models';
import { normaliseCpf } from '../brazil/documents';

const id = z.string().regex(/^\d{1,18}$/);
const role = z.enum(ROLES as [Role, ...Role[]], { message: 'Escolha um perfil.' });
const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const optionalCpf = z
  .string()
  .trim()
  .max(20, 'CPF inválido: confira os 11 dígitos.')
  .optional()
  .transform((v, ctx) => {
    if (!v) return null;
    const cpf = normaliseCpf(v);
    if (!cpf) ctx.addIssue({ code: 'custom', message: 'CPF inválido: confira os 11 dígitos.' });
    return cpf;
  });

export const inviteSchema = z.object({
  name: z.string().trim().min(3, 'Informe o nome completo.').max(200, 'O nome pode ter no máximo 200 caracteres.'),
  email: z.string().trim().toLowerCase().pipe(z.email('Informe um e-mail válido, como nome@orgao.gov.br.')),
  cpf: optionalCpf,
});

/** The user's CPF (empty clears it): what "Entrar com gov.br" matches. */
export const cpfSchema = z.object({ cpf: optionalCpf });
export const userIdSchema = z.object({ id: id });

/**
 * The unit/role rows of the invitation form (repeated `unitId` and `role` fields, aligned; a row
 * without a unit is skipped). Errors are keyed by row: unitId0, unitId1…
 */
export function parseInviteMemberships(body: Record<string, unknown>): { memberships: { unitId: string; role: Role }[]; errors: Record<string, string> } {
  const units = asList(body.unitId);
  const roles = asList(body.role);
  const memberships: { unitId: string; role: Role }[] = [];
  const errors: Record<string, string> = {};
  units.forEach((unitId, i) => {
    if (!unitId) return;
    const r = role.safeParse(roles[i]);
    if (!id.safeParse(unitId).success || !r.success) errors[`unitId${i}`] = 'Escolha a unidade e o perfil.';
    else memberships.push({ unitId: String(unitId), role: r.data });
  });
  if (memberships.length === 0 && Object.keys(errors).length === 0) errors.unitId0 = 'Dê ao usuário pelo menos uma unidade com um perfil.';
  return { memberships, errors };
}

export const addMembershipSchema = z.object({
  unitId: z.string().regex(/^\d{1,18}$/, 'Escolha a unidade.'),
  role,
});
export const positionSchema = z.object({
  title: z.string().trim().min(2, 'Informe o cargo ou a função.').max(200, 'O cargo pode ter no máximo 200 caracteres.'),
});
export const forgotSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email('Informe o e-mail com que você entra no sistema.')),
});
