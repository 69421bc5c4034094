import { DocumentType, LegalBasis, ProcessType } from '../server/models';

/** The usual catalogs every new tenant starts with; its administrators adapt them. */

export const DEFAULT_LEGAL_BASES = [
  { name: 'Informação pessoal', basis: 'Art. 31 da Lei nº 12.527/2011' },
  { name: 'Documento preparatório', basis: 'Art. 7º, § 3º, da Lei nº 12.527/2011' },
  { name: 'Sigilo fiscal', basis: 'Art. 198 da Lei nº 5.172/1966 (Código Tributário Nacional)' },
  { name: 'Sigilo bancário', basis: 'Art. 1º da Lei Complementar nº 105/2001' },
  { name: 'Segredo de justiça', basis: 'Art. 189 da Lei nº 13.105/2015 (Código de Processo Civil)' },
  { name: 'Investigação de responsabilidade de servidor', basis: 'Art. 150 da Lei nº 8.112/1990' },
  { name: 'Dados pessoais sensíveis', basis: 'Art. 11 da Lei nº 13.709/2018 (LGPD)' },
];

const PERSONAL = 'Informação pessoal';

export const DEFAULT_PROCESS_TYPES: { name: string; description: string; levels: string[]; default: string; basis?: string }[] = [
  { name: 'Requerimento geral', description: 'Pedidos de cidadãos e empresas sem tipo específico.', levels: ['public', 'restricted'], default: 'restricted', basis: PERSONAL },
  { name: 'Licitação: pregão eletrônico', description: 'Aquisição de bens e serviços comuns.', levels: ['public', 'restricted'], default: 'public' },
  { name: 'Contratação direta: dispensa de licitação', description: 'Contratações do art. 75 da Lei nº 14.133/2021.', levels: ['public', 'restricted'], default: 'public' },
  { name: 'Contrato: acompanhamento e fiscalização', description: 'Gestão e fiscalização de contratos.', levels: ['public', 'restricted'], default: 'public' },
  { name: 'Pessoal: férias', description: 'Concessão e alteração de férias de servidores.', levels: ['restricted'], default: 'restricted', basis: PERSONAL },
  { name: 'Pessoal: licença', description: 'Licenças e afastamentos de servidores.', levels: ['restricted', 'secret'], default: 'restricted', basis: PERSONAL },
  { name: 'Processo administrativo disciplinar', description: 'Apuração de responsabilidade de servidor.', levels: ['restricted', 'secret'], default: 'secret', basis: 'Investigação de responsabilidade de servidor' },
  { name: 'Ouvidoria: manifestação', description: 'Reclamações, denúncias, sugestões e elogios.', levels: ['restricted', 'secret'], default: 'restricted', basis: PERSONAL },
  { name: 'Acesso à informação: pedido (LAI)', description: 'Pedidos com base na Lei nº 12.527/2011.', levels: ['public', 'restricted'], default: 'public' },
  { name: 'Alvará de funcionamento', description: 'Licenciamento de atividades econômicas.', levels: ['public', 'restricted'], default: 'restricted', basis: PERSONAL },
  { name: 'Convênio e parceria', description: 'Convênios, termos de fomento e de colaboração.', levels: ['public'], default: 'public' },
  { name: 'Normativo: elaboração de ato', description: 'Decretos, portarias e outros atos normativos.', levels: ['public', 'restricted'], default: 'public' },
];

export const DEFAULT_DOCUMENT_TYPES: { name: string; usage: 'internal' | 'external' | 'both'; numberFormat?: string; template?: string }[] = [
  { name: 'Ofício', usage: 'internal', numberFormat: 'Ofício nº {n}/{ano}/{sigla}', template: '<p>{{cidade}}, {{data}}.</p><p>A Sua Senhoria o(a) Senhor(a)</p><p>Assunto: {{especificacao}}</p><p>Referência: Processo nº {{processo}}</p><p>Senhor(a),</p><p></p><p>Atenciosamente,</p>' },
  { name: 'Memorando', usage: 'internal', numberFormat: 'Memorando nº {n}/{ano}/{sigla}', template: '<p>Ao(À) {{destino}}</p><p>Assunto: {{especificacao}}</p><p></p>' },
  { name: 'Despacho', usage: 'internal', template: '<p>Processo nº {{processo}}</p><p>Interessado(s): {{interessados}}</p><p></p>' },
  { name: 'Portaria', usage: 'internal', numberFormat: 'Portaria nº {n}/{ano}/{sigla}', template: '<p>O(A) {{cargo}}, no uso de suas atribuições legais, RESOLVE:</p><p>Art. 1º </p><p>Art. 2º Esta Portaria entra em vigor na data de sua publicação.</p>' },
  { name: 'Parecer', usage: 'internal', numberFormat: 'Parecer nº {n}/{ano}/{sigla}', template: '<p>Processo nº {{processo}}</p><p>I — RELATÓRIO</p><p></p><p>II — ANÁLISE</p><p></p><p>III — CONCLUSÃO</p><p></p>' },
  { name: 'Nota Técnica', usage: 'internal', numberFormat: 'Nota Técnica nº {n}/{ano}/{sigla}' },
  { name: 'Termo de Referência', usage: 'both' },
  { name: 'Requerimento', usage: 'both' },
  { name: 'Comprovante', usage: 'external' },
  { name: 'Documento de identificação', usage: 'external' },
  { name: 'Nota Fiscal', usage: 'external' },
  { name: 'Anexo', usage: 'external' },
];

/** Runs inside the provisioning transaction of a new tenant (its search path set). */
export async function seedCatalogs(): Promise<void> {
  const bases = await LegalBasis.bulkCreate(DEFAULT_LEGAL_BASES);
  const baseId = new Map(bases.map((b) => [b.name, String(b.id)]));
  await ProcessType.bulkCreate(
    DEFAULT_PROCESS_TYPES.map((t) => ({
      name: t.name,
      description: t.description,
      allowedAccessLevels: t.levels as ProcessType['allowedAccessLevels'],
      defaultAccessLevel: t.default as ProcessType['defaultAccessLevel'],
      defaultLegalBasisId: t.basis ? (baseId.get(t.basis) ?? null) : null,
    })),
  );
  await DocumentType.bulkCreate(
    DEFAULT_DOCUMENT_TYPES.map((t) => ({
      name: t.name,
      usage: t.usage,
      numbered: Boolean(t.numberFormat),
      numberFormat: t.numberFormat ?? null,
      template: t.template ?? null,
    })),
  );
}
