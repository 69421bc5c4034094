import type { z } from 'zod';
import { select } from '../db/sql';
import type { FileDownload } from '../documents/download';
import { createExternalDocument, createInternalDocument, downloadFile, treeRows } from '../documents/service';
import { NotFoundError, ValidationError } from '../errors';
import type { NumberingScheme } from '../models';
import { findableSql, type Viewer } from '../processes/access';
import { createProcess } from '../processes/create';
import { todayInSaoPaulo } from '../processes/dates';
import { inboxPages } from '../processes/inbox';
import { sendProcess } from '../processes/send';
import { processPage } from '../processes/view';
import { inTenant } from '../tenancy/context';
import { API_BASE } from './contract';
import type { ApiPrincipal } from './keys';
import { LEVELS, levelName, type createProcessBody, type createdDocument, type createdInternalDocument, type createdProcess, type documentFields, type internalDocumentBody, type inboxBody, type inboxQuery, type processBody, type sendBody, type sentBody } from './schemas';

/**
 * What each API operation does, through the processes' and documents' own services (one numbering,
 * one access rule, one send): the key acts as a user of its unit (server/api/keys.ts).
 */

const viewerOf = (key: ApiPrincipal): Viewer => ({ userId: key.userId, unitId: key.unitId });
const actorOf = (key: ApiPrincipal) => ({ userId: key.userId, name: key.name, unitId: key.unitId, unitAcronym: key.unitAcronym });
const digitsOf = (nup: string): string => nup.replace(/[^0-9]/g, '');

/** The id of the process with this number, when the key's unit may at least find it. */
async function processIdFor(key: ApiPrincipal, nup: string): Promise<string> {
  const rows = await inTenant((t) => select<{ id: string }>(t, `SELECT p.id::text AS id FROM processes p WHERE p.number_digits = $1 AND ${findableSql('$2')}`, [digitsOf(nup), key.userId]));
  if (!rows[0]) throw new NotFoundError('Processo não encontrado.');
  return rows[0].id;
}

export async function createApiProcess(key: ApiPrincipal, body: z.output<typeof createProcessBody>, scheme: NumberingScheme): Promise<z.output<typeof createdProcess>> {
  const created = await createProcess(
    {
      processTypeId: body.tipoProcessoId,
      specification: body.especificacao,
      parties: body.interessados.map((p) => ({ name: p.nome, document: p.documento ?? null })),
      accessLevel: LEVELS[body.nivelAcesso],
      legalBasisId: body.hipoteseLegalId ?? null,
      secrecyGrade: body.grauSigilo ?? null,
    },
    viewerOf(key),
    scheme,
  );
  return { id: created.id, nup: created.number, url: `${API_BASE}/processos/${digitsOf(created.number)}` };
}

const STATES = { draft: 'minuta', signed: 'assinado', external: 'externo', cancelled: 'cancelado' } as const;

/** The process as a user of the key's unit sees it on its page (the same service: processPage). */
export async function readApiProcess(key: ApiPrincipal, nup: string): Promise<z.output<typeof processBody>> {
  return inTenant(async (t) => {
    const id = await processIdFor(key, nup);
    const page = await processPage(id, viewerOf(key));
    const documents = page.canRead ? await treeRows(t, id, key.unitId) : [];
    return {
      id: page.id,
      nup: page.number,
      tipo: { id: page.processTypeId, nome: page.typeName },
      nivelAcesso: levelName(page.accessLevel),
      nivelAcessoEfetivo: levelName(page.effectiveLevel),
      hipoteseLegal: page.legalBasis,
      grauSigilo: page.secrecyGrade,
      unidadeOrigem: page.originUnit,
      criadoEm: new Date(page.createdAt).toISOString(),
      acessoRestrito: !page.canRead,
      sobrestado: page.state.suspended,
      unidadesAbertas: page.openUnits.map((u) => ({ sigla: u.acronym, nome: u.name })),
      especificacao: page.canRead ? page.specification : null,
      interessados: page.parties.map((p) => ({ nome: p.name, documento: p.document || null })),
      andamentos: page.events.map((e) => ({ em: new Date(e.createdAt).toISOString(), unidade: e.unit, usuario: e.user, descricao: e.description })),
      documentos: documents.map((d) => ({
        id: d.id,
        numero: d.number,
        titulo: d.title,
        complemento: d.complement,
        tipo: d.typeName,
        natureza: d.kind === 'internal' ? ('gerado' as const) : ('externo' as const),
        nivelAcesso: levelName(d.accessLevel),
        situacao: STATES[d.state],
        arquivo: d.kind === 'external' && d.readable ? `${API_BASE}/documentos/${d.id}/arquivo` : null,
      })),
    };
  });
}

const encodeCursor = (c: string): string => Buffer.from(c, 'utf8').toString('base64url');
const decodeCursor = (c: string | undefined): string | undefined => (c ? Buffer.from(c, 'base64url').toString('utf8') : undefined);

/** The key unit's Controle de processos, one keyset page (the screens' inbox query). */
export async function apiInbox(key: ApiPrincipal, query: z.output<typeof inboxQuery>): Promise<z.output<typeof inboxBody>> {
  const lista = query.lista ?? 'recebidos';
  const list = lista === 'recebidos' ? 'received' : 'created';
  const pages = await inboxPages({
    unitId: key.unitId,
    userId: key.userId,
    today: todayInSaoPaulo(),
    filters: { mine: false, processTypeId: null, overdue: false },
    cursors: { [list]: decodeCursor(query.depois) },
    pageSize: query.limite ? Number(query.limite) : undefined,
  });
  const page = pages[list];
  return {
    lista,
    total: page.total,
    itens: page.rows.map((r) => ({
      nup: r.number,
      tipo: r.typeName,
      especificacao: r.specification,
      nivelAcesso: levelName(r.accessLevel as never),
      naoLido: r.unread,
      chegouEm: new Date(r.arrivedAt).toISOString(),
      enviadoPor: r.sentFrom,
      retornoProgramado: r.expectedReturn,
      atrasado: r.overdue,
      sobrestado: r.suspended,
    })),
    proxima: page.nextCursor ? encodeCursor(page.nextCursor) : null,
  };
}

/** Files an external document through the documents' service (type, size and hash checks). */
export async function fileApiDocument(
  key: ApiPrincipal,
  nup: string,
  body: z.output<typeof documentFields>,
  file: { buffer: Buffer; originalname: string } | undefined,
  uploadError: string | undefined,
): Promise<z.output<typeof createdDocument>> {
  if (uploadError) throw new ValidationError(uploadError, { arquivo: uploadError });
  return inTenant(async () => {
    const processId = await processIdFor(key, nup);
    const doc = await createExternalDocument(actorOf(key), processId, {
      documentTypeId: body.tipoDocumentoId,
      complement: body.complemento?.trim() || null,
      documentDate: body.dataDocumento,
      origin: body.origem,
      sender: body.remetente?.trim() || null,
      accessLevel: LEVELS[body.nivelAcesso],
      legalBasisId: body.hipoteseLegalId ?? null,
      file,
    });
    return {
      id: String(doc.id),
      numero: String(doc.number),
      titulo: doc.title,
      sha256: doc.fileSha256 ?? '',
      tamanho: Number(doc.fileSize ?? 0),
      tipoArquivo: doc.fileMime ?? '',
      arquivo: `${API_BASE}/documentos/${doc.id}/arquivo`,
    };
  });
}

/** A minuta from the type's template, through the documents' service (numbering, sanitising, version 1). */
export async function draftApiDocument(key: ApiPrincipal, nup: string, body: z.output<typeof internalDocumentBody>): Promise<z.output<typeof createdInternalDocument>> {
  return inTenant(async () => {
    const processId = await processIdFor(key, nup);
    const doc = await createInternalDocument(actorOf(key), processId, {
      documentTypeId: body.tipoDocumentoId,
      complement: body.complemento?.trim() || null,
      accessLevel: LEVELS[body.nivelAcesso],
      legalBasisId: body.hipoteseLegalId ?? null,
      fields: body.campos,
    });
    return { id: String(doc.id), numero: String(doc.number), titulo: doc.title, situacao: 'minuta' };
  });
}

export async function apiDownload(key: ApiPrincipal, documentId: string): Promise<FileDownload> {
  return downloadFile(actorOf(key), documentId);
}

export async function sendApiProcess(
  key: ApiPrincipal,
  nup: string,
  body: z.output<typeof sendBody>,
  processUrl: (processId: string) => string,
): Promise<z.output<typeof sentBody>> {
  return inTenant(async () => {
    const processId = await processIdFor(key, nup);
    const sent = await sendProcess(
      processId,
      viewerOf(key),
      { unitIds: body.unidades, keepOpen: body.manterAberto ?? false, expectedReturn: body.retornoProgramado ?? null, notify: body.notificar ?? false },
      { processUrl, today: todayInSaoPaulo() },
    );
    const [row] = await inTenant((t) => select<{ number: string }>(t, 'SELECT number FROM processes WHERE id = $1', [processId]));
    return { nup: row.number, unidades: sent.units };
  });
}
