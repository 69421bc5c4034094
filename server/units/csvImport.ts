import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { recordChange, type Actor } from '../audit/record';
import { neutraliseCell, restoreCell } from '../csvCells';
import { execute } from '../db/sql';
import { ValidationError } from '../errors';
import { staleMembershipsOfTenant } from '../people/sessions';
import { inTenant } from '../tenancy/context';
import { allUnits, buildTree, flatten, lockHierarchy, type UnitRow } from './service';
import { ACRONYM_RE, PROTOCOL_CODE_RE } from './validation';

/**
 * Bulk import of the unit tree from CSV (sigla, nome, sigla_superior, codigo_protocolo) — the same
 * format as the export. A row whose sigla exists updates that unit (name, parent, code); any other
 * row creates one. The whole file is checked against the tree as it would be after the import, and
 * nothing is written unless every row is valid; then it is written in one transaction.
 */

export const CSV_COLUMNS = ['sigla', 'nome', 'sigla_superior', 'codigo_protocolo'] as const;
export const MAX_IMPORT_ROWS = 5000;

export interface ImportRow {
  line: number;
  acronym: string;
  name: string;
  parentAcronym: string;
  protocolCode: string;
  action: 'create' | 'update' | 'unchanged';
  errors: string[];
}

export interface ImportPlan {
  rows: ImportRow[];
  /** Problems with the file itself (encoding, header, size), not with one row. */
  fileErrors: string[];
  valid: boolean;
  creates: number;
  updates: number;
}

function parseCsv(text: string): { records: string[][]; error?: string } {
  try {
    const records = parse(text.replace(/^\uFEFF/, ''), {
      delimiter: text.split('\n', 1)[0].includes(';') && !text.split('\n', 1)[0].includes(',') ? ';' : ',',
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as string[][];
    return { records: records.map((cells) => cells.map(restoreCell)) };
  } catch (err) {
    return { records: [], error: `O arquivo não é um CSV válido: ${(err as Error).message}` };
  }
}

/** Checks every row of `text` against the `existing` units; pure, so it is unit-tested without HTTP. */
export function planImport(text: string, existing: UnitRow[]): ImportPlan {
  const plan: ImportPlan = { rows: [], fileErrors: [], valid: false, creates: 0, updates: 0 };
  const { records, error } = parseCsv(text);
  if (error) plan.fileErrors.push(error);
  const [header, ...body] = records;
  if (!error && (!header || header.map((h) => h.toLowerCase()).join(',') !== CSV_COLUMNS.join(','))) {
    plan.fileErrors.push(`A primeira linha deve ser o cabeçalho: ${CSV_COLUMNS.join(',')}.`);
  }
  if (!error && header && body.length === 0) plan.fileErrors.push('O arquivo não tem nenhuma unidade.');
  if (body.length > MAX_IMPORT_ROWS) plan.fileErrors.push(`O arquivo tem ${body.length} linhas; o máximo por importação é ${MAX_IMPORT_ROWS}.`);
  if (plan.fileErrors.length) return plan;

  const byAcronym = new Map(existing.map((u) => [u.acronym, u]));
  const byId = new Map(existing.map((u) => [u.id, u]));
  const root = existing.find((u) => !u.parentId);
  const inFile = new Map<string, ImportRow>();

  plan.rows = body.map((cells, i) => {
    const [acronym = '', name = '', parentAcronym = '', protocolCode = ''] = cells.map((c) => c ?? '');
    const row: ImportRow = {
      line: i + 2,
      acronym: acronym.toUpperCase(),
      name,
      parentAcronym: parentAcronym.toUpperCase(),
      protocolCode,
      action: 'create',
      errors: [],
    };
    if (cells.length !== CSV_COLUMNS.length) row.errors.push(`A linha tem ${cells.length} colunas; são ${CSV_COLUMNS.length}.`);
    if (!ACRONYM_RE.test(row.acronym)) row.errors.push('Sigla inválida: use letras, números e hífens, até 30 caracteres.');
    if (name.length < 2 || name.length > 200) row.errors.push('Nome obrigatório (de 2 a 200 caracteres).');
    if (protocolCode && !PROTOCOL_CODE_RE.test(protocolCode)) row.errors.push(`Código de protocolo inválido: ${protocolCode} (são 5 dígitos).`);
    const first = inFile.get(row.acronym);
    if (first) row.errors.push(`Sigla ${row.acronym} repetida (já na linha ${first.line}).`);
    else inFile.set(row.acronym, row);
    return row;
  });

  // Parent of every unit after the import: the file overrides the database.
  const parentOf = new Map<string, string>();
  for (const u of existing) {
    const p = u.parentId ? byId.get(u.parentId) : undefined;
    if (p) parentOf.set(u.acronym, p.acronym);
  }
  for (const row of inFile.values()) {
    if (row.parentAcronym) parentOf.set(row.acronym, row.parentAcronym);
    else parentOf.delete(row.acronym);
  }

  // Protocol codes after the import, to find duplicates.
  const codeOwner = new Map<string, string>();
  for (const u of existing) if (u.protocolCode && !inFile.has(u.acronym)) codeOwner.set(u.protocolCode, u.acronym);

  for (const row of plan.rows) {
    if (inFile.get(row.acronym) !== row) continue;
    const current = byAcronym.get(row.acronym);
    if (current) {
      const currentParent = current.parentId ? byId.get(current.parentId)?.acronym ?? '' : '';
      const same = current.name === row.name && currentParent === row.parentAcronym && (current.protocolCode ?? '') === row.protocolCode;
      row.action = same ? 'unchanged' : 'update';
    }
    if (!row.parentAcronym) {
      if (!root || row.acronym !== root.acronym) row.errors.push(`Informe a sigla da unidade superior (só a raiz, ${root?.acronym ?? '—'}, fica sem).`);
    } else if (root && row.acronym === root.acronym) {
      row.errors.push('A unidade raiz não pode ficar subordinada a outra.');
    } else if (row.parentAcronym === row.acronym) {
      row.errors.push('Ciclo: a unidade não pode ser superior de si mesma.');
    } else if (!inFile.has(row.parentAcronym) && !byAcronym.has(row.parentAcronym)) {
      row.errors.push(`Unidade superior ${row.parentAcronym} não existe (nem no arquivo nem no cadastro).`);
    } else if (!inFile.has(row.parentAcronym) && !byAcronym.get(row.parentAcronym)!.active) {
      row.errors.push(`Unidade superior ${row.parentAcronym} está desativada.`);
    } else {
      const seen = [row.acronym];
      let at = row.parentAcronym;
      while (at) {
        if (seen.includes(at)) {
          row.errors.push(`Ciclo: ${[...seen, at].join(' → ')}.`);
          break;
        }
        seen.push(at);
        at = parentOf.get(at) ?? '';
      }
    }
    if (row.protocolCode && PROTOCOL_CODE_RE.test(row.protocolCode)) {
      const owner = codeOwner.get(row.protocolCode);
      if (owner) row.errors.push(`Código de protocolo ${row.protocolCode} repetido (já é de ${owner}).`);
      else codeOwner.set(row.protocolCode, row.acronym);
    }
  }
  plan.creates = plan.rows.filter((r) => r.action === 'create').length;
  plan.updates = plan.rows.filter((r) => r.action === 'update').length;
  plan.valid = plan.rows.every((r) => r.errors.length === 0);
  return plan;
}

export async function previewImport(text: string): Promise<ImportPlan> {
  return planImport(text, await allUnits());
}

/**
 * Re-checks the file with the hierarchy locked and writes it all in one transaction: new units
 * inserted in one statement, then every row's name, parent and code set in one statement.
 */
export async function commitImport(actor: Actor, text: string): Promise<ImportPlan> {
  return inTenant(async (t) => {
    await lockHierarchy(t);
    const plan = planImport(text, await allUnits());
    if (!plan.valid) throw new ValidationError('O arquivo mudou ou o cadastro mudou desde a prévia: confira os erros e envie de novo.');
    const rows = plan.rows.filter((r) => r.action !== 'unchanged');
    if (rows.length === 0) return plan;
    const data = JSON.stringify(rows.map((r) => ({ acronym: r.acronym, name: r.name, parent: r.parentAcronym || null, code: r.protocolCode || null, create: r.action === 'create' })));
    const q = (sql: string): Promise<unknown> => execute(t, sql, [data]);
    const rowsSql = `json_to_recordset($1::json) AS v(acronym text, name text, parent text, code text, "create" boolean)`;
    // Codes are released first, so codes swapped between units do not collide midway.
    await q(`UPDATE units u SET protocol_code = NULL FROM ${rowsSql} WHERE u.acronym = v.acronym AND u.protocol_code IS NOT NULL`);
    await q(`INSERT INTO units (acronym, name) SELECT v.acronym, v.name FROM ${rowsSql} WHERE v."create"`);
    await q(`UPDATE units u SET name = v.name, protocol_code = v.code, parent_id = p.id, updated_at = now()
               FROM ${rowsSql} LEFT JOIN units p ON p.acronym = v.parent
              WHERE u.acronym = v.acronym`);
    await staleMembershipsOfTenant(t);
    await recordChange(actor, {
      action: 'unit.import',
      entity: 'unit',
      entityId: null,
      after: { created: plan.creates, updated: plan.updates, rows: rows.map((r) => ({ sigla: r.acronym, nome: r.name, superior: r.parentAcronym, codigo: r.protocolCode, acao: r.action })) },
    });
    return plan;
  });
}

/** The tree as CSV, parents before children, in the import format. */
export async function exportCsv(): Promise<string> {
  const { roots, byId } = buildTree(await allUnits());
  const rows = flatten(roots).map((n) => [n.acronym, n.name, n.parentId ? byId.get(n.parentId)?.acronym ?? '' : '', n.protocolCode ?? '']);
  return stringify([[...CSV_COLUMNS], ...rows.map((cells) => cells.map(neutraliseCell))]);
}
