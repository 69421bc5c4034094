import { effectiveLevelSql, findableSql, listableSql, readableSql } from '../processes/access';

/** The one access rule lives in processes/access.ts; documents, search and the process PDF use it from here too. */
export { effectiveLevelSql, findableSql, listableSql, readableSql };

/** A document's content is readable when its process is, and it is not another unit's minuta. */
export function documentReadableSql(d: string, unitParam: string): string {
  return `(${d}.deleted_at IS NULL AND ${d}.cancelled_at IS NULL AND (${d}.kind = 'external' OR ${d}.unit_id = ${unitParam}
    OR EXISTS (SELECT 1 FROM signatures sg WHERE sg.document_id = ${d}.id AND sg.invalidated_at IS NULL)))`;
}

/**
 * A document the anonymous public may see in a process it may read: public, not deleted nor
 * cancelled, and signed (a valid signature) — minutas and unsigned documents never appear.
 */
export function anonymousDocumentSql(d: string): string {
  return `(${d}.deleted_at IS NULL AND ${d}.cancelled_at IS NULL AND ${d}.access_level = 'public'
    AND EXISTS (SELECT 1 FROM signatures sg WHERE sg.document_id = ${d}.id AND sg.invalidated_at IS NULL))`;
}
