import { ID_PATTERN } from './ids';
import { z } from 'zod';
import { todayInSaoPaulo } from '../processes/dates';
import { isCalendarDate } from '../validation';

const id = (message: string) => z.string({ error: message }).regex(ID_PATTERN, message);
const accessLevel = z.enum(['public', 'restricted', 'secret'], { error: 'Escolha o nível de acesso.' });
const optionalText = (max: number, message: string) =>
  z
    .string()
    .trim()
    .max(max, message)
    .optional()
    .transform((v) => (v ? v : null));

export const internalDocumentSchema = z.object({
  documentTypeId: id('Escolha o tipo de documento.'),
  complement: optionalText(200, 'Use no máximo 200 caracteres.'),
  accessLevel,
  legalBasisId: z
    .string()
    .optional()
    .transform((v) => (v && ID_PATTERN.test(v) ? v : null)),
});

export const externalDocumentSchema = internalDocumentSchema.extend({
  documentDate: z
    .string({ error: 'Informe a data do documento.' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Informe a data do documento.')
    .refine(isCalendarDate, 'Informe uma data que exista (dd/mm/aaaa).')
    .refine((v) => v <= todayInSaoPaulo(), 'A data do documento não pode ser futura.'),
  origin: z.enum(['nato_digital', 'digitalizado'], { error: 'Diga se o documento é nato-digital ou digitalizado.' }),
  sender: optionalText(200, 'Use no máximo 200 caracteres.'),
});

export const bodySchema = z.object({
  body: z.string({ error: 'Escreva o texto do documento.' }).max(2_000_000, 'O texto é grande demais.'),
  /** "sim" once the user confirmed that saving removes the signatures of a signed document. */
  removeSignatures: z.enum(['sim']).optional(),
});

export const cancelSchema = z.object({ reason: z.string({ error: 'Informe o motivo.' }).trim().min(5, 'Informe o motivo do cancelamento (pelo menos 5 caracteres).').max(1000, 'Use no máximo 1000 caracteres.') });

export const signSchema = z.object({
  signerTitleId: id('Escolha o cargo ou função.'),
  password: z.string({ error: 'Digite a sua senha.' }).min(1, 'Digite a sua senha.'),
});
