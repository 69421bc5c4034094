import type { TenantDefinition, UnitDefinition } from '../server/tenancy/definition';
import { setReceivingUnit } from '../server/tramita/admin';
import { CitizenService, LegalBasis, ProcessType, Unit, User, UserPosition, UserUnit, type Role, type ServiceAttachment, type ServiceField } from '../server/models';

/**
 * The rows of a new tenant's own, inside its provisioning transaction: the unit tree of its
 * definition (root first), its first users with their roles, and the citizen service "Requerimento
 * geral" published to its protocol unit, which also receives processes from other governments
 * (Tramita). (The default catalogs come with the
 * schema: `seedCatalogs`, run when a schema is built, spare or not.) The one seeding path for the
 * CLI, the demo tenants and the operators' approval.
 */
export async function seedTenant(def: TenantDefinition, passwordHash: string | null): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const insert = async (u: UnitDefinition, parentId: string | null): Promise<void> => {
    const unit = await Unit.create({ parentId, acronym: u.acronym, name: u.name, protocolCode: u.protocolCode ?? null });
    ids.set(u.acronym, String(unit.id));
    for (const child of u.children ?? []) await insert(child, String(unit.id));
  };
  await insert(def.root, null);
  for (const u of def.users) {
    const user = await User.create({ name: u.name, email: u.email, cpf: u.cpf ?? null, passwordHash });
    for (const title of u.positions) await UserPosition.create({ userId: String(user.id), title });
    for (const m of u.units) {
      const unitId = ids.get(m.acronym);
      if (!unitId) throw new Error(`Unidade ${m.acronym} não existe na definição de ${def.slug}`);
      await UserUnit.create({ userId: String(user.id), unitId, role: m.role as Role });
    }
  }
  await seedServices([GENERAL_REQUEST], ids, protocolUnitOf(def));
  // Tramita: the protocol unit receives processes from other governments from the first day (and is in the platform directory).
  await setReceivingUnit(ids.get(protocolUnitOf(def))!, true);
  return ids;
}

/** A citizen service as the seeders write it (units and types by name). */
export interface ServiceDefinition {
  name: string;
  guidanceHtml: string;
  /** Acronym of the receiving unit; the tenant's protocol unit when absent. */
  unit?: string;
  processType: string;
  fields: ServiceField[];
  attachments: ServiceAttachment[];
}

export const GENERAL_REQUEST: ServiceDefinition = {
  name: 'Requerimento geral',
  guidanceHtml:
    '<p>Use este serviço para pedidos que não têm um serviço próprio no portal. Descreva o que deseja com clareza e anexe os documentos que comprovem o pedido.</p><p>Você receberá por e-mail o número da solicitação e um código de acesso para acompanhá-la.</p>',
  processType: 'Requerimento geral',
  fields: [
    { key: 'c1', label: 'Assunto', kind: 'text', required: true, options: [] },
    { key: 'c2', label: 'Descrição do pedido', kind: 'longText', required: true, options: [] },
  ],
  attachments: [
    { key: 'a1', name: 'Documento de identificação', types: ['pdf', 'jpg', 'png'], maxBytes: 10 * 1024 * 1024, required: false },
    { key: 'a2', name: 'Outros documentos', types: ['pdf', 'jpg', 'png', 'docx', 'odt'], maxBytes: 10 * 1024 * 1024, required: false },
  ],
};

/**
 * The unit that receives citizens' requests by default: the unit of the definition's first
 * Protocolo user, or the root.
 */
export function protocolUnitOf(def: TenantDefinition): string {
  for (const u of def.users) {
    const m = u.units.find((x) => x.role === 'protocol');
    if (m) return m.acronym;
  }
  return def.root.acronym;
}

/** Publishes `services` (restricted, personal data) in the current tenant transaction. */
export async function seedServices(services: ServiceDefinition[], unitIds: Map<string, string>, defaultUnit: string): Promise<void> {
  const basis = await LegalBasis.findOne({ where: { name: 'Informação pessoal' } });
  for (const s of services) {
    const type = await ProcessType.findOne({ where: { name: s.processType } });
    const unitId = unitIds.get(s.unit ?? defaultUnit);
    if (!type || !unitId) throw new Error(`Serviço ${s.name}: tipo de processo ou unidade inexistente`);
    await CitizenService.create({
      name: s.name,
      guidanceHtml: s.guidanceHtml,
      fields: s.fields,
      attachments: s.attachments,
      receivingUnitId: unitId,
      processTypeId: String(type.id),
      accessLevel: basis ? 'restricted' : 'public',
      legalBasisId: basis ? String(basis.id) : null,
      status: 'published',
    });
  }
}
