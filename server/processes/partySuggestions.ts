import { select } from '../db/sql';
import { inTenant } from '../tenancy/context';
import { readableSql, type Viewer } from './access';

export interface PartySuggestion {
  name: string;
  document: string | null;
}

/**
 * Type-ahead over the tenant's previous interessados (name prefix, or CPF/CNPJ prefix when the query
 * looks like one). A party is suggested only when it appears in at least one process the viewer may
 * read: a party known only from restrito processes elsewhere or sigilosos without a credential is
 * content of those processes, and suggesting it would answer "does this person have a process here?".
 */
export async function suggestParties(viewer: Viewer, query: string): Promise<PartySuggestion[]> {
  const q = query.trim().slice(0, 100);
  if (q.length < 2) return [];
  const digits = q.replace(/[.\-/\s]/g, '').toUpperCase();
  const byDocument = /^[0-9A-Z]{3,14}$/.test(digits) && /[0-9]/.test(digits);
  const bind: unknown[] = [viewer.userId, viewer.unitId, `${q.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`];
  if (byDocument) bind.push(`${digits}%`);
  return inTenant((t) =>
    select<PartySuggestion>(
      t,
      `SELECT pa.name, pa.document FROM parties pa
        WHERE (lower(pa.name) LIKE $3 ESCAPE '\\' ${byDocument ? 'OR pa.document LIKE $4' : ''})
          AND EXISTS (SELECT 1 FROM process_parties pp JOIN processes p ON p.id = pp.process_id
                       WHERE pp.party_id = pa.id AND ${readableSql('p', '$1', '$2')})
        ORDER BY pa.name LIMIT 10`,
      bind,
    ),
  );
}
