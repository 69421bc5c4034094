import type { Transaction } from 'sequelize';
import { execute, select } from '../db/sql';
import { NotFoundError, ValidationError } from '../errors';
import { DocumentType, LegalBasis, Unit } from '../models';
import { recordChange, type Actor as AuditActor } from '../audit/record';
import { inTenant, requireTenant } from '../tenancy/context';
import { especieName, hipotesesLegais } from './especies';
import { ID_PATTERN } from '../documents/ids';

/**
 * Tenant administration of Tramita: which units receive from other governments (published to the
 * platform directory in the same transaction), the document type ↔ espécie maps and the defaults.
 */
export async function setReceivingUnit(unitId: string, receives: boolean): Promise<void> {
  await inTenant(async (t) => {
    const unit = ID_PATTERN.test(unitId) ? await Unit.findByPk(unitId, { transaction: t, lock: t.LOCK.UPDATE }) : null;
    if (!unit) throw new NotFoundError('Unidade não encontrada.');
    if (receives && !unit.active) throw new ValidationError('Corrija os campos indicados.', { unitId: 'Uma unidade inativa não pode receber processos de outros órgãos.' });
    await execute(t, 'UPDATE units SET receives_external = $2 WHERE id = $1', [unitId, receives]);
    if (receives) {
      await execute(
        t,
        `INSERT INTO platform.tramita_receiving_units (tenant_id, unit_id, acronym, name) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, unit_id) DO UPDATE SET acronym = EXCLUDED.acronym, name = EXCLUDED.name, updated_at = now()`,
        [requireTenant().id, unitId, unit.acronym, unit.name],
      );
    } else {
      await execute(t, 'DELETE FROM platform.tramita_receiving_units WHERE tenant_id = $1 AND unit_id = $2', [requireTenant().id, unitId]);
    }
  });
}

function checkEspecie(code: number, field: string): void {
  if (!Number.isInteger(code) || !especieName(code)) throw new ValidationError('Corrija os campos indicados.', { [field]: 'Escolha uma espécie documental da lista nacional.' });
}

async function checkDocumentType(id: string, field: string): Promise<void> {
  const type = ID_PATTERN.test(id) ? await DocumentType.findOne({ where: { id, active: true } }) : null;
  if (!type) throw new ValidationError('Corrija os campos indicados.', { [field]: 'Escolha um tipo de documento ativo da lista.' });
}

function checkHipotese(hipotese: string, field: string): void {
  if (!hipotesesLegais().includes(hipotese)) throw new ValidationError('Corrija os campos indicados.', { [field]: 'Escolha uma hipótese legal da lista nacional.' });
}

async function checkLegalBasis(id: string, field: string): Promise<void> {
  const basis = ID_PATTERN.test(id) ? await LegalBasis.findOne({ where: { id, active: true } }) : null;
  if (!basis) throw new ValidationError('Corrija os campos indicados.', { [field]: 'Escolha uma hipótese legal ativa deste órgão.' });
}

/** One of Tramita's maps (a table keyed by what is mapped): each side checked, then the row set, or removed when `value` is null. */
interface TramitaMap<K, V> {
  table: string;
  keyColumn: string;
  valueColumn: string;
  /** How the key is stored (`lower($1)` for a hipótese). */
  keySql?: string;
  checkKey: (key: K) => void | Promise<void>;
  checkValue: (value: V) => void | Promise<void>;
}

async function setMapRow<K, V>(map: TramitaMap<K, V>, key: K, value: V | null): Promise<void> {
  const keySql = map.keySql ?? '$1';
  await inTenant(async (t) => {
    await map.checkKey(key);
    if (value === null) {
      await execute(t, `DELETE FROM ${map.table} WHERE ${map.keyColumn} = ${keySql}`, [key]);
      return;
    }
    await map.checkValue(value);
    await execute(
      t,
      `INSERT INTO ${map.table} (${map.keyColumn}, ${map.valueColumn}) VALUES (${keySql}, $2) ON CONFLICT (${map.keyColumn}) DO UPDATE SET ${map.valueColumn} = EXCLUDED.${map.valueColumn}`,
      [key, value],
    );
  });
}

/** The actor's unit as Tramita needs it: whether it receives from other governments (and may import package files). */
export async function receivingUnitOf(t: Transaction, unitId: string): Promise<{ acronym: string; name: string; receives: boolean } | null> {
  const [unit] = await select<{ acronym: string; name: string; receives_external: boolean }>(t, 'SELECT acronym, name, receives_external FROM units WHERE id = $1', [unitId]);
  return unit ? { acronym: unit.acronym, name: unit.name, receives: unit.receives_external } : null;
}

/** Sending: local document type → espécie (null removes the map). */
export async function setSendMapping(documentTypeId: string, especieCode: number | null): Promise<void> {
  await setMapRow(
    { table: 'tramita_send_map', keyColumn: 'document_type_id', valueColumn: 'especie_code', checkKey: (id: string) => checkDocumentType(id, 'documentTypeId'), checkValue: (code: number) => checkEspecie(code, 'especieCode') },
    documentTypeId,
    especieCode,
  );
}

/** Receiving: espécie → local document type (null removes the map). */
export async function setReceiveMapping(especieCode: number, documentTypeId: string | null): Promise<void> {
  await setMapRow(
    { table: 'tramita_receive_map', keyColumn: 'especie_code', valueColumn: 'document_type_id', checkKey: (code: number) => checkEspecie(code, 'especieCode'), checkValue: (id: string) => checkDocumentType(id, 'documentTypeId') },
    especieCode,
    documentTypeId,
  );
}

/** Sending: local legal basis → national hipótese legal (null: by name, or the default). */
export async function setLegalBasisSendMapping(legalBasisId: string, hipotese: string | null): Promise<void> {
  const field = `hipotese-${legalBasisId}`;
  await setMapRow(
    { table: 'tramita_legal_basis_send_map', keyColumn: 'legal_basis_id', valueColumn: 'hipotese', checkKey: (id: string) => checkLegalBasis(id, field), checkValue: (h: string) => checkHipotese(h, field) },
    legalBasisId,
    hipotese,
  );
}

/** Receiving: national hipótese legal → local legal basis (null: by name, or the default). */
export async function setLegalBasisReceiveMapping(hipotese: string, legalBasisId: string | null): Promise<void> {
  await setMapRow(
    {
      table: 'tramita_legal_basis_map', keyColumn: 'hipotese', valueColumn: 'legal_basis_id', keySql: 'lower($1)',
      checkKey: (h: string) => checkHipotese(h, 'hipotese'), checkValue: (id: string) => checkLegalBasis(id, 'legalBasisId'),
    },
    hipotese,
    legalBasisId,
  );
}

export interface TramitaDefaults {
  defaultSendEspecie: number | null;
  defaultReceiveDocumentTypeId: string | null;
  defaultLegalBasisId: string | null;
  receivedProcessTypeId: string | null;
  /** The hipótese a legal basis with no map nor national namesake travels as (undefined: left as it is). */
  defaultSendHipotese?: string | null;
}

export async function setTramitaDefaults(d: TramitaDefaults): Promise<void> {
  await inTenant(async (t) => {
    if (d.defaultSendEspecie !== null) checkEspecie(d.defaultSendEspecie, 'defaultSendEspecie');
    if (d.defaultReceiveDocumentTypeId !== null) await checkDocumentType(d.defaultReceiveDocumentTypeId, 'defaultReceiveDocumentTypeId');
    if (d.defaultLegalBasisId) await checkLegalBasis(d.defaultLegalBasisId, 'defaultReceiveLegalBasisId');
    if (d.defaultSendHipotese) checkHipotese(d.defaultSendHipotese, 'defaultSendHipotese');
    await execute(
      t,
      `INSERT INTO tramita_settings (id, default_send_especie, default_receive_document_type_id, default_legal_basis_id, received_process_type_id)
       VALUES (true, $1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET default_send_especie = EXCLUDED.default_send_especie,
         default_receive_document_type_id = EXCLUDED.default_receive_document_type_id,
         default_legal_basis_id = EXCLUDED.default_legal_basis_id, received_process_type_id = EXCLUDED.received_process_type_id`,
      [d.defaultSendEspecie, d.defaultReceiveDocumentTypeId, d.defaultLegalBasisId, d.receivedProcessTypeId],
    );
    if (d.defaultSendHipotese !== undefined) await execute(t, 'UPDATE tramita_settings SET default_send_hipotese = $1', [d.defaultSendHipotese]);
  });
}

export interface DirectoryUnit {
  tenantId: string;
  ente: string;
  uf: string;
  unitId: string;
  unit: string;
}

/** The platform directory of receiving units, by ente or unit name (accents and case ignored), other tenants only. */
export async function receivingDirectory(q: string): Promise<DirectoryUnit[]> {
  return inTenant(async (t) =>
    select<DirectoryUnit>(
      t,
      `SELECT ru.tenant_id::text AS "tenantId", te.name AS ente, te.uf, ru.unit_id::text AS "unitId", ru.acronym || ' — ' || ru.name AS unit
         FROM platform.tramita_receiving_units ru JOIN platform.tenants te ON te.id = ru.tenant_id
        WHERE te.status = 'active' AND ru.tenant_id <> $2
          AND ($1 = '' OR extensions.immutable_unaccent(lower(te.name || ' ' || ru.acronym || ' ' || ru.name)) LIKE '%' || extensions.immutable_unaccent(lower($1)) || '%')
        ORDER BY te.name, ru.acronym LIMIT 50`,
      [q.trim().slice(0, 100), requireTenant().id],
    ),
  );
}

export interface TramitaAdminInput {
  receivingUnitIds: string[];
  /** Document type id → espécie code (null: no map). */
  sendMap: Record<string, number | null>;
  defaultSendEspecie: number | null;
  defaultReceiveDocumentTypeId: string | null;
  /** Espécie code → local document type id (null: removed). */
  receiveMap: Record<string, string | null>;
  /** Legal basis id → national hipótese (null: by name, or the default). */
  basisSendMap: Record<string, string | null>;
  defaultSendHipotese: string | null;
  /** National hipótese → local legal basis id (null: by name, or the default). */
  hipoteseReceiveMap: Record<string, string | null>;
  defaultReceiveLegalBasisId: string | null;
}

/** Saves the administration page in one transaction, audited: the receiving units, the maps of both directions (document types, hipóteses legais) and the defaults. */
export async function saveTramitaAdmin(actor: AuditActor, input: TramitaAdminInput): Promise<void> {
  if (!input.receivingUnitIds.length) {
    throw new ValidationError('Corrija os campos indicados.', { receiving: 'Marque pelo menos uma unidade que recebe processos de outros órgãos (normalmente o protocolo).' });
  }
  await inTenant(async (t) => {
    const units = await select<{ id: string; receives_external: boolean }>(t, 'SELECT id, receives_external FROM units WHERE active');
    const wanted = new Set(input.receivingUnitIds);
    for (const u of units) {
      const receives = wanted.has(String(u.id));
      if (receives !== u.receives_external) await setReceivingUnit(String(u.id), receives);
    }
    for (const [typeId, code] of Object.entries(input.sendMap)) await setSendMapping(typeId, code);
    for (const [code, typeId] of Object.entries(input.receiveMap)) await setReceiveMapping(Number(code), typeId);
    for (const [basisId, hipotese] of Object.entries(input.basisSendMap)) await setLegalBasisSendMapping(basisId, hipotese);
    for (const [hipotese, basisId] of Object.entries(input.hipoteseReceiveMap)) await setLegalBasisReceiveMapping(hipotese, basisId);
    const [current] = await select<{ received_process_type_id: string | null }>(t, 'SELECT received_process_type_id FROM tramita_settings');
    await setTramitaDefaults({
      defaultSendEspecie: input.defaultSendEspecie,
      defaultReceiveDocumentTypeId: input.defaultReceiveDocumentTypeId,
      defaultLegalBasisId: input.defaultReceiveLegalBasisId,
      receivedProcessTypeId: current?.received_process_type_id ?? null,
      defaultSendHipotese: input.defaultSendHipotese,
    });
    await recordChange(actor, { action: 'tramita.settings', entity: 'tramita', entityId: null, before: null, after: { ...input } });
  });
}
