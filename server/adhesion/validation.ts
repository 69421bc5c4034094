import { z } from 'zod';
import { municipalityByCode, stateByUf } from './ibge';
import { isValidCnpj, isValidCpf, normaliseCnpj, stripCpfMask } from '../brazil/documents';
import { foldName, slugProblem } from './rules';

/** A form field as text: trimmed, '' when absent (so a missing field gets our message, not zod's). */
const text = (): z.ZodType<string> => z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string()) as z.ZodType<string>;
const required = (message: string, max = 200, tooLong = `Use no máximo ${max} caracteres.`): z.ZodType<string> =>
  z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string().min(1, message).max(max, tooLong)) as z.ZodType<string>;

export const KINDS = ['municipio', 'estado', 'orgao'] as const;

export const enteSchema = z
  .preprocess((body) => {
    // A municipality carries its UF: picking it is enough.
    const b = { ...((body ?? {}) as Record<string, unknown>) };
    if (b.kind === 'municipio' && !b.uf && typeof b.ibgeCode === 'string') b.uf = municipalityByCode(b.ibgeCode.trim())?.uf ?? '';
    return b;
  }, z.object({
    kind: z.enum(KINDS, { error: 'Escolha o tipo de ente.' }),
    uf: text(),
    ibgeCode: text(),
    orgName: text(),
  }))
  .superRefine((v, ctx) => {
    if (!stateByUf(v.uf)) ctx.addIssue({ code: 'custom', path: ['uf'], message: 'Escolha a UF.' });
    if (v.kind === 'municipio') {
      const m = municipalityByCode(v.ibgeCode);
      if (!m) ctx.addIssue({ code: 'custom', path: ['ibgeCode'], message: 'Escolha o município na lista.' });
      else if (stateByUf(v.uf) && m.uf !== v.uf) {
        ctx.addIssue({ code: 'custom', path: ['ibgeCode'], message: `O município escolhido não fica em ${v.uf}.` });
      }
    }
    if (v.kind === 'orgao' && v.orgName.length < 3) {
      ctx.addIssue({ code: 'custom', path: ['orgName'], message: 'Informe o nome do órgão (pelo menos 3 caracteres).' });
    }
  })
  .transform((v) => ({
    kind: v.kind,
    uf: v.uf,
    ibgeCode: v.kind === 'municipio' ? v.ibgeCode : v.kind === 'estado' ? (stateByUf(v.uf)?.ibgeCode ?? null) : null,
    orgName: v.kind === 'orgao' ? v.orgName : null,
  }));

export const organSchema = z.object({
  officialName: required('Informe o nome oficial do órgão.').refine((s) => s.length >= 5, 'O nome oficial precisa ter pelo menos 5 caracteres.'),
  cnpj: z
    .preprocess((v) => (typeof v === 'string' ? normaliseCnpj(v) : ''), z.string())
    .superRefine((v, ctx) => {
      if (!v) ctx.addIssue({ code: 'custom', message: 'Informe o CNPJ.' });
      else if (!/^[0-9A-Z]{12}[0-9]{2}$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'O CNPJ tem 14 caracteres: 12 letras ou números e 2 dígitos verificadores.' });
      } else if (!isValidCnpj(v)) ctx.addIssue({ code: 'custom', message: 'CNPJ inválido: confira os dígitos verificadores.' });
    }),
  address: required('Informe o endereço.', 300).refine((s) => s.length >= 5, 'Informe o endereço completo.'),
  site: text()
    .transform((s) => (s && !/^https?:\/\//i.test(s) ? `https://${s}` : s))
    .refine((s) => !s || URL.canParse(s), 'Informe um endereço de site válido, por exemplo https://www.angra.rj.gov.br.'),
});

export const managerSchema = z.object({
  name: required('Informe o nome do gestor responsável.').refine((s) => /\S+\s+\S+/.test(s), 'Informe o nome completo.'),
  cpf: z
    .preprocess((v) => (typeof v === 'string' ? stripCpfMask(v) : ''), z.string())
    .superRefine((v, ctx) => {
      if (!v) ctx.addIssue({ code: 'custom', message: 'Informe o CPF.' });
      else if (!isValidCpf(v)) ctx.addIssue({ code: 'custom', message: 'CPF inválido: confira os números.' });
    }),
  title: required('Informe o cargo.'),
  email: required('Informe o e-mail.')
    .transform((s) => s.toLowerCase())
    .refine((s) => z.email().safeParse(s).success, 'Informe um e-mail válido, por exemplo nome@prefeitura.gov.br.'),
  phone: z
    .preprocess((v) => (typeof v === 'string' ? v.replace(/\D/g, '') : ''), z.string())
    .refine((s) => /^\d{10,11}$/.test(s), 'Informe o telefone com DDD, por exemplo (24) 3377-0000.'),
});

export const MAX_UNIT_ROWS = 30;
const acronym = /^[A-Z0-9][A-Z0-9-]{0,29}$/;

export const setupSchema = z
  .record(z.string(), z.unknown())
  .transform((body, ctx) => {
    const str = (k: string): string => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
    const slug = str('slug').toLowerCase();
    const problem = slugProblem(slug);
    if (problem) ctx.addIssue({ code: 'custom', path: ['slug'], message: problem });
    const numberingScheme = str('numberingScheme');
    if (numberingScheme !== 'nup' && numberingScheme !== 'nipe') {
      ctx.addIssue({ code: 'custom', path: ['numberingScheme'], message: 'Escolha o padrão de numeração.' });
    }
    const protocolCode = str('protocolCode');
    if (numberingScheme !== 'nipe' && !/^\d{5}$/.test(protocolCode)) {
      ctx.addIssue({ code: 'custom', path: ['protocolCode'], message: 'O código de protocolo tem 5 dígitos, por exemplo 33001.' });
    }
    const rootAcronym = str('rootAcronym').toUpperCase();
    if (!acronym.test(rootAcronym)) {
      ctx.addIssue({ code: 'custom', path: ['rootAcronym'], message: 'A sigla usa letras maiúsculas, números e hífens (até 30).' });
    }
    const rootName = str('rootName');
    if (rootName.length < 3) ctx.addIssue({ code: 'custom', path: ['rootName'], message: 'Informe o nome da unidade principal.' });
    const seen = new Set([rootAcronym]);
    const units: { acronym: string; name: string }[] = [];
    for (let i = 0; i < MAX_UNIT_ROWS; i++) {
      const a = str(`unit-${i}-acronym`).toUpperCase();
      const n = str(`unit-${i}-name`);
      if (!a && !n) continue;
      if (!acronym.test(a)) {
        ctx.addIssue({ code: 'custom', path: [`unit-${i}-acronym`], message: `Linha ${i + 1}: informe a sigla (letras maiúsculas, números e hífens).` });
      } else if (seen.has(a)) {
        ctx.addIssue({ code: 'custom', path: [`unit-${i}-acronym`], message: `Linha ${i + 1}: a sigla ${a} já foi usada.` });
      }
      if (n.length < 3) ctx.addIssue({ code: 'custom', path: [`unit-${i}-name`], message: `Linha ${i + 1}: informe o nome da secretaria.` });
      seen.add(a);
      units.push({ acronym: a, name: n });
    }
    return {
      slug,
      numberingScheme: numberingScheme as 'nup' | 'nipe',
      protocolCode: numberingScheme === 'nipe' ? '' : protocolCode,
      rootAcronym,
      rootName,
      units,
    };
  });

/** The agreement is accepted by typing the gestor's name (case, accents and spacing ignored). */
export function agreementSchema(managerName: string) {
  return z.object({
    acceptedName: required('Digite o seu nome completo para aceitar o termo.').refine(
      (s) => foldName(s) === foldName(managerName),
      `Digite exatamente o nome do gestor responsável: ${managerName}.`,
    ),
  });
}

export const refusalSchema = z.object({
  reason: required('Informe o motivo da recusa.', 2000).refine((s) => s.length >= 10, 'Explique o motivo em pelo menos 10 caracteres.'),
});

/** The article of a tenant's name, set by an operator ("a Prefeitura…", "o Governo…"). */
export const tenantArticleSchema = z.object({ article: z.enum(['a', 'o'], { error: 'Escolha "a" ou "o".' }) });

export const tenantStatusSchema = z.object({
  reason: required('Informe o motivo.', 2000).refine((s) => s.length >= 5, 'Explique o motivo em pelo menos 5 caracteres.'),
});
