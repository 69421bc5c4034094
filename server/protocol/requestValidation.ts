import { z } from 'zod';
import { normaliseCpf } from '../brazil/documents';
import { checkPartyDocument } from '../processes/partyDocument';
import { ACCEPTED_TYPES, detectAcceptedType, formatBytes, tooLargeMessage } from '../documents/upload';
import type { RequestAnswer, ServiceAttachment, ServiceField } from '../models';
import type { FieldErrors } from '../validation';

/** The citizen's identification form. */
export const identificationSchema = z.object({
  name: z
    .string({ message: 'Informe o seu nome completo.' })
    .trim()
    .min(5, 'Informe o seu nome completo.')
    .max(200, 'O nome pode ter no máximo 200 caracteres.')
    .transform((v) => v.replace(/\s+/g, ' ')),
  cpf: z
    .string({ message: 'Informe o seu CPF.' })
    .transform((v) => normaliseCpf(v.trim()))
    .refine((v): v is string => v !== null, 'CPF inválido: confira os 11 dígitos.')
    .transform((v) => v as string),
  email: z.string({ message: 'Informe o seu e-mail.' }).trim().toLowerCase().email('Informe um e-mail válido, como nome@exemplo.com.br.').max(254, 'E-mail longo demais.'),
});

export type IdentificationForm = z.infer<typeof identificationSchema>;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkField(field: ServiceField, raw: string): { value: string } | { error: string } {
  const value = raw.trim();
  if (!value) return field.required ? { error: `Preencha "${field.label}".` } : { value: '' };
  switch (field.kind) {
    case 'text':
      return value.length > 500 ? { error: 'Use no máximo 500 caracteres.' } : { value: value.replace(/\s+/g, ' ') };
    case 'longText':
      return value.length > 10_000 ? { error: 'Use no máximo 10.000 caracteres.' } : { value };
    case 'date': {
      const m = DATE.exec(value);
      const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
      if (!m || !d || d.getUTCDate() !== Number(m[3]) || d.getUTCMonth() !== Number(m[2]) - 1) return { error: 'Informe uma data válida (dia, mês e ano).' };
      return { value };
    }
    case 'number':
      return /^-?\d{1,15}([.,]\d{1,6})?$/.test(value) ? { value: value.replace('.', ',') } : { error: 'Informe um número, como 1250 ou 1250,50 (sem pontos de milhar).' };
    case 'document': {
      const checked = checkPartyDocument(value);
      return checked.ok ? { value: checked.document ?? '' } : { error: checked.message };
    }
    case 'choice':
      return field.options.includes(value) ? { value } : { error: 'Escolha uma das opções da lista.' };
  }
}

/** A zod schema of a service's form: every field by its kind, input names `campo_<key>`. */
export function answersSchema(fields: ServiceField[]): z.ZodType<RequestAnswer[]> {
  return z.record(z.string(), z.unknown()).transform((input, ctx) => {
    const answers: RequestAnswer[] = [];
    for (const f of fields) {
      const raw = input[`campo_${f.key}`];
      const result = checkField(f, typeof raw === 'string' ? raw : '');
      if ('error' in result) ctx.addIssue({ code: 'custom', path: [`campo_${f.key}`], message: result.error });
      else answers.push({ key: f.key, label: f.label, kind: f.kind, value: result.value });
    }
    return answers;
  });
}

export interface UploadedFile {
  fieldname: string;
  originalname: string;
  buffer: Buffer;
}

export interface CheckedFile {
  attachment: ServiceAttachment;
  fileName: string;
  mime: string;
  bytes: Buffer;
}

/** The total of a request's attachments (all slots together). */
export const MAX_TOTAL_BYTES = 30 * 1024 * 1024;

function safeName(name: string, ext: string): string {
  const base = name.replace(/[\\/\r\n"]/g, '_').replace(/\.[^.]*$/, '').trim().slice(0, 150) || 'anexo';
  return `${base}.${ext}`;
}

/**
 * The files of a request, each checked against its slot: type by content (an HTML or SVG named
 * .pdf is refused), size per slot, the total per request, required slots present. Errors are keyed
 * by the input name `anexo_<key>`.
 */
export async function checkAttachments(slots: ServiceAttachment[], files: UploadedFile[], already: { key: string }[] = []): Promise<{ files: CheckedFile[]; errors: FieldErrors }> {
  const errors: FieldErrors = {};
  const checked: CheckedFile[] = [];
  let total = 0;
  for (const slot of slots) {
    const input = `anexo_${slot.key}`;
    const mine = files.filter((f) => f.fieldname === input && f.buffer.length > 0);
    if (mine.length > 1) {
      errors[input] = 'Envie um único arquivo neste anexo.';
      continue;
    }
    const file = mine[0];
    if (!file) {
      if (slot.required && !already.some((a) => a.key === slot.key)) errors[input] = `Anexe "${slot.name}".`;
      continue;
    }
    const allowed = slot.types.map((t) => ACCEPTED_TYPES[t]?.label ?? t).join(', ');
    const detected = await detectAcceptedType(file.buffer);
    if (!detected || !slot.types.includes(detected.ext)) {
      errors[input] = `O conteúdo do arquivo não é de um tipo aceito neste anexo (${allowed}), qualquer que seja o nome do arquivo.`;
      continue;
    }
    if (file.buffer.length > slot.maxBytes) {
      errors[input] = tooLargeMessage(slot.maxBytes);
      continue;
    }
    total += file.buffer.length;
    checked.push({ attachment: slot, fileName: safeName(file.originalname, detected.ext), mime: detected.mime, bytes: file.buffer });
  }
  const stray = files.find((f) => f.buffer.length > 0 && !slots.some((s) => `anexo_${s.key}` === f.fieldname));
  if (stray) errors._form = 'Um arquivo foi enviado fora dos anexos do formulário.';
  if (total > MAX_TOTAL_BYTES && checked.length) errors[`anexo_${checked[checked.length - 1].attachment.key}`] = `Os anexos somam ${formatBytes(total)}; o limite por solicitação é ${formatBytes(MAX_TOTAL_BYTES)}.`;
  return { files: checked, errors };
}

/** A document sent without a slot (staff answers, a citizen's intercurrent filing), checked by content. */
export interface CheckedDocument {
  fileName: string;
  mime: string;
  bytes: Buffer;
}

/**
 * The documents of `input` (several files in one field): each of an accepted type by its content
 * (an HTML or SVG named .pdf is refused), together at most MAX_TOTAL_BYTES, at most `max` of them;
 * `required`: at least one. The error is for the field `input`.
 */
export async function checkDocuments(files: UploadedFile[], input: string, opts: { max: number; required: boolean }): Promise<{ files: CheckedDocument[]; error?: string }> {
  const mine = files.filter((f) => f.fieldname === input && f.buffer.length > 0);
  if (files.some((f) => f.fieldname !== input && f.buffer.length > 0)) return { files: [], error: 'Um arquivo foi enviado fora do campo de documentos.' };
  if (!mine.length) return { files: [], error: opts.required ? 'Escolha pelo menos um documento.' : undefined };
  if (mine.length > opts.max) return { files: [], error: `Envie no máximo ${opts.max} documentos.` };
  const checked: CheckedDocument[] = [];
  for (const f of mine) {
    const detected = await detectAcceptedType(f.buffer);
    if (!detected) return { files: [], error: `O conteúdo de "${f.originalname.slice(0, 100)}" não é PDF, imagem nem documento de escritório aceito, qualquer que seja o nome do arquivo.` };
    checked.push({ fileName: safeName(f.originalname, detected.ext), mime: detected.mime, bytes: f.buffer });
  }
  const total = checked.reduce((n, f) => n + f.bytes.length, 0);
  if (total > MAX_TOTAL_BYTES) return { files: [], error: `Os documentos somam ${formatBytes(total)}; o limite é ${formatBytes(MAX_TOTAL_BYTES)}.` };
  return { files: checked };
}
