import { UniqueConstraintError, type Transaction } from 'sequelize';
import { recordChange, snapshot, type Actor } from '../audit/record';
import { execute, select } from '../db/sql';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { Unit } from '../models';
import { staleMembershipsOfTenant } from '../people/sessions';
import { inTenant } from '../tenancy/context';
import { blocksOnDeactivation, type DeactivationBlock } from './deactivationGuards';
import type { UnitForm } from './validation';

/** The unit hierarchy of a tenant: one root, then secretarias, departamentos, … */

export interface UnitRow {
  id: string;
  parentId: string | null;
  acronym: string;
  name: string;
  protocolCode: string | null;
  address?: string | null;
  active: boolean;
  people: number;
}

export interface UnitNode extends UnitRow {
  path: string;
  depth: number;
  children: UnitNode[];
}

export class UnitDeactivationRefused extends ConflictError {
  constructor(public readonly blocks: DeactivationBlock[]) {
    super('A unidade não pode ser desativada enquanto houver pendências nela.');
  }
}

/** Every unit with its number of active people, in one query. */
export async function allUnits(): Promise<UnitRow[]> {
  return inTenant((t) =>
    select<UnitRow>(
      t,
      `SELECT u.id::text AS "id", u.parent_id::text AS "parentId", u.acronym, u.name, u.protocol_code AS "protocolCode", u.address, u.active,
              (SELECT count(DISTINCT uu.user_id) FROM user_units uu JOIN users p ON p.id = uu.user_id AND p.active
                WHERE uu.unit_id = u.id)::int AS people
         FROM units u ORDER BY u.acronym`,
    ),
  );
}

/** Builds the tree (children by sigla) and each unit's path, PMAR/SEGOV/DRH. */
export function buildTree(rows: UnitRow[]): { roots: UnitNode[]; byId: Map<string, UnitNode> } {
  const byId = new Map<string, UnitNode>(rows.map((r) => [r.id, { ...r, path: r.acronym, depth: 0, children: [] }]));
  const roots: UnitNode[] = [];
  for (const node of byId.values()) {
    const parent = node.parentId ? byId.get(node.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const walk = (node: UnitNode, prefix: string, depth: number): void => {
    node.path = prefix ? `${prefix}/${node.acronym}` : node.acronym;
    node.depth = depth;
    node.children.sort((a, b) => a.acronym.localeCompare(b.acronym));
    for (const child of node.children) walk(child, node.path, depth + 1);
  };
  for (const root of roots) walk(root, '', 0);
  return { roots, byId };
}

/** Units in tree order (parents before children), for selects and the CSV export. */
export function flatten(roots: UnitNode[]): UnitNode[] {
  const out: UnitNode[] = [];
  const visit = (n: UnitNode): void => {
    out.push(n);
    n.children.forEach(visit);
  };
  roots.forEach(visit);
  return out;
}

export async function unitTree(): Promise<{ roots: UnitNode[]; byId: Map<string, UnitNode> }> {
  return buildTree(await allUnits());
}

async function findUnit(id: string, t: Transaction): Promise<Unit> {
  const unit = await Unit.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
  if (!unit) throw new NotFoundError('Unidade não encontrada.');
  return unit;
}

/** Structural changes (moves, imports) are serialised, so two concurrent moves cannot make a cycle. */
export async function lockHierarchy(t: Transaction): Promise<void> {
  await execute(t, 'LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE');
}

async function checkUnique(form: UnitForm, exceptId: string | null, t: Transaction): Promise<void> {
  const rows = await select<{ id: string; acronym: string; protocol_code: string | null }>(
    t,
    `SELECT id::text, acronym, protocol_code FROM units WHERE (acronym = $1 OR protocol_code = $2) AND ($3::bigint IS NULL OR id <> $3)`,
    [form.acronym, form.protocolCode, exceptId],
  );
  const fields: Record<string, string> = {};
  for (const r of rows) {
    if (r.acronym === form.acronym) fields.acronym = `A sigla ${form.acronym} já é usada por outra unidade.`;
    if (form.protocolCode && r.protocol_code === form.protocolCode) fields.protocolCode = `O código ${form.protocolCode} já é usado pela unidade ${r.acronym}.`;
  }
  if (Object.keys(fields).length) throw new ValidationError('Corrija os campos indicados.', fields);
}

function uniqueViolation(err: unknown): never {
  if (err instanceof UniqueConstraintError) {
    const onCode = JSON.stringify(err.fields ?? {}).includes('protocol_code');
    throw new ValidationError('Corrija os campos indicados.', onCode ? { protocolCode: 'Este código de protocolo já é usado por outra unidade.' } : { acronym: 'Esta sigla já é usada por outra unidade.' });
  }
  throw err;
}

export async function createUnit(actor: Actor, parentId: string, form: UnitForm): Promise<Unit> {
  return inTenant(async (t) => {
    const parent = await findUnit(parentId, t);
    if (!parent.active) throw new ValidationError('Corrija os campos indicados.', { parentId: 'A unidade superior está desativada.' });
    await checkUnique(form, null, t);
    const unit = await Unit.create({ parentId, acronym: form.acronym, name: form.name, protocolCode: form.protocolCode, address: form.address ?? null }, { transaction: t }).catch(uniqueViolation);
    await recordChange(actor, { action: 'unit.create', entity: 'unit', entityId: String(unit.id), after: snapshot(unit) });
    return unit;
  });
}

export async function updateUnit(actor: Actor, id: string, form: UnitForm): Promise<Unit> {
  return inTenant(async (t) => {
    const unit = await findUnit(id, t);
    const before = snapshot(unit);
    await checkUnique(form, id, t);
    await unit.update({ acronym: form.acronym, name: form.name, protocolCode: form.protocolCode, address: form.address === undefined ? unit.address : form.address }, { transaction: t }).catch(uniqueViolation);
    await recordChange(actor, { action: 'unit.update', entity: 'unit', entityId: id, before, after: snapshot(unit) });
    // Headers show the sigla and name from the sessions' cached units.
    await staleMembershipsOfTenant(t);
    return unit;
  });
}

/** Moves a unit under another parent; refuses the root, itself, and any of its descendants (a cycle). */
export async function moveUnit(actor: Actor, id: string, parentId: string): Promise<Unit> {
  return inTenant(async (t) => {
    await lockHierarchy(t);
    const unit = await findUnit(id, t);
    if (!unit.parentId) throw new ValidationError('A unidade raiz não pode ser movida.', { parentId: 'A unidade raiz não pode ser movida.' });
    const parent = await findUnit(parentId, t);
    const [cycle] = await select<{ hit: boolean }>(
      t,
      `WITH RECURSIVE up AS (SELECT id, parent_id FROM units WHERE id = $1
                             UNION SELECT u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent_id)
       SELECT EXISTS (SELECT 1 FROM up WHERE id = $2) AS hit`,
      [parentId, id],
    );
    if (cycle.hit) {
      throw new ValidationError('Movimento recusado.', {
        parentId: `A unidade ${parent.acronym} está dentro de ${unit.acronym} (ou é ela mesma): mover criaria um ciclo.`,
      });
    }
    if (!parent.active) throw new ValidationError('Movimento recusado.', { parentId: 'A unidade superior está desativada.' });
    const before = snapshot(unit);
    await unit.update({ parentId }, { transaction: t });
    await recordChange(actor, { action: 'unit.move', entity: 'unit', entityId: id, before, after: snapshot(unit) });
    return unit;
  });
}

/** Deactivates a unit unless it is the root, has active subunits, or a registered guard blocks it. */
export async function deactivateUnit(actor: Actor, id: string): Promise<Unit> {
  return inTenant(async (t) => {
    const unit = await findUnit(id, t);
    if (!unit.active) return unit;
    if (!unit.parentId) throw new ConflictError('A unidade raiz não pode ser desativada.');
    const children = await Unit.count({ where: { parentId: id, active: true }, transaction: t });
    const blocks = await blocksOnDeactivation(id);
    if (children > 0) blocks.unshift({ what: children === 1 ? 'unidade subordinada ativa' : 'unidades subordinadas ativas', count: children, link: `/administracao/unidades#unidade-${id}` });
    if (blocks.length) throw new UnitDeactivationRefused(blocks);
    const before = snapshot(unit);
    await unit.update({ active: false }, { transaction: t });
    await recordChange(actor, { action: 'unit.deactivate', entity: 'unit', entityId: id, before, after: snapshot(unit) });
    await staleMembershipsOfTenant(t);
    return unit;
  });
}

export async function reactivateUnit(actor: Actor, id: string): Promise<Unit> {
  return inTenant(async (t) => {
    const unit = await findUnit(id, t);
    if (unit.active) return unit;
    if (unit.parentId) {
      const parent = await findUnit(unit.parentId, t);
      if (!parent.active) throw new ConflictError(`Reative antes a unidade superior, ${parent.acronym}.`);
    }
    const before = snapshot(unit);
    await unit.update({ active: true }, { transaction: t });
    await recordChange(actor, { action: 'unit.reactivate', entity: 'unit', entityId: id, before, after: snapshot(unit) });
    await staleMembershipsOfTenant(t);
    return unit;
  });
}
