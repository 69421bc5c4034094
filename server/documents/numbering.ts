import type { Transaction } from 'sequelize';
import { select } from '../db/sql';

/**
 * Next value of a counter row, locked by the upsert until the creating transaction ends: concurrent
 * creations queue on the row, so no number is ever duplicated; a rolled-back creation frees nothing
 * that was committed, and deleting a document never decrements a counter.
 */
async function next(t: Transaction, key: string): Promise<number> {
  const [row] = await select<{ last_value: string }>(
    t,
    `INSERT INTO document_counters (key, last_value) VALUES ($1, 1)
     ON CONFLICT (key) DO UPDATE SET last_value = document_counters.last_value + 1
     RETURNING last_value`,
    [key],
  );
  return Number(row.last_value);
}

/** The tenant-wide document number. */
export function nextDocumentNumber(t: Transaction): Promise<number> {
  return next(t, 'document');
}

/** The per-type, per-unit, per-year number of a numbered document type. */
export function nextTypeNumber(t: Transaction, documentTypeId: string, unitId: string, year: number): Promise<number> {
  return next(t, `type:${documentTypeId}:unit:${unitId}:year:${year}`);
}

/** "Ofício nº {n}/{ano}/{sigla}" → "Ofício nº 12/2026/SEGOV". */
export function formatTypeNumber(format: string, n: number, year: number, acronym: string): string {
  return format.replaceAll('{n}', String(n)).replaceAll('{ano}', String(year)).replaceAll('{sigla}', acronym);
}
