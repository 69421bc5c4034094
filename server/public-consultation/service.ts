import { anonymousDocumentSql } from '../documents/access';
import { chunkedFileStream, fileContentReader } from '../documents/chunks';
import type { FileDownload } from '../documents/download';
import type { DocumentView } from '../documents/service';
import { NotFoundError } from '../errors';
import type { AccessLevel } from '../models';
import { anonymousAccess, anonymousFindableSql, anonymousReadableSql } from '../processes/access';
import { readInTenant, requireTenant, type TenantReader } from '../tenancy/context';

/**
 * Consulta pública (LAI): what anyone, without login, may know of this tenant's processes. The rule
 * is the one of `processes/access.ts` for the anonymous viewer: público processes are found and read
 * (metadata, interessados, andamentos, signed público documents); restrito ones are only found
 * (number, type, dates, andamentos without their notes, legal basis); sigiloso ones do not exist here.
 */

export const PAGE_SIZE = 20;

export interface PublicCriteria {
  /** Full NUP/NIPE digits (already validated). */
  numberDigits?: string;
  /** Interessado: name prefix or CPF/CNPJ — matches only público processes. */
  partyName?: string;
  partyDocument?: string;
  processTypeId?: string;
  unitId?: string;
  from?: string;
  to?: string;
  /** Keyset cursor: the last row of the previous page. */
  after?: { createdAt: string; id: string };
}

export interface PublicHit {
  number: string;
  numberDigits: string;
  processType: string;
  unit: string;
  createdAt: Date;
  level: AccessLevel;
}

export function hasPublicCriteria(c: PublicCriteria): boolean {
  return !!(c.numberDigits || c.partyName || c.partyDocument || c.processTypeId || c.unitId || c.from || c.to);
}

export interface PublicSearchPage {
  processTypes: { id: string; name: string }[];
  units: { id: string; name: string }[];
  hits: PublicHit[];
  next: { createdAt: string; id: string } | null;
}

/**
 * The search page in one read: the form's options (one statement) and, with criteria, the page's
 * rows (one statement, keyset over created_at and id, one row more than the page to know if more follow).
 */
export async function publicSearchPage(c: PublicCriteria | null): Promise<PublicSearchPage> {
  return readInTenant(async (read) => {
    const [options] = await read<{ types: { id: string; name: string }[] | null; units: { id: string; name: string }[] | null }>(OPTIONS_SQL, []);
    const result = c && hasPublicCriteria(c) ? await searchRows(read, c) : { hits: [], next: null };
    return { processTypes: options?.types ?? [], units: options?.units ?? [], ...result };
  });
}

const OPTIONS_SQL = `
SELECT (SELECT json_agg(json_build_object('id', id::text, 'name', name) ORDER BY name) FROM process_types) AS types,
       (SELECT json_agg(json_build_object('id', id::text, 'name', acronym || ' — ' || name) ORDER BY acronym) FROM units WHERE active) AS units`;

async function searchRows(read: TenantReader, c: PublicCriteria): Promise<{ hits: PublicHit[]; next: { createdAt: string; id: string } | null }> {
  const bind: unknown[] = [];
  const arg = (v: unknown): string => {
    bind.push(v);
    return `$${bind.length}`;
  };
  const where = [anonymousFindableSql('p')];
  if (c.numberDigits) where.push(`p.number_digits = ${arg(c.numberDigits)}`);
  if (c.processTypeId) where.push(`p.process_type_id = ${arg(c.processTypeId)}`);
  if (c.unitId) where.push(`p.origin_unit_id = ${arg(c.unitId)}`);
  if (c.from) where.push(`p.created_at >= (${arg(c.from)}::date::timestamp AT TIME ZONE 'America/Sao_Paulo')`);
  if (c.to) where.push(`p.created_at < ((${arg(c.to)}::date + 1)::timestamp AT TIME ZONE 'America/Sao_Paulo')`);
  let partyCte = '';
  if (c.partyName || c.partyDocument) {
    // Interessados are content: a restrito process is never found through them.
    where.push(anonymousReadableSql('p'));
    // A name prefix as a byte-wise range (the text_pattern_ops operators): indexable by
    // parties_name_prefix_idx even in the generic plan of a prepared statement, unlike LIKE $1 || '%'.
    const prefix = c.partyName?.toLowerCase() ?? '';
    const match = c.partyDocument
      ? `pa.document = ${arg(c.partyDocument)}`
      : `lower(pa.name) ~>=~ ${arg(prefix)} AND lower(pa.name) ~<~ ${arg(prefix.slice(0, -1) + String.fromCodePoint(prefix.codePointAt(prefix.length - 1)! + 1))}`;
    // The interessado's processes first (few), then sorted: walking the newest processes until
    // enough of them match would read most of the table for a rare name.
    partyCte = `WITH matched AS MATERIALIZED (SELECT DISTINCT pp.process_id FROM parties pa JOIN process_parties pp ON pp.party_id = pa.id WHERE ${match}) `;
    where.push('p.id IN (SELECT process_id FROM matched)');
  }
  if (c.after) where.push(`(p.created_at, p.id) < (${arg(c.after.createdAt)}::timestamptz, ${arg(c.after.id)}::bigint)`);
  const rows = await read<{ id: string; number: string; number_digits: string; process_type: string; unit: string; created_at: Date; cursor_at: string; level: AccessLevel }>(
      `${partyCte}SELECT p.id, p.number, p.number_digits, pt.name AS process_type, un.acronym AS unit, p.created_at, p.created_at::text AS cursor_at, p.effective_level AS level
         FROM processes p JOIN process_types pt ON pt.id = p.process_type_id JOIN units un ON un.id = p.origin_unit_id
        WHERE ${where.join(' AND ')}
        ORDER BY p.created_at DESC, p.id DESC
        LIMIT ${PAGE_SIZE + 1}`,
    bind,
  );
  const page = rows.slice(0, PAGE_SIZE);
  const last = page[page.length - 1];
  return {
    hits: page.map((r) => ({ number: r.number, numberDigits: r.number_digits, processType: r.process_type, unit: r.unit, createdAt: r.created_at, level: r.level })),
    next: rows.length > PAGE_SIZE && last ? { createdAt: last.cursor_at, id: String(last.id) } : null,
  };
}

export interface PublicProcess {
  number: string;
  numberDigits: string;
  typeName: string;
  level: AccessLevel;
  readable: boolean;
  originUnit: string;
  createdAt: Date;
  updatedAt: Date;
  legalBasis: string | null;
  /** Only when readable (público). */
  specification: string | null;
  parties: string[];
  documents: { id: string; number: string; title: string; typeName: string; kind: 'internal' | 'external'; signedAt: Date }[];
  /** Notes (the description) only when readable; a restrito process shows what happened, not why. */
  events: { createdAt: Date; unit: string; description: string }[];
}

/** What each andamento is, without its notes (for processes the public may only find). */
const EVENT_LABELS: Record<string, string> = {
  created: 'Processo gerado',
  sent: 'Processo enviado',
  received: 'Processo recebido na unidade',
  concluded: 'Processo concluído na unidade',
  reopened: 'Processo reaberto na unidade',
  suspended: 'Processo sobrestado',
  resumed: 'Sobrestamento removido',
  annexed: 'Processo anexado a este',
  annexed_to: 'Processo anexado a outro',
  altered: 'Processo alterado',
};

const PROCESS_SQL = `
SELECT p.id, p.number, p.number_digits, pt.name AS type_name, p.effective_level AS level, p.specification, ou.acronym AS origin_unit,
       p.created_at, p.updated_at, lb.name || ' (' || lb.basis || ')' AS legal_basis, ${anonymousReadableSql('p')} AS readable,
       CASE WHEN ${anonymousReadableSql('p')} THEN
         (SELECT json_agg(pa.name ORDER BY pp.position) FROM process_parties pp JOIN parties pa ON pa.id = pp.party_id WHERE pp.process_id = p.id)
       END AS parties,
       CASE WHEN ${anonymousReadableSql('p')} THEN
         (SELECT json_agg(json_build_object('id', d.id::text, 'number', d.number::text, 'title', d.title, 'type_name', dt.name, 'kind', d.kind,
                 'signed_at', (SELECT min(s.signed_at) FROM signatures s WHERE s.document_id = d.id AND s.invalidated_at IS NULL)) ORDER BY d.number)
            FROM documents d JOIN document_types dt ON dt.id = d.document_type_id
           WHERE d.process_id = p.id AND ${anonymousDocumentSql('d')})
       END AS documents,
       (SELECT json_agg(json_build_object('created_at', e.created_at, 'unit', un.acronym, 'kind', e.kind, 'description', e.description) ORDER BY e.id DESC)
          FROM process_events e JOIN units un ON un.id = e.unit_id WHERE e.process_id = p.id AND e.summary) AS events
  FROM processes p
  JOIN process_types pt ON pt.id = p.process_type_id
  JOIN units ou ON ou.id = p.origin_unit_id
  LEFT JOIN legal_bases lb ON lb.id = p.legal_basis_id
 WHERE p.number_digits = $1 AND ${anonymousFindableSql('p')}`;

/** A process by its number as the public sees it; one the public may not find is "not found", like one that does not exist. */
export async function publicProcess(numberDigits: string): Promise<PublicProcess> {
  const [row] = await readInTenant((read) =>
    read<{
      number: string; number_digits: string; type_name: string; level: AccessLevel; specification: string; origin_unit: string; created_at: Date; updated_at: Date;
      legal_basis: string | null; readable: boolean; parties: string[] | null;
      documents: { id: string; number: string; title: string; type_name: string; kind: 'internal' | 'external'; signed_at: string }[] | null;
      events: { created_at: string; unit: string; kind: string; description: string }[] | null;
    }>(PROCESS_SQL, [numberDigits]),
  );
  if (!row || !anonymousAccess(row.level).canFind) throw new NotFoundError('Processo não encontrado na consulta pública.');
  const readable = row.readable && anonymousAccess(row.level).canRead;
  return {
    number: row.number,
    numberDigits: row.number_digits,
    typeName: row.type_name,
    level: row.level,
    readable,
    originUnit: row.origin_unit,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    legalBasis: row.level === 'public' ? null : row.legal_basis,
    specification: readable ? row.specification : null,
    parties: readable ? (row.parties ?? []) : [],
    documents: readable
      ? (row.documents ?? []).map((d) => ({ id: d.id, number: d.number, title: d.title, typeName: d.type_name, kind: d.kind, signedAt: new Date(d.signed_at) }))
      : [],
    events: (row.events ?? []).map((e) => ({
      createdAt: new Date(e.created_at),
      unit: e.unit,
      description: readable ? e.description : (EVENT_LABELS[e.kind] ?? 'Andamento registrado'),
    })),
  };
}

/** The fields of the staff's document view the public page shows (the same partial renders both). */
export type PublicDocument = Pick<
  DocumentView,
  'id' | 'number' | 'title' | 'typeName' | 'kind' | 'bodyHtml' | 'fileName' | 'fileMime' | 'fileSize' | 'fileSha256' | 'documentDate' | 'origin' | 'sender' | 'verificationCode' | 'crc' | 'signatures'
> & { cancelled: false; process: { number: string; numberDigits: string } };

const DOCUMENT_SQL = `
SELECT d.id, d.number::text AS number, d.title, dt.name AS type_name, d.kind, d.body_html, d.file_name, d.file_mime, d.file_size::text AS file_size,
       d.file_sha256, d.document_date::text AS document_date, d.origin, d.sender, d.verification_code, d.crc, p.number AS process_number, p.number_digits,
       (SELECT json_agg(json_build_object('signer_name', s.signer_name, 'signer_title', s.signer_title, 'signed_at', s.signed_at) ORDER BY s.signed_at, s.id)
          FROM signatures s WHERE s.document_id = d.id AND s.invalidated_at IS NULL) AS signatures
  FROM documents d JOIN processes p ON p.id = d.process_id JOIN document_types dt ON dt.id = d.document_type_id
 WHERE d.id = $1 AND p.number_digits = $2 AND ${anonymousReadableSql('p')} AND ${anonymousDocumentSql('d')}`;

/** A signed público document of a público process (by the process number and the document id), or not found. */
export async function publicDocument(numberDigits: string, documentId: string): Promise<PublicDocument> {
  const [row] = await readInTenant((read) =>
    read<{
      id: string; number: string; title: string; type_name: string; kind: 'internal' | 'external'; body_html: string | null; file_name: string | null;
      file_mime: string | null; file_size: string | null; file_sha256: string | null; document_date: string | null; origin: string | null; sender: string | null;
      verification_code: string; crc: string | null; process_number: string; number_digits: string;
      signatures: { signer_name: string; signer_title: string; signed_at: string }[] | null;
    }>(DOCUMENT_SQL, [documentId, numberDigits]),
  );
  if (!row) throw new NotFoundError('Documento não encontrado na consulta pública.');
  return {
    id: String(row.id),
    number: row.number,
    title: row.title,
    typeName: row.type_name,
    kind: row.kind,
    bodyHtml: row.kind === 'internal' ? row.body_html : null,
    fileName: row.file_name,
    fileMime: row.file_mime,
    fileSize: row.file_size,
    fileSha256: row.file_sha256,
    documentDate: row.document_date,
    origin: row.origin,
    sender: row.sender,
    verificationCode: row.verification_code,
    crc: row.crc,
    cancelled: false,
    signatures: (row.signatures ?? []).map((s) => ({ signerName: s.signer_name, signerTitle: s.signer_title, signedAt: new Date(s.signed_at) })),
    process: { number: row.process_number, numberDigits: row.number_digits },
  };
}

/** The file of a signed público external document, streamed like any download. */
export async function publicFile(numberDigits: string, documentId: string): Promise<FileDownload> {
  const doc = await publicDocument(numberDigits, documentId);
  if (doc.kind !== 'external' || !doc.fileSha256) throw new NotFoundError('Arquivo não encontrado.');
  const sha256 = doc.fileSha256;
  const [row] = await readInTenant((read) => read<{ size: string }>('SELECT size FROM file_contents WHERE sha256 = $1', [sha256]));
  if (!row) throw new NotFoundError('Arquivo não encontrado.');
  const tenant = requireTenant();
  const file = { name: doc.fileName ?? 'documento', mime: doc.fileMime ?? 'application/octet-stream', size: Number(row.size), sha256 };
  return { ...file, open: () => chunkedFileStream(file, fileContentReader(tenant, sha256)) };
}
