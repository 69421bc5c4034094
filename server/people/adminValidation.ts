import { z } from 'zod';
import { ROLES, type Role } from '../models';
import { normaliseCpf } from './cpf';

const id = z.string().regex(/^\d{1,18}$/);
const role = z.enum(ROLES as [Role, ...Role[]], { message: 'Escolha um perfil.' });
const asList = (v: unknown): unknown => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export const inviteSchema = z
  .object({
    name: z.string().trim().min(3, 'Informe o nome completo.').max(200, 'O nome pode ter no máximo 200 caracteres.'),
    email: z.string().trim().toLowerCase().pipe(z.email('Informe um e-mail válido, como nome@orgao.gov.br.')),
    cpf: z
      .string()
      .trim()
      .optional()
      .transform((v, ctx) => {
        if (!v) return null;
        const cpf = normaliseCpf(v);
        if (!cpf) ctx.addIssue({ code: 'custom', message: 'CPF inválido: confira os 11 dígitos.' });
        return cpf;
      }),
    unitId: z.preprocess(asList, z.array(z.string())),
    role: z.preprocess(asList, z.array(z.string())),
  })
  .transform((v, ctx) => {
    const memberships: { unitId: string; role: Role }[] = [];
    v.unitId.forEach((unitId, i) => {
      if (!unitId) return;
      const r = role.safeParse(v.role[i]);
      if (!id.safeParse(unitId).success || !r.success) {
        ctx.addIssue({ code: 'custom', path: [`unitId${i}`], message: 'Escolha a unidade e o perfil.' });
        return;
      }
      memberships.push({ unitId, role: r.data });
    });
    if (memberships.length === 0) ctx.addIssue({ code: 'custom', path: ['unitId0'], message: 'Dê ao usuário pelo menos uma unidade com um perfil.' });
    return { name: v.name, email: v.email, cpf: v.cpf, memberships };
  });

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
