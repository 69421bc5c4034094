import { z } from 'zod';

/** Sigla: uppercase letters, digits and hyphens (the slash separates a unit's path: PMAR/SEGOV/DRH). */
export const ACRONYM_RE = /^[A-Z0-9][A-Z0-9-]{0,29}$/;
export const PROTOCOL_CODE_RE = /^\d{5}$/;

const acronym = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .pipe(z.string().min(1, 'Informe a sigla.').regex(ACRONYM_RE, 'A sigla usa letras, números e hífens, sem espaços, até 30 caracteres.'));
const name = z.string().trim().min(2, 'Informe o nome da unidade.').max(200, 'O nome pode ter no máximo 200 caracteres.');
const protocolCode = z
  .string()
  .trim()
  .regex(/^(\d{5})?$/, 'O código de protocolo tem exatamente 5 dígitos (ou fica em branco).')
  .transform((s) => s || null);
const id = z.string().regex(/^\d{1,18}$/, 'Escolha a unidade superior.');
/** Printed in the letterhead of the unit's documents; optional. */
const address = z
  .string()
  .trim()
  .max(300, 'O endereço pode ter no máximo 300 caracteres.')
  .transform((s) => s || null)
  .optional();

export const unitFormSchema = z.object({ acronym, name, protocolCode, address });
export const newUnitSchema = unitFormSchema.extend({ parentId: id });
export const moveUnitSchema = z.object({ parentId: id });

export type UnitForm = z.infer<typeof unitFormSchema>;
