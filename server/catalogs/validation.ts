import { z } from 'zod';
import { ACCESS_LEVELS, type AccessLevel } from '../models';

const name = z.string().trim().min(3, 'Informe o nome (pelo menos 3 caracteres).').max(200, 'O nome pode ter no máximo 200 caracteres.');
const optionalId = z
  .string()
  .optional()
  .transform((v) => v || null)
  .refine((v) => v === null || /^\d{1,18}$/.test(v), 'Escolha uma hipótese legal da lista.');
const level = z.enum(ACCESS_LEVELS as [AccessLevel, ...AccessLevel[]], { message: 'Escolha um nível de acesso.' });
const asList = (v: unknown): unknown[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);

export const legalBasisSchema = z.object({
  name,
  basis: z.string().trim().min(3, 'Informe o fundamento legal, por exemplo "Art. 31 da Lei nº 12.527/2011".').max(500, 'O fundamento pode ter no máximo 500 caracteres.'),
});

export const processTypeSchema = z
  .object({
    name,
    description: z.string().trim().max(2000, 'A descrição pode ter no máximo 2.000 caracteres.').optional().transform((v) => v || null),
    allowedAccessLevels: z.preprocess(asList, z.array(level).min(1, 'Marque pelo menos um nível de acesso permitido.')),
    defaultAccessLevel: level,
    defaultLegalBasisId: optionalId,
  })
  .superRefine((v, ctx) => {
    if (!v.allowedAccessLevels.includes(v.defaultAccessLevel)) {
      ctx.addIssue({ code: 'custom', path: ['defaultAccessLevel'], message: 'O nível padrão precisa estar entre os permitidos.' });
    }
    if (v.defaultAccessLevel !== 'public' && !v.defaultLegalBasisId) {
      ctx.addIssue({ code: 'custom', path: ['defaultLegalBasisId'], message: 'Um nível padrão restrito ou sigiloso pede uma hipótese legal padrão.' });
    }
  });

const PLACEHOLDER = /\{(\w+)\}/g;
export const NUMBER_PLACEHOLDERS = ['n', 'ano', 'sigla'];

export const documentTypeSchema = z
  .object({
    name,
    usage: z.enum(['internal', 'external', 'both'], { message: 'Escolha onde o tipo é usado.' }),
    numbered: z
      .string()
      .optional()
      .transform((v) => v === 'sim'),
    numberFormat: z.string().trim().max(200, 'O formato pode ter no máximo 200 caracteres.').optional().transform((v) => v || null),
    template: z.string().max(200_000, 'O modelo é grande demais.').optional().transform((v) => v || null),
  })
  .superRefine((v, ctx) => {
    if (!v.numbered) return;
    if (!v.numberFormat || !v.numberFormat.includes('{n}')) {
      ctx.addIssue({ code: 'custom', path: ['numberFormat'], message: 'Um tipo numerado precisa de um formato com {n}, por exemplo "Ofício nº {n}/{ano}/{sigla}".' });
      return;
    }
    const unknown = [...v.numberFormat.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((p) => !NUMBER_PLACEHOLDERS.includes(p));
    if (unknown.length) ctx.addIssue({ code: 'custom', path: ['numberFormat'], message: `Marcador desconhecido: {${unknown[0]}}. Use {n}, {ano} e {sigla}.` });
  });

export type ProcessTypeForm = z.infer<typeof processTypeSchema>;
export type DocumentTypeForm = z.infer<typeof documentTypeSchema>;
export type LegalBasisForm = z.infer<typeof legalBasisSchema>;
