import { z } from 'zod';
import { ACCEPTED_TYPES } from '../documents/upload';
import { FIELD_KINDS, type FieldKind, type ServiceAttachment, type ServiceField } from '../models';

/** The administrator's form of a service: fixed rows for fields and attachments (empty rows ignored). */
export const FIELD_ROWS = 8;
export const ATTACHMENT_ROWS = 5;
/** A single attachment may not exceed this, whatever the service says (the portal's parser limit). */
export const MAX_ATTACHMENT_MB = 20;

export const FIELD_KIND_LABELS: Record<FieldKind, string> = {
  text: 'Texto curto',
  longText: 'Texto longo',
  date: 'Data',
  number: 'Número',
  document: 'CPF ou CNPJ',
  choice: 'Escolha (lista)',
};

const id = (message: string) => z.string({ message }).regex(/^\d{1,18}$/, message);
const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const ticked = (v: unknown): boolean => v === 'sim';

export interface ServiceForm {
  name: string;
  guidanceHtml: string;
  receivingUnitId: string;
  processTypeId: string;
  accessLevel: 'public' | 'restricted';
  legalBasisId: string | null;
  minTrustLevel: 'prata' | 'ouro' | null;
  fields: ServiceField[];
  attachments: ServiceAttachment[];
}

const base = z.object({
  name: z.string({ message: 'Informe o nome do serviço.' }).trim().min(3, 'Informe o nome do serviço (pelo menos 3 caracteres).').max(200, 'O nome pode ter no máximo 200 caracteres.'),
  guidanceHtml: z.string().max(100_000, 'As orientações são longas demais.').optional().transform((v) => v ?? ''),
  receivingUnitId: id('Escolha a unidade que recebe as solicitações.'),
  processTypeId: id('Escolha o tipo de processo.'),
  accessLevel: z.enum(['public', 'restricted'], { message: 'Escolha o nível de acesso padrão.' }),
  legalBasisId: z
    .string()
    .optional()
    .transform((v) => v || null)
    .refine((v) => v === null || /^\d{1,18}$/.test(v), 'Escolha uma hipótese legal da lista.'),
  minTrustLevel: z
    .enum(['', 'prata', 'ouro'], { message: 'Escolha o nível de conta gov.br exigido da lista.' })
    .optional()
    .transform((v) => (v ? v : null)),
});

/** What a service may require of the citizen's gov.br account (the administrator's choice). */
export const TRUST_REQUIREMENT_LABELS: Record<'' | 'prata' | 'ouro', string> = {
  '': 'Qualquer identificação (e-mail confirmado ou gov.br)',
  prata: 'Conta gov.br nível prata ou ouro',
  ouro: 'Conta gov.br nível ouro',
};

/** Parses the service form: the base fields by zod, the rows one by one, with messages per input. */
export const serviceSchema: z.ZodType<ServiceForm> = z
  .record(z.string(), z.unknown())
  .transform((input, ctx): ServiceForm => {
    const parsed = base.safeParse(input);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    const fields: ServiceField[] = [];
    for (let i = 0; i < FIELD_ROWS; i++) {
      const label = text(input[`field${i}Label`]);
      if (!label) continue;
      const kind = text(input[`field${i}Kind`]) as FieldKind;
      if (label.length > 200) ctx.addIssue({ code: 'custom', path: [`field${i}Label`], message: 'O rótulo pode ter no máximo 200 caracteres.' });
      if (!FIELD_KINDS.includes(kind)) ctx.addIssue({ code: 'custom', path: [`field${i}Kind`], message: 'Escolha o tipo do campo.' });
      const options = kind === 'choice' ? text(input[`field${i}Options`]).split(';').map((o) => o.trim()).filter(Boolean) : [];
      if (kind === 'choice' && options.length < 2) ctx.addIssue({ code: 'custom', path: [`field${i}Options`], message: 'Uma lista de escolha precisa de pelo menos duas opções, separadas por ponto e vírgula.' });
      if (options.some((o) => o.length > 200)) ctx.addIssue({ code: 'custom', path: [`field${i}Options`], message: 'Cada opção pode ter no máximo 200 caracteres.' });
      fields.push({ key: `c${i + 1}`, label, kind, required: ticked(input[`field${i}Required`]), options });
    }
    const attachments: ServiceAttachment[] = [];
    for (let i = 0; i < ATTACHMENT_ROWS; i++) {
      const name = text(input[`attachment${i}Name`]);
      if (!name) continue;
      if (name.length > 200) ctx.addIssue({ code: 'custom', path: [`attachment${i}Name`], message: 'O nome pode ter no máximo 200 caracteres.' });
      const types = text(input[`attachment${i}Types`]).toLowerCase().split(/[\s,;]+/).filter(Boolean).map((t) => (t === 'jpeg' ? 'jpg' : t));
      const unknown = types.filter((t) => !(t in ACCEPTED_TYPES));
      if (!types.length) ctx.addIssue({ code: 'custom', path: [`attachment${i}Types`], message: 'Informe os tipos aceitos, por exemplo "pdf, jpg, png".' });
      else if (unknown.length) ctx.addIssue({ code: 'custom', path: [`attachment${i}Types`], message: `Tipo não aceito: ${unknown[0]}. Use ${Object.keys(ACCEPTED_TYPES).join(', ')}.` });
      const mb = Number(text(input[`attachment${i}MaxMb`]).replace(',', '.'));
      if (!Number.isFinite(mb) || mb <= 0 || mb > MAX_ATTACHMENT_MB) ctx.addIssue({ code: 'custom', path: [`attachment${i}MaxMb`], message: `Informe o tamanho máximo em MB, de 0,1 a ${MAX_ATTACHMENT_MB}.` });
      attachments.push({ key: `a${i + 1}`, name, types: [...new Set(types)], maxBytes: Math.round(mb * 1024 * 1024), required: ticked(input[`attachment${i}Required`]) });
    }
    if (!parsed.success) return z.NEVER;
    const v = parsed.data;
    if (v.accessLevel === 'restricted' && !v.legalBasisId) ctx.addIssue({ code: 'custom', path: ['legalBasisId'], message: 'O nível Restrito pede a hipótese legal (por exemplo, informação pessoal).' });
    return { ...v, legalBasisId: v.accessLevel === 'public' ? null : v.legalBasisId, fields, attachments };
  });

/** The form's values from a saved service (the inverse of the rows above). */
export function serviceFormValues(s: { name: string; guidanceHtml: string; receivingUnitId: string; processTypeId: string; accessLevel: string; legalBasisId: string | null; minTrustLevel: string | null; fields: ServiceField[]; attachments: ServiceAttachment[] }): Record<string, unknown> {
  const values: Record<string, unknown> = {
    name: s.name,
    guidanceHtml: s.guidanceHtml,
    receivingUnitId: String(s.receivingUnitId),
    processTypeId: String(s.processTypeId),
    accessLevel: s.accessLevel,
    legalBasisId: s.legalBasisId ? String(s.legalBasisId) : '',
    minTrustLevel: s.minTrustLevel ?? '',
  };
  s.fields.forEach((f, i) => Object.assign(values, { [`field${i}Label`]: f.label, [`field${i}Kind`]: f.kind, [`field${i}Required`]: f.required ? 'sim' : '', [`field${i}Options`]: f.options.join('; ') }));
  s.attachments.forEach((a, i) =>
    Object.assign(values, { [`attachment${i}Name`]: a.name, [`attachment${i}Types`]: a.types.join(', '), [`attachment${i}MaxMb`]: String(Math.round((a.maxBytes / (1024 * 1024)) * 10) / 10).replace('.', ','), [`attachment${i}Required`]: a.required ? 'sim' : '' }),
  );
  return values;
}
