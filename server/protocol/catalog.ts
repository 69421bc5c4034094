import { UniqueConstraintError, type Transaction } from 'sequelize';
import { recordChange, snapshot, type Actor } from '../audit/record';
import { sanitizeTemplate } from '../catalogs/sanitize';
import { NotFoundError, ValidationError } from '../errors';
import { CitizenService, LegalBasis, ProcessType, Unit, type ServiceStatus } from '../models';
import { inTenant } from '../tenancy/context';
import type { ServiceForm } from './serviceValidation';

/**
 * "Serviços ao cidadão": what citizens can request from a tenant. Never deleted: a withdrawn service
 * leaves the portal and keeps its requests.
 */

export const SERVICE_STATUS_LABELS: Record<ServiceStatus, string> = { draft: 'Rascunho', published: 'Publicado', withdrawn: 'Retirado' };
const ID = /^\d{1,18}$/;

export interface ServiceRow {
  id: string;
  name: string;
  status: ServiceStatus;
  statusLabel: string;
  unit: string;
}

export async function listServices(): Promise<ServiceRow[]> {
  return inTenant(async (t) => {
    const rows = await CitizenService.findAll({ order: [['name', 'ASC']], transaction: t });
    const units = new Map((await Unit.findAll({ attributes: ['id', 'acronym'], transaction: t })).map((u) => [String(u.id), u.acronym]));
    return rows.map((r) => ({ id: String(r.id), name: r.name, status: r.status as ServiceStatus, statusLabel: SERVICE_STATUS_LABELS[r.status as ServiceStatus], unit: units.get(String(r.receivingUnitId)) ?? '' }));
  });
}

export async function getService(id: string, t?: Transaction): Promise<CitizenService> {
  const row = ID.test(id) ? await inTenant((tx) => CitizenService.findByPk(id, { transaction: t ?? tx })) : null;
  if (!row) throw new NotFoundError('Serviço não encontrado.');
  return row;
}

/** The choices of the service form: active units, active process types, active legal bases. */
export async function serviceFormChoices(): Promise<{ units: { id: string; label: string }[]; types: { id: string; label: string }[]; bases: { id: string; label: string }[] }> {
  return inTenant(async (t) => ({
    units: (await Unit.findAll({ where: { active: true }, order: [['acronym', 'ASC']], transaction: t })).map((u) => ({ id: String(u.id), label: `${u.acronym} — ${u.name}` })),
    types: (await ProcessType.findAll({ where: { active: true }, order: [['name', 'ASC']], transaction: t })).map((p) => ({ id: String(p.id), label: p.name })),
    bases: (await LegalBasis.findAll({ where: { active: true }, order: [['name', 'ASC']], transaction: t })).map((b) => ({ id: String(b.id), label: `${b.name} (${b.basis})` })),
  }));
}

async function checkReferences(t: Transaction, form: ServiceForm): Promise<void> {
  const fields: Record<string, string> = {};
  if (!(await Unit.findOne({ where: { id: form.receivingUnitId, active: true }, transaction: t }))) fields.receivingUnitId = 'Escolha uma unidade ativa.';
  const type = await ProcessType.findOne({ where: { id: form.processTypeId, active: true }, transaction: t });
  if (!type) fields.processTypeId = 'Escolha um tipo de processo ativo.';
  else if (!type.allowedAccessLevels.includes(form.accessLevel)) fields.accessLevel = `O tipo "${type.name}" não admite este nível de acesso.`;
  if (form.legalBasisId && !(await LegalBasis.findOne({ where: { id: form.legalBasisId, active: true }, transaction: t }))) fields.legalBasisId = 'Escolha uma hipótese legal ativa.';
  if (Object.keys(fields).length) throw new ValidationError('Corrija os campos indicados.', fields);
}

function nameTaken(err: unknown): never {
  if (err instanceof UniqueConstraintError) throw new ValidationError('Corrija os campos indicados.', { name: 'Já existe um serviço com este nome.' });
  throw err;
}

/** Creates (id null, as a draft) or updates a service; the guidance is sanitised rich text. */
export async function saveService(actor: Actor, id: string | null, form: ServiceForm): Promise<string> {
  const data = { ...form, guidanceHtml: sanitizeTemplate(form.guidanceHtml) };
  return inTenant(async (t) => {
    await checkReferences(t, form);
    if (id === null) {
      const row = await CitizenService.create(data, { transaction: t }).catch(nameTaken);
      await recordChange(actor, { action: 'citizen_service.create', entity: 'citizen_service', entityId: String(row.id), after: snapshot(row) });
      return String(row.id);
    }
    const row = ID.test(id) ? await CitizenService.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE }) : null;
    if (!row) throw new NotFoundError('Serviço não encontrado.');
    const before = snapshot(row);
    await row.update(data, { transaction: t }).catch(nameTaken);
    await recordChange(actor, { action: 'citizen_service.update', entity: 'citizen_service', entityId: id, before, after: snapshot(row) });
    return id;
  });
}

/** Publishes (from draft or withdrawn) or withdraws a published service. */
export async function setServiceStatus(actor: Actor, id: string, status: 'published' | 'withdrawn'): Promise<void> {
  await inTenant(async (t) => {
    const row = ID.test(id) ? await CitizenService.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE }) : null;
    if (!row) throw new NotFoundError('Serviço não encontrado.');
    if (row.status === status) return;
    if (status === 'withdrawn' && row.status !== 'published') throw new ValidationError('Só um serviço publicado pode ser retirado.');
    const before = row.status;
    await row.update({ status }, { transaction: t });
    await recordChange(actor, { action: `citizen_service.${status === 'published' ? 'publish' : 'withdraw'}`, entity: 'citizen_service', entityId: id, before: { status: before }, after: { status } });
  });
}

export interface PublicService {
  id: string;
  name: string;
  guidanceHtml: string;
}

function folded(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** The portal's list: published services, optionally those whose name or guidance has every word of `q`. */
export async function publishedServices(q = ''): Promise<PublicService[]> {
  const rows = await inTenant((t) => CitizenService.findAll({ where: { status: 'published' }, order: [['name', 'ASC']], transaction: t }));
  const words = folded(q).split(/\s+/).filter(Boolean);
  return rows
    .filter((r) => words.every((w) => folded(`${r.name} ${r.guidanceHtml.replace(/<[^>]+>/g, ' ')}`).includes(w)))
    .map((r) => ({ id: String(r.id), name: r.name, guidanceHtml: r.guidanceHtml }));
}

/** A published service, or 404 (drafts and withdrawn services are not on the portal). */
export async function publishedService(id: string, t?: Transaction): Promise<CitizenService> {
  const row = ID.test(id) ? await inTenant((tx) => CitizenService.findOne({ where: { id, status: 'published' }, transaction: t ?? tx })) : null;
  if (!row) throw new NotFoundError('Serviço não encontrado ou não disponível.');
  return row;
}

