import { ID_PATTERN } from './ids';
import { formatCpfCnpj } from '../formatting';
import type { Transaction } from 'sequelize';
import { NotFoundError, PermissionDeniedError } from '../errors';
import type { AccessLevel } from '../models';
import type { Actor } from '../web/actor';
import { effectiveLevelSql, findableSql, listableSql, readableSql } from '../processes/access';
import { select } from '../db/sql';

/** The one access rule lives in processes/access.ts; documents, search and the process PDF use it from here too. */
export { effectiveLevelSql, findableSql, listableSql, readableSql };

/** A document's content is readable when its process is, and it is not another unit's minuta. */
export function documentReadableSql(d: string, unitParam: string): string {
  return `(${d}.deleted_at IS NULL AND ${d}.cancelled_at IS NULL AND (${d}.kind = 'external' OR ${d}.unit_id = ${unitParam}
    OR EXISTS (SELECT 1 FROM signatures sg WHERE sg.document_id = ${d}.id AND sg.invalidated_at IS NULL)))`;
}

export interface ProcessFacts {
  id: string;
  number: string;
  specification: string;
  typeName: string;
  accessLevel: AccessLevel;
  effectiveLevel: AccessLevel;
  parties: string[];
  openInUnit: boolean;
  createdAt: Date;
}

/**
 * The process when the actor may read it: NotFound when they may not even know it exists (sigiloso),
 * PermissionDenied when they may find it but not read it (restrito elsewhere). `forWriting` also
 * requires it to be open in the actor's unit.
 */
export async function readableProcess(t: Transaction, actor: Actor, processId: string, opts: { forWriting?: boolean } = {}): Promise<ProcessFacts> {
  if (!ID_PATTERN.test(processId)) throw new NotFoundError('Processo não encontrado.');
  const [row] = await select<{
    id: string; number: string; specification: string; type_name: string; access_level: AccessLevel; effective: AccessLevel;
    readable: boolean; findable: boolean; open_here: boolean | null; parties: { name: string; document: string | null }[] | null; created_at: Date;
  }>(
    t,
    `SELECT p.id, p.number, p.specification, pt.name AS type_name, p.access_level, p.created_at,
            ${effectiveLevelSql('p')} AS effective, ${readableSql('p', '$2', '$3')} AS readable, ${findableSql('$2')} AS findable,
            (SELECT pu.open FROM process_units pu WHERE pu.process_id = p.id AND pu.unit_id = $3) AS open_here,
            (SELECT json_agg(json_build_object('name', pa.name, 'document', pa.document) ORDER BY pp.position) FROM process_parties pp JOIN parties pa ON pa.id = pp.party_id WHERE pp.process_id = p.id) AS parties
       FROM processes p JOIN process_types pt ON pt.id = p.process_type_id
      WHERE p.id = $1`,
    [processId, actor.userId, actor.unitId],
  );
  if (!row || !row.findable) throw new NotFoundError('Processo não encontrado.');
  if (!row.readable) throw new PermissionDeniedError('Este processo é de acesso restrito às unidades por onde tramitou.');
  if (opts.forWriting && !row.open_here) throw new PermissionDeniedError('O processo não está aberto na sua unidade: inclua documentos na unidade onde ele está aberto.');
  return {
    id: String(row.id),
    number: row.number,
    specification: row.specification,
    typeName: row.type_name,
    accessLevel: row.access_level,
    effectiveLevel: row.effective,
    parties: (row.parties ?? []).map((pa) => (pa.document ? `${pa.name} (${formatCpfCnpj(pa.document)})` : pa.name)),
    openInUnit: !!row.open_here,
    createdAt: row.created_at,
  };
}

/**
 * A document the anonymous public may see in a process it may read: public, not deleted nor
 * cancelled, and signed (a valid signature) — minutas and unsigned documents never appear.
 */
export function anonymousDocumentSql(d: string): string {
  return `(${d}.deleted_at IS NULL AND ${d}.cancelled_at IS NULL AND ${d}.access_level = 'public'
    AND EXISTS (SELECT 1 FROM signatures sg WHERE sg.document_id = ${d}.id AND sg.invalidated_at IS NULL))`;
}
