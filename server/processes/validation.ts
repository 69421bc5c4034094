import { z } from 'zod';
import { ID_PATTERN } from '../documents/ids';
import { ACCESS_LEVELS, SECRECY_GRADES, type AccessLevel, type SecrecyGrade } from '../models';
import { calendarDate } from '../validation';
import type { PartyInput } from './create';

/** Form parsing for the process screens: shapes only; the rules live in the services. */

export const MAX_PARTIES = 20;

const id = z.string().regex(ID_PATTERN);
const optionalId = z.union([id, z.literal('')]).optional().transform((v) => v || null);

export const processFieldsSchema = z.object({
  processTypeId: z.string({ error: 'Escolha o tipo de processo.' }).regex(ID_PATTERN, 'Escolha o tipo de processo.'),
  specification: z.string().default(''),
  accessLevel: z.enum(ACCESS_LEVELS as [AccessLevel, ...AccessLevel[]], { error: 'Escolha o nível de acesso.' }),
  legalBasisId: optionalId,
  secrecyGrade: z.union([z.enum(SECRECY_GRADES as [SecrecyGrade, ...SecrecyGrade[]]), z.literal('')]).optional().transform((v) => v || null),
});

export const createSchema = processFieldsSchema.extend({
  numberingMode: z.enum(['generated', 'informed']).default('generated'),
  informedNumber: z.string().optional().default(''),
});

/** Party rows come as partyName0/partyDocument0, partyName1/…: the form keeps their order. */
export function partiesFrom(body: Record<string, unknown>): PartyInput[] {
  const out: PartyInput[] = [];
  for (let i = 0; i < MAX_PARTIES; i += 1) {
    const name = body[`partyName${i}`];
    const document = body[`partyDocument${i}`];
    if (name === undefined && document === undefined) continue;
    out.push({ name: typeof name === 'string' ? name : '', document: typeof document === 'string' ? document : '' });
  }
  return out;
}

export const sendSchema = z.object({
  units: z
    .union([z.array(id), id])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
  keepOpen: z.literal('on').optional().transform(Boolean),
  notify: z.literal('on').optional().transform(Boolean),
  expectedReturn: z
    .union([calendarDate('Informe uma data válida no formato dd/mm/aaaa.'), z.literal('')])
    .optional()
    .transform((v) => v || null),
});

export const idsSchema = z.object({
  ids: z
    .union([z.array(id), id], { error: 'Selecione ao menos um processo.' })
    .transform((v) => [...new Set(Array.isArray(v) ? v : [v])]),
  action: z.enum(['send', 'conclude']),
});

export const inboxQuerySchema = z.object({
  unidade: id.optional().catch(undefined),
  atribuidos: z.literal('1').optional(),
  tipo: id.optional().catch(undefined),
  atrasados: z.literal('1').optional(),
  recebidos: z.string().max(80).optional().catch(undefined),
  gerados: z.string().max(80).optional().catch(undefined),
});
