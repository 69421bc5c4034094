import type { Actor } from '../web/actor';
import { documentReadableSql, listableSql, readableSql } from '../documents/access';
import { select } from '../db/sql';
import type { Transaction } from 'sequelize';
import { inTenant } from '../tenancy/context';

export interface SearchCriteria {
  text?: string;
  number?: string;
  documentTypeId?: string;
  processTypeId?: string;
  party?: string;
  unitId?: string;
  from?: string;
  to?: string;
  page?: number;
}

export interface SearchHit {
  processId: string;
  processNumber: string;
  processType: string;
  specification: string;
  readable: boolean;
  documentId: string | null;
  documentTitle: string | null;
  documentNumber: string | null;
  /** HTML: escaped text with <mark> around the matched words. */
  snippet: string | null;
  createdAt: Date;
}

export const PAGE_SIZE = 20;
/**
 * Ranking reads every matching document's vector, so it is bounded: the first SEARCH_CANDIDATES
 * readable matches (in the order the plan finds them) are ranked, in the same pass that finds them.
 * A query with fewer matches is ranked exactly; a very common word ranks a sample of this size (the
 * page says so and asks for more words).
 */
export const SEARCH_CANDIDATES = 2000;
const START = '\u0002';
const STOP = '\u0003';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A ts_headline fragment made safe: everything escaped, then only our markers become <mark>. */
export function snippetHtml(raw: string): string {
  return escapeHtml(raw).replaceAll(START, '<mark>').replaceAll(STOP, '</mark>');
}

/**
 * The query under both configurations of the search vector (see migration 0300): accent-insensitive
 * stems and proper Portuguese stems of accented words. For a query without accents both parse to the
 * same tsquery, and one copy is enough (the OR of two equal queries tests every word twice for every
 * row that does not match). Every function here is immutable, so PostgreSQL folds the whole
 * expression into one constant tsquery when it plans the statement and estimates it like a literal.
 */
function tsQuery(param: string): string {
  const unaccent = `websearch_to_tsquery('extensions.pt_unaccent', ${param})`;
  const portuguese = `websearch_to_tsquery('pg_catalog.portuguese', ${param})`;
  return `(CASE WHEN ${unaccent} = ${portuguese} THEN ${unaccent} ELSE ${unaccent} || ${portuguese} END)`;
}

function snippetSql(param: string): string {
  const options = `'StartSel=${START}, StopSel=${STOP}, MaxFragments=2, MaxWords=20, MinWords=8, FragmentDelimiter=" … "'`;
  const headline = (config: string) => `ts_headline('${config}', left(d.content_text, 20000), ${tsQuery(param)}, ${options})`;
  // The accent-insensitive headline first; the plain Portuguese one when it marked nothing.
  return `(SELECT CASE WHEN strpos(h.a, '${START}') > 0 THEN h.a ELSE ${headline('pg_catalog.portuguese')} END FROM (SELECT ${headline('extensions.pt_unaccent')} AS a) h)`;
}

export function hasCriteria(c: SearchCriteria): boolean {
  return !!(c.text || c.number || c.documentTypeId || c.processTypeId || c.party || c.unitId || c.from || c.to);
}

/**
 * Pesquisa. With text or a document type the hits are documents (full text over internal HTML and
 * uploaded PDFs, Portuguese stemming, accent-insensitive, ranked, with highlighted snippets), only
 * from processes and documents the actor may read. Otherwise the hits are processes the actor may
 * find (a restrito process elsewhere shows its number and type, never its documents).
 */
export interface SearchResult {
  hits: SearchHit[];
  more: boolean;
  capped: boolean;
}

export async function search(actor: Actor, c: SearchCriteria): Promise<SearchResult> {
  return inTenant(() => searchIn(actor, c));
}

/** The search in the caller's tenant transaction. */
async function searchIn(actor: Actor, c: SearchCriteria): Promise<SearchResult> {
  const page = Math.max(1, c.page ?? 1);
  const bind: unknown[] = [actor.userId, actor.unitId];
  const arg = (v: unknown): string => {
    bind.push(v);
    return `$${bind.length}`;
  };
  const processFilters: string[] = [];
  const digits = (c.number ?? '').replace(/\D/g, '');
  const documentMode = !!(c.text || c.documentTypeId);
  if (digits) {
    const n = arg(digits);
    processFilters.push(
      documentMode
        ? `(p.number_digits LIKE '%' || ${n} || '%' OR d.number::text = ${n})`
        : `(p.number_digits LIKE '%' || ${n} || '%' OR EXISTS (SELECT 1 FROM documents dn WHERE dn.process_id = p.id AND dn.deleted_at IS NULL AND dn.number::text = ${n}))`,
    );
  }
  if (c.processTypeId) processFilters.push(`p.process_type_id = ${arg(c.processTypeId)}`);
  if (c.party) {
    const partyDigits = c.party.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
    const looksLikeDocument = /^[0-9A-Z]{11,14}$/.test(partyDigits) && /\d{2}$/.test(partyDigits) && !/\s/.test(c.party.trim());
    processFilters.push(
      looksLikeDocument
        ? `EXISTS (SELECT 1 FROM process_parties pp JOIN parties pa ON pa.id = pp.party_id WHERE pp.process_id = p.id AND pa.document = ${arg(partyDigits)})`
        : `EXISTS (SELECT 1 FROM process_parties pp JOIN parties pa ON pa.id = pp.party_id WHERE pp.process_id = p.id
             AND extensions.immutable_unaccent(lower(pa.name)) LIKE '%' || extensions.immutable_unaccent(lower(${arg(c.party.trim())})) || '%')`,
    );
  }
  const when = documentMode ? 'd.created_at' : 'p.created_at';
  if (c.from) processFilters.push(`${when} >= (${arg(c.from)}::date::timestamp AT TIME ZONE 'America/Sao_Paulo')`);
  if (c.to) processFilters.push(`${when} < ((${arg(c.to)}::date + 1)::timestamp AT TIME ZONE 'America/Sao_Paulo')`);
  if (c.unitId) processFilters.push(documentMode ? `d.unit_id = ${arg(c.unitId)}` : `p.origin_unit_id = ${arg(c.unitId)}`);
  const limit = PAGE_SIZE + 1;
  const offset = (page - 1) * PAGE_SIZE;

  return inTenant(async (t) => {
    if (documentMode) {
      const filters = [...processFilters, readableSql('p', '$1', '$2'), documentReadableSql('d', '$2')];
      let rank = 'd.id';
      let q = '';
      if (c.text) {
        q = arg(c.text);
        filters.push(`d.search @@ ${tsQuery(q)}`);
        rank = `ts_rank_cd(d.search, ${tsQuery(q)})`;
      }
      if (c.documentTypeId) filters.push(`d.document_type_id = ${arg(c.documentTypeId)}`);
      const rows = await select<{
        process_id: string; process_number: string; process_type: string; specification: string; document_id: string;
        document_title: string; document_complement: string | null; document_number: string; created_at: Date; signed_at: Date | null;
        snippet: string | null; candidates: string;
      }>(
        t,
        `WITH candidates AS MATERIALIZED (
           SELECT d.id, d.process_id, ${rank} AS rank FROM documents d JOIN processes p ON p.id = d.process_id
            WHERE ${filters.join(' AND ')}
            LIMIT ${SEARCH_CANDIDATES}
         ), hits AS (
           SELECT c.id, c.process_id, c.rank FROM candidates c
            ORDER BY c.rank DESC, c.id DESC
            LIMIT ${PAGE_SIZE} OFFSET ${offset}
         )
         SELECT p.id AS process_id, p.number AS process_number, pt.name AS process_type, p.specification,
                d.id AS document_id, d.title AS document_title, d.complement AS document_complement, d.number AS document_number, d.created_at,
                (SELECT max(s.signed_at) FROM signatures s WHERE s.document_id = d.id AND s.invalidated_at IS NULL) AS signed_at,
                ${c.text ? snippetSql(q) : 'NULL'} AS snippet, (SELECT count(*) FROM candidates) AS candidates
           FROM hits h JOIN documents d ON d.id = h.id JOIN processes p ON p.id = h.process_id JOIN process_types pt ON pt.id = p.process_type_id
          ORDER BY h.rank DESC, d.id DESC`,
        bind,
      );
      // The page's hits come from the candidates, so there is a next page when they go on after it
      // (no 21st row to fetch, join and highlight just to know that).
      const candidates = Number(rows[0]?.candidates ?? 0);
      return {
        more: candidates > offset + PAGE_SIZE,
        capped: candidates >= SEARCH_CANDIDATES,
        hits: rows.map((r) => ({
          processId: String(r.process_id),
          processNumber: r.process_number,
          processType: r.process_type,
          specification: r.specification,
          readable: true,
          documentId: String(r.document_id),
          documentTitle: r.document_complement ? `${r.document_title} — ${r.document_complement}` : r.document_title,
          documentNumber: String(r.document_number),
          snippet: r.snippet ? snippetHtml(r.snippet) : null,
          createdAt: r.created_at,
          signedAt: r.signed_at,
        })),
      };
    }
    // A process the viewer cannot read is listed only for its whole number (docs/security.md).
    const filters = [...processFilters, listableSql('p', '$1', '$2', digits ? arg(digits) : null)];
    const rows = await select<{ id: string; number: string; process_type: string; specification: string; created_at: Date; readable: boolean }>(
      t,
      `SELECT p.id, p.number, pt.name AS process_type, p.specification, p.created_at, ${readableSql('p', '$1', '$2')} AS readable
         FROM processes p JOIN process_types pt ON pt.id = p.process_type_id
        WHERE ${filters.join(' AND ')}
        ORDER BY p.created_at DESC, p.id DESC
        LIMIT ${limit} OFFSET ${offset}`,
      bind,
    );
    return {
      more: rows.length > PAGE_SIZE,
      capped: false,
      hits: rows.slice(0, PAGE_SIZE).map((r) => ({
        processId: String(r.id),
        processNumber: r.number,
        processType: r.process_type,
        specification: r.readable ? r.specification : '',
        readable: r.readable,
        documentId: null,
        documentTitle: null,
        documentNumber: null,
        snippet: null,
        createdAt: r.created_at,
        signedAt: null,
      })),
    };
  });
}

export interface SearchOptions {
  documentTypes: { id: string; name: string }[];
  processTypes: { id: string; name: string }[];
  units: { id: string; name: string }[];
}

/** The search form's choices: every document type, every process type, the active units (one statement). */
async function optionsIn(t: Transaction): Promise<SearchOptions> {
  const [row] = await select<{ document_types: SearchOptions['documentTypes']; process_types: SearchOptions['processTypes']; units: SearchOptions['units'] }>(
    t,
    `SELECT (SELECT coalesce(json_agg(json_build_object('id', id::text, 'name', name) ORDER BY name), '[]') FROM document_types) AS document_types,
            (SELECT coalesce(json_agg(json_build_object('id', id::text, 'name', name) ORDER BY name), '[]') FROM process_types) AS process_types,
            (SELECT coalesce(json_agg(json_build_object('id', id::text, 'name', acronym || ' — ' || name) ORDER BY acronym), '[]') FROM units WHERE active) AS units`,
  );
  return { documentTypes: row.document_types, processTypes: row.process_types, units: row.units };
}

/**
 * The Pesquisa page in one transaction: the form's choices and, when there are criteria, the
 * results (null criteria: the form alone, as when it is first opened or refused).
 */
export async function searchPage(actor: Actor, c: SearchCriteria | null): Promise<SearchOptions & { result: SearchResult | null }> {
  return inTenant(async (t) => ({ ...(await optionsIn(t)), result: c && hasCriteria(c) ? await searchIn(actor, c) : null }));
}
