import { z } from 'zod';
import { ID_PATTERN } from '../documents/ids';
import { numberingYear, parseInformedNumber } from '../processes/numbering';
import { normaliseDocument } from '../brazil/documents';
import { checkPartyDocument } from '../processes/partyDocument';

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use no máximo ${max} caracteres.`)
    .optional()
    .transform((v) => v || undefined);
const optionalId = z
  .string()
  .optional()
  .transform((v) => v || undefined)
  .refine((v) => !v || ID_PATTERN.test(v), 'Escolha uma opção da lista.');
const optionalDate = z
  .string()
  .optional()
  .transform((v) => v || undefined)
  .refine((v) => !v || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v)), 'Use uma data válida.');

/** A CPF or CNPJ (masked or not) rather than a name: starts with a digit, 11 or 14 characters, ends in two. */
function looksLikeDocument(input: string): boolean {
  const d = normaliseDocument(input);
  return /^\d/.test(d) && /^[0-9A-Z]{9}\d{2}$|^[0-9A-Z]{12}\d{2}$/.test(d);
}

const CURSOR = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?[+-]\d{2}(?::\d{2})?)\|([1-9]\d{0,17})$/;

export function encodeCursor(c: { createdAt: string; id: string }): string {
  return Buffer.from(`${c.createdAt}|${c.id}`).toString('base64url');
}

/**
 * The consulta pública form (GET). The number in any format — with or without the mask, spaces —
 * must be a whole NUP or NIPE with valid check digits (the numbering module's parser); an interessado
 * is a CPF/CNPJ (check digits) or the start of a name.
 */
export const publicSearchSchema = z
  .object({
    numero: text(40),
    interessado: text(200),
    tipo: optionalId,
    unidade: optionalId,
    de: optionalDate,
    ate: optionalDate,
    depois: z
      .string()
      .max(200)
      .optional()
      .transform((v, ctx) => {
        if (!v) return undefined;
        const m = CURSOR.exec(Buffer.from(v, 'base64url').toString());
        if (!m) {
          ctx.addIssue({ code: 'custom', message: 'Página inválida: volte à primeira página da pesquisa.' });
          return z.NEVER;
        }
        return { createdAt: m[1], id: m[2] };
      }),
  })
  .transform((v, ctx) => {
    let numberDigits: string | undefined;
    if (v.numero) {
      const digits = v.numero.replace(/[\s.\-/]/g, '');
      const parsed = parseInformedNumber(digits, numberingYear() + 1);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['numero'], message: parsed.message });
      else numberDigits = parsed.digits;
    }
    let partyName: string | undefined;
    let partyDocument: string | undefined;
    if (v.interessado) {
      if (looksLikeDocument(v.interessado)) {
        const check = checkPartyDocument(v.interessado);
        if (!check.ok) ctx.addIssue({ code: 'custom', path: ['interessado'], message: check.message });
        else partyDocument = check.document ?? undefined;
      } else if (v.interessado.length < 3) {
        ctx.addIssue({ code: 'custom', path: ['interessado'], message: 'Informe pelo menos 3 letras do nome, ou o CPF/CNPJ completo.' });
      } else partyName = v.interessado;
    }
    if (v.de && v.ate && v.de > v.ate) ctx.addIssue({ code: 'custom', path: ['ate'], message: 'A data final deve ser igual ou posterior à inicial.' });
    return { numberDigits, partyName, partyDocument, processTypeId: v.tipo, unitId: v.unidade, from: v.de, to: v.ate, after: v.depois, raw: v };
  });

export const processParamsSchema = z.object({ numero: z.string().regex(/^(\d{17}|\d{20})$/) });
export const documentParamsSchema = processParamsSchema.extend({ id: z.string().regex(ID_PATTERN) });
