import { z } from 'zod';
import { SECRECY_GRADES, type AccessLevel, type SecrecyGrade } from '../models';
import { MAX_PARTIES } from '../processes/validation';
import { calendarDate, idSchema } from '../validation';

/**
 * The integration API's requests and responses, as zod schemas: the same objects validate each
 * request (`input(...)` in routes.ts) and become the OpenAPI document (contract.ts). Field names are
 * Portuguese, like the rest of what the tenant's systems read.
 */

export const LEVELS = { publico: 'public', restrito: 'restricted', sigiloso: 'secret' } as const satisfies Record<string, AccessLevel>;
export type ApiLevel = keyof typeof LEVELS;
export const levelName = (level: AccessLevel): ApiLevel => (Object.keys(LEVELS) as ApiLevel[]).find((k) => LEVELS[k] === level)!;
const level = z.enum(['publico', 'restrito', 'sigiloso']).describe('Nível de acesso: publico, restrito ou sigiloso.');
const id = idSchema.describe('Identificador numérico (texto).');

export const nupParams = z.object({
  nup: z
    .string()
    .regex(/^[0-9][0-9./-]{9,29}$/, 'Informe o número do processo (NUP), com ou sem pontuação.')
    .describe('Número do processo, com ou sem pontuação (ex.: 12345.000001/2026-12 ou 12345000001202612).'),
});
export const documentParams = z.object({ id });

export const createProcessBody = z
  .object({
    tipoProcessoId: id.describe('Tipo de processo (ativo).'),
    especificacao: z.string().max(100).describe('Especificação, até 100 caracteres.'),
    interessados: z
      .array(z.object({ nome: z.string().max(250), documento: z.string().max(20).nullish().describe('CPF ou CNPJ, com ou sem pontuação.') }).strict())
      .min(1, 'Informe ao menos um interessado.')
      .max(MAX_PARTIES),
    nivelAcesso: level,
    hipoteseLegalId: id.nullish().describe('Obrigatória para restrito e sigiloso.'),
    grauSigilo: z.enum(SECRECY_GRADES as [SecrecyGrade, ...SecrecyGrade[]]).nullish().describe('Obrigatório para sigiloso.'),
  })
  .strict();

export const createdProcess = z.object({ id, nup: z.string(), url: z.string() });

const dateTime = z.string().describe('Data e hora, ISO 8601.');

export const processBody = z.object({
  id,
  nup: z.string(),
  tipo: z.object({ id, nome: z.string() }),
  nivelAcesso: level,
  nivelAcessoEfetivo: level.describe('O mais restritivo entre o processo e os seus documentos.'),
  hipoteseLegal: z.string().nullable(),
  grauSigilo: z.string().nullable(),
  unidadeOrigem: z.string(),
  criadoEm: dateTime,
  acessoRestrito: z.boolean().describe('true: a unidade da chave só encontra o processo (restrito a outras unidades); o conteúdo não é mostrado.'),
  sobrestado: z.boolean(),
  unidadesAbertas: z.array(z.object({ sigla: z.string(), nome: z.string() })),
  especificacao: z.string().nullable(),
  interessados: z.array(z.object({ nome: z.string(), documento: z.string().nullable() })),
  andamentos: z.array(z.object({ em: dateTime, unidade: z.string(), usuario: z.string().nullable(), descricao: z.string() })),
  documentos: z.array(
    z.object({
      id,
      numero: z.string(),
      titulo: z.string(),
      complemento: z.string().nullable(),
      tipo: z.string(),
      natureza: z.enum(['gerado', 'externo']),
      nivelAcesso: level,
      situacao: z.enum(['minuta', 'assinado', 'externo', 'cancelado']),
      arquivo: z.string().nullable().describe('Endereço para baixar o arquivo (documentos externos legíveis).'),
    }),
  ),
});

export const inboxQuery = z
  .object({
    lista: z.enum(['recebidos', 'gerados']).optional().describe('Padrão: recebidos.'),
    depois: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'Cursor inválido: use o valor de "proxima" da página anterior.').optional().describe('Cursor da página seguinte ("proxima").'),
    limite: z.string().regex(/^(100|[1-9][0-9]?)$/, 'O limite deve ser um número de 1 a 100.').optional().describe('Itens por página, 1 a 100 (padrão 25).'),
  })
  .strict();

export const inboxBody = z.object({
  lista: z.enum(['recebidos', 'gerados']),
  total: z.number().int(),
  itens: z.array(
    z.object({
      nup: z.string(),
      tipo: z.string(),
      especificacao: z.string(),
      nivelAcesso: level,
      naoLido: z.boolean(),
      chegouEm: dateTime,
      enviadoPor: z.string().nullable(),
      retornoProgramado: z.string().nullable(),
      atrasado: z.boolean(),
      sobrestado: z.boolean(),
    }),
  ),
  proxima: z.string().nullable().describe('Cursor da página seguinte, ou null na última.'),
});

export const documentFields = z
  .object({
    tipoDocumentoId: id,
    dataDocumento: calendarDate('Informe a data do documento (AAAA-MM-DD).').describe('AAAA-MM-DD.'),
    origem: z.enum(['nato_digital', 'digitalizado']),
    remetente: z.string().max(250).optional(),
    complemento: z.string().max(250).optional(),
    nivelAcesso: level,
    hipoteseLegalId: id.optional(),
  })
  .strict();

/** The multipart body as the document shows it: the fields and the file. */
export const documentMultipart = documentFields.extend({ arquivo: z.string().describe('O arquivo (PDF, imagem ou documento de escritório).').meta({ format: 'binary' }) });

export const internalDocumentBody = z
  .object({
    tipoDocumentoId: id.describe('Tipo de documento interno (com modelo).'),
    complemento: z.string().max(250).optional(),
    nivelAcesso: level,
    hipoteseLegalId: id.optional(),
    campos: z
      .record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'Nome de campo inválido.'), z.string().max(5000))
      .refine((r) => Object.keys(r).length <= 30, 'No máximo 30 campos.')
      .optional()
      .describe('Valores para os campos do modelo ({{destino}}, ou outros do modelo) que o sistema não preenche; os do sistema (processo, data, unidade…) prevalecem.'),
  })
  .strict();

export const createdInternalDocument = z.object({ id, numero: z.string(), titulo: z.string(), situacao: z.literal('minuta') });

export const createdDocument = z.object({
  id,
  numero: z.string(),
  titulo: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  tamanho: z.number().int(),
  tipoArquivo: z.string(),
  arquivo: z.string(),
});

export const sendBody = z
  .object({
    unidades: z.array(id).min(1, 'Escolha ao menos uma unidade de destino.').max(50).describe('Unidades de destino.'),
    manterAberto: z.boolean().optional(),
    retornoProgramado: calendarDate('Informe o retorno programado (AAAA-MM-DD).').nullish(),
    notificar: z.boolean().optional().describe('Enviar e-mail aos usuários das unidades de destino.'),
  })
  .strict();

export const sentBody = z.object({ nup: z.string(), unidades: z.array(z.string()) });

/** RFC 9457 problem details, with the fields that did not fit under `errors`. */
export const problemBody = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.object({ pointer: z.string().describe('JSON Pointer do campo (RFC 6901), ex.: #/interessados/0/documento.'), detail: z.string() })).optional(),
});
