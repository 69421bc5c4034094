import type { Transaction } from 'sequelize';
import { preparedSelect, select } from '../db/sql';
import { NotFoundError, PermissionDeniedError } from '../errors';
import { ACCESS_LEVELS, Process, type AccessLevel } from '../models';
import type { Actor } from '../web/actor';
import { ID_PATTERN } from '../documents/ids';
import { formatCpfCnpj } from '../formatting';
import { externalTransitReceiverSql } from '../tramita/transit';
import { requireTenant } from '../tenancy/context';
import { transitBlocker } from './rules';

/**
 * Who may find and who may read a process — the one place these rules live; lists, pages, search
 * and downloads ask here (or use `visibleToSql` for set queries).
 * - público: everyone in the tenant finds and reads it;
 * - restrito: everyone finds it (by number); only units it has passed through read its content;
 * - sigiloso: only users holding an active access credential find or read it.
 * The level applied is the effective one: the most restrictive among the process and its documents.
 */

/** What the access predicate needs of the actor (server/web/actor.ts): the user and the unit they work in now. */
export type Viewer = Pick<Actor, 'userId' | 'unitId'>;

export interface AccessFacts {
  accessLevel: AccessLevel;
  /** The viewer's current unit has a row in process_units (the process has passed through it). */
  passedThroughUnit: boolean;
  /** The viewer holds an active access credential. */
  credentialed: boolean;
}

export interface AccessDecision {
  canFind: boolean;
  canRead: boolean;
}

export function decideAccess(f: AccessFacts): AccessDecision {
  switch (f.accessLevel) {
    case 'public':
      return { canFind: true, canRead: true };
    case 'restricted':
      return { canFind: true, canRead: f.passedThroughUnit };
    case 'secret':
      return { canFind: f.credentialed, canRead: f.credentialed };
    default:
      return { canFind: false, canRead: false };
  }
}

/**
 * The level that governs a process: the most restrictive among the process and its (not deleted)
 * documents — "contamination" (DOMAIN.md). Kept in `processes.effective_level` by triggers in the
 * same transaction as every change that can move it (migration 0304). SQL over the process alias `p`.
 */
export function effectiveLevelSql(p = 'p'): string {
  return `${p}.effective_level`;
}

export async function accessFacts(t: Transaction, process: Process, viewer: Viewer): Promise<AccessFacts> {
  // One statement: queries sent at once on a transaction's connection would queue in the client anyway.
  const [facts] = await select<{ level: AccessLevel; here: boolean; credentialed: boolean }>(
    t,
    `SELECT ${effectiveLevelSql('p')} AS level,
            EXISTS (SELECT 1 FROM process_units pu WHERE pu.process_id = p.id AND pu.unit_id = $2) AS here,
            EXISTS (SELECT 1 FROM access_credentials c WHERE c.process_id = p.id AND c.user_id = $3 AND c.revoked_at IS NULL) AS credentialed
       FROM processes p WHERE p.id = $1`,
    [process.id, viewer.unitId, viewer.userId],
  );
  return { accessLevel: facts.level, passedThroughUnit: facts.here, credentialed: facts.credentialed };
}

/**
 * Loads a process the viewer may at least find; a process they may not find is "not found" —
 * exactly like one that does not exist, so a guessed URL reveals nothing.
 */
export async function findableProcess(t: Transaction, id: string, viewer: Viewer): Promise<{ process: Process; access: AccessDecision; facts: AccessFacts }> {
  const process = ID_PATTERN.test(id) ? await Process.findByPk(id, { transaction: t }) : null;
  if (!process) throw new NotFoundError('Processo não encontrado.');
  const facts = await accessFacts(t, process, viewer);
  const access = decideAccess(facts);
  if (!access.canFind) throw new NotFoundError('Processo não encontrado.');
  return { process, access, facts };
}

/** What the pages and services that work inside a process (documents, signatures, the PDF, triage) know of it. */
export interface ProcessFacts {
  id: string;
  number: string;
  specification: string;
  typeName: string;
  accessLevel: AccessLevel;
  effectiveLevel: AccessLevel;
  parties: string[];
  openInUnit: boolean;
  /** The government a live Tramita transfer is carrying the process to: read-only here meanwhile. */
  externalTransitTo: string | null;
  createdAt: Date;
}

/**
 * The process when the viewer may read it — the one "readable process" of the codebase: NotFound
 * when they may not even know it exists (sigiloso), PermissionDenied when they may find it but not
 * read it (restrito elsewhere). `forWriting` also requires it to be open in the viewer's unit.
 */
export async function readableProcess(t: Transaction, viewer: Viewer, processId: string, opts: { forWriting?: boolean } = {}): Promise<ProcessFacts> {
  if (!ID_PATTERN.test(processId)) throw new NotFoundError('Processo não encontrado.');
  // On every read of a process or one of its documents: a prepared statement (planned once per connection).
  const [row] = await preparedSelect<{
    id: string; number: string; specification: string; type_name: string; access_level: AccessLevel; effective: AccessLevel;
    readable: boolean; findable: boolean; open_here: boolean | null; transit_to: string | null; parties: { name: string; document: string | null }[] | null; created_at: Date;
  }>(
    t,
    `SELECT p.id, p.number, p.specification, pt.name AS type_name, p.access_level, p.created_at,
            ${effectiveLevelSql('p')} AS effective, ${readableSql('p', '$2', '$3')} AS readable, ${findableSql('$2')} AS findable,
            (SELECT pu.open FROM process_units pu WHERE pu.process_id = p.id AND pu.unit_id = $3) AS open_here,
            ${externalTransitReceiverSql('$4', 'p.id')} AS transit_to,
            (SELECT json_agg(json_build_object('name', pa.name, 'document', pa.document) ORDER BY pp.position) FROM process_parties pp JOIN parties pa ON pa.id = pp.party_id WHERE pp.process_id = p.id) AS parties
       FROM processes p JOIN process_types pt ON pt.id = p.process_type_id
      WHERE p.id = $1`,
    [processId, viewer.userId, viewer.unitId, requireTenant().id],
  );
  if (!row || !row.findable) throw new NotFoundError('Processo não encontrado.');
  if (!row.readable) throw new PermissionDeniedError('Este processo é de acesso restrito às unidades por onde tramitou.');
  if (opts.forWriting && !row.open_here) throw new PermissionDeniedError('O processo não está aberto na sua unidade: inclua documentos na unidade onde ele está aberto.');
  // In external transit only where it is open (the origin unit): elsewhere it has nothing to block.
  const transitTo = row.open_here ? row.transit_to : null;
  if (opts.forWriting && transitTo) throw new PermissionDeniedError(transitBlocker({ externalTransitTo: transitTo })!);
  return {
    id: String(row.id),
    number: row.number,
    specification: row.specification,
    typeName: row.type_name,
    accessLevel: row.access_level,
    effectiveLevel: row.effective,
    parties: (row.parties ?? []).map((pa) => (pa.document ? `${pa.name} (${formatCpfCnpj(pa.document)})` : pa.name)),
    openInUnit: !!row.open_here,
    externalTransitTo: transitTo,
    createdAt: row.created_at,
  };
}

/** The viewer holds an active access credential for the process `p`. */
function credentialSql(p: string, userBind: string): string {
  return `EXISTS (SELECT 1 FROM access_credentials c WHERE c.process_id = ${p}.id AND c.user_id = ${userBind} AND c.revoked_at IS NULL)`;
}

/**
 * SQL condition keeping only processes the viewer may find (`decideAccess(...).canFind`); `p` is the
 * process alias, `userBind` the bind index of the viewer's user id.
 */
export function findableSql(userBind: string, p = 'p'): string {
  return `(${effectiveLevelSql(p)} <> 'secret' OR ${credentialSql(p, userBind)})`;
}

/**
 * SQL condition keeping only processes whose content the viewer may read (`decideAccess(...).canRead`):
 * parties, specification, relations, andamentos, documents, PDF pages, type-ahead suggestions.
 */
export function readableSql(p: string, userBind: string, unitBind: string): string {
  const passed = `EXISTS (SELECT 1 FROM process_units pu WHERE pu.process_id = ${p}.id AND pu.unit_id = ${unitBind})`;
  return `(CASE ${effectiveLevelSql(p)} WHEN 'public' THEN true WHEN 'restricted' THEN ${passed} ELSE ${credentialSql(p, userBind)} END)`;
}

/**
 * What a search or a list may show of processes matched by criteria (docs/security.md, "Pesquisa"):
 * a process the viewer may read, or — when `exactNumberBind` is given — a process they may only
 * find, matched by its whole number (restrito elsewhere: number, type and the "acesso restrito"
 * notice; nothing else). Criteria about content (interessado, text, dates, units, partial numbers)
 * never list a process the viewer cannot read, so they cannot be used to learn what it holds.
 */
export function listableSql(p: string, userBind: string, unitBind: string, exactNumberBind: string | null): string {
  const readable = readableSql(p, userBind, unitBind);
  return exactNumberBind ? `(${readable} OR (${p}.number_digits = ${exactNumberBind} AND ${findableSql(userBind, p)}))` : readable;
}

/**
 * The anonymous public (consulta pública, LAI): a viewer who has passed through no unit and holds no
 * credential. The same rule as every other viewer — `decideAccess` with both facts false — so público
 * is found and read, restrito only found (its existence), sigiloso neither.
 */
export function anonymousAccess(accessLevel: AccessLevel): AccessDecision {
  return decideAccess({ accessLevel, passedThroughUnit: false, credentialed: false });
}

function levelsWhere(test: (d: AccessDecision) => boolean): string {
  const levels = ACCESS_LEVELS.filter((l) => test(anonymousAccess(l)));
  return levels.length ? `IN (${levels.map((l) => `'${l}'`).join(', ')})` : 'IS NULL AND false';
}

/** SQL (over alias `p`) keeping processes the anonymous public may find — derived from `anonymousAccess`. */
export function anonymousFindableSql(p = 'p'): string {
  return `(${effectiveLevelSql(p)} ${levelsWhere((d) => d.canFind)})`;
}

/** SQL (over alias `p`): processes whose content (interessados, documents) the anonymous public may read. */
export function anonymousReadableSql(p = 'p'): string {
  return `(${effectiveLevelSql(p)} ${levelsWhere((d) => d.canRead)})`;
}
