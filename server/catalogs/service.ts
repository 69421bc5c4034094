import { UniqueConstraintError, type Transaction } from 'sequelize';
import { recordChange, snapshot, type Actor } from '../audit/record';
import { NotFoundError, ValidationError } from '../errors';
import { DocumentType, LegalBasis, ProcessType } from '../models';
import { inTenant } from '../tenancy/context';
import { sanitizeTemplate } from './sanitize';
import type { DocumentTypeForm, LegalBasisForm, ProcessTypeForm } from './validation';

/**
 * The three catalogs an administrator keeps. Rows are never deleted: deactivating hides them from
 * new use (new processes and documents pick among active rows) and keeps them for history.
 */
export type CatalogKind = 'processType' | 'documentType' | 'legalBasis';

type AnyCatalog = typeof ProcessType | typeof DocumentType | typeof LegalBasis;
const MODELS: Record<CatalogKind, AnyCatalog> = { processType: ProcessType, documentType: DocumentType, legalBasis: LegalBasis };
const ENTITY: Record<CatalogKind, string> = { processType: 'process_type', documentType: 'document_type', legalBasis: 'legal_basis' };

export async function listCatalog(kind: CatalogKind): Promise<Record<string, unknown>[]> {
  const rows = await inTenant((t) => (MODELS[kind] as typeof LegalBasis).findAll({ order: [['active', 'DESC'], ['name', 'ASC']], transaction: t }));
  return rows.map((r) => ({ ...r.get({ plain: true }), id: String(r.id) }));
}

export async function getCatalogItem(kind: CatalogKind, id: string): Promise<Record<string, unknown>> {
  const row = /^\d{1,18}$/.test(id) ? await inTenant((t) => (MODELS[kind] as typeof LegalBasis).findByPk(id, { transaction: t })) : null;
  if (!row) throw new NotFoundError('Item não encontrado.');
  return { ...row.get({ plain: true }), id: String(row.id) };
}

export async function activeLegalBases(): Promise<{ id: string; name: string }[]> {
  const rows = await inTenant((t) => LegalBasis.findAll({ where: { active: true }, order: [['name', 'ASC']], transaction: t }));
  return rows.map((r) => ({ id: String(r.id), name: r.name }));
}

/**
 * The catalogs as the options of the forms that pick from them (a new process, a new document, the
 * search): loaded here only, each in the caller's tenant transaction when one is open.
 */
export async function legalBasisOptions(): Promise<{ id: string; name: string }[]> {
  const rows = await inTenant((t) => LegalBasis.findAll({ where: { active: true }, order: [['name', 'ASC']], transaction: t }));
  return rows.map((b) => ({ id: String(b.id), name: `${b.name} (${b.basis})` }));
}

export interface ProcessTypeOption {
  id: string;
  name: string;
  /** The access levels it allows, space-separated (the form's script reads them). */
  levels: string;
  defaultLevel: string;
  defaultLegalBasisId: string;
}

export async function processTypeOptions(): Promise<ProcessTypeOption[]> {
  const rows = await inTenant((t) => ProcessType.findAll({ where: { active: true }, order: [['name', 'ASC']], transaction: t }));
  return rows.map((p) => ({ id: String(p.id), name: p.name, levels: p.allowedAccessLevels.join(' '), defaultLevel: p.defaultAccessLevel, defaultLegalBasisId: p.defaultLegalBasisId ? String(p.defaultLegalBasisId) : '' }));
}

/** Active document types that may be used as `usage` (internal or external). */
export async function documentTypeOptions(usage: 'internal' | 'external'): Promise<{ id: string; name: string; numbered: boolean }[]> {
  const rows = await inTenant((t) => DocumentType.findAll({ where: { active: true }, order: [['name', 'ASC']], transaction: t }));
  return rows.filter((d) => d.usage === 'both' || d.usage === usage).map((d) => ({ id: String(d.id), name: d.name, numbered: d.numbered }));
}

function nameTaken(err: unknown): never {
  if (err instanceof UniqueConstraintError) throw new ValidationError('Corrija os campos indicados.', { name: 'Já existe um item com este nome (mesmo que desativado).' });
  throw err;
}

async function checkLegalBasis(id: string | null, t: Transaction): Promise<void> {
  if (!id) return;
  const basis = await LegalBasis.findByPk(id, { transaction: t });
  if (!basis || !basis.active) throw new ValidationError('Corrija os campos indicados.', { defaultLegalBasisId: 'Escolha uma hipótese legal ativa.' });
}

function values(kind: CatalogKind, form: ProcessTypeForm | DocumentTypeForm | LegalBasisForm): Record<string, unknown> {
  if (kind !== 'documentType') return form;
  const doc = form as DocumentTypeForm;
  return { ...doc, numberFormat: doc.numbered ? doc.numberFormat : null, template: doc.template ? sanitizeTemplate(doc.template) || null : null };
}

/** Creates (id null) or updates an item; the name is unique per catalog, case-insensitively. */
export async function saveCatalogItem(actor: Actor, kind: CatalogKind, id: string | null, form: ProcessTypeForm | DocumentTypeForm | LegalBasisForm): Promise<string> {
  return inTenant(async (t) => {
    if (kind === 'processType') await checkLegalBasis((form as ProcessTypeForm).defaultLegalBasisId, t);
    const model = MODELS[kind] as typeof LegalBasis;
    const data = values(kind, form);
    if (id === null) {
      const row = await model.create(data as never, { transaction: t }).catch(nameTaken);
      await recordChange(actor, { action: `${ENTITY[kind]}.create`, entity: ENTITY[kind], entityId: String(row.id), after: snapshot(row) });
      return String(row.id);
    }
    const row = /^\d{1,18}$/.test(id) ? await model.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE }) : null;
    if (!row) throw new NotFoundError('Item não encontrado.');
    const before = snapshot(row);
    await row.update(data, { transaction: t }).catch(nameTaken);
    await recordChange(actor, { action: `${ENTITY[kind]}.update`, entity: ENTITY[kind], entityId: id, before, after: snapshot(row) });
    return id;
  });
}

export async function setCatalogItemActive(actor: Actor, kind: CatalogKind, id: string, active: boolean): Promise<void> {
  await inTenant(async (t) => {
    const model = MODELS[kind] as typeof LegalBasis;
    const row = /^\d{1,18}$/.test(id) ? await model.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE }) : null;
    if (!row) throw new NotFoundError('Item não encontrado.');
    if (row.active === active) return;
    await row.update({ active }, { transaction: t });
    await recordChange(actor, { action: `${ENTITY[kind]}.${active ? 'reactivate' : 'deactivate'}`, entity: ENTITY[kind], entityId: id, before: { active: !active }, after: { active } });
  });
}
