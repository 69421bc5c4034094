import type { Transaction } from 'sequelize';
import { execute, select } from '../db/sql';
import { sha256Hex } from '../documents/storage';
import { createReceivedDocument } from '../documents/service';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { Process, ProcessUnit } from '../models';
import { setProcessParties } from '../processes/create';
import { recordEvent } from '../processes/events';
import { inTenant, requireTenant } from '../tenancy/context';
import type { Actor } from '../web/actor';
import { receivingUnitOf } from './admin';
import { especieName, hipoteseShortName } from './especies';
import { buildReceipt, type ComponentDocument, type PackageMetadata } from './package';
import { syncOriginQuietly } from './sync';
import { transitBlocker } from '../processes/rules';
import { externalTransitOf, REFUSAL_CODES, STATE_LABELS, type RefusalCode, type TransferState } from './transit';
import { ID_PATTERN } from '../documents/ids';

export { REFUSAL_CODES, type RefusalCode };

/** The sender's name: its tenant's, or for a package imported from a file, the ente its manifest names. */
export const originNameSql = (tenantAlias: string): string => `COALESCE(${tenantAlias}.name, tr.external_origin || ' (fora do PEN Nuvem)')`;
const ORIGIN_NAME_SQL = originNameSql('te');

interface TransferRow {
  id: string;
  state: TransferState;
  nup: string;
  origin_tenant_id: string | null;
  imported: boolean;
  accept_requested_at: Date | null;
  accept_error: string | null;
  origin_name: string;
  origin_unit_name: string;
  receiver_unit_id: string;
  receiver_unit_name: string;
  message: string | null;
  metadata: PackageMetadata;
  component_count: number;
  total_bytes: string;
  created_at: Date;
  refusal_code: RefusalCode | null;
  refusal_reason: string | null;
  receiver_process_id: string | null;
}

/** A line of "Recebidos de outros órgãos". */
export interface ReceivedListItem {
  id: string;
  nup: string;
  sender: string;
  state: TransferState;
  stateLabel: string;
  sentAt: Date;
}

/**
 * A transfer addressed to the actor's unit of the current tenant, or 404: a user of any other
 * tenant or unit, guessing the id, finds nothing.
 */
export async function receivedTransfer(t: Transaction, actor: Actor, transferId: string, lock: boolean): Promise<TransferRow> {
  const [row] = ID_PATTERN.test(transferId)
    ? await select<TransferRow>(
        t,
        `SELECT tr.id, tr.state, tr.nup, tr.origin_tenant_id, ${ORIGIN_NAME_SQL} AS origin_name, tr.origin_unit_name, tr.receiver_unit_id, tr.receiver_unit_name,
                tr.message, tr.metadata, tr.component_count, tr.total_bytes, tr.created_at, tr.refusal_code, tr.refusal_reason, tr.receiver_process_id,
                tr.origin_tenant_id IS NULL AS imported, tr.accept_requested_at, tr.accept_error
           FROM platform.tramita_transfers tr LEFT JOIN platform.tenants te ON te.id = tr.origin_tenant_id
          WHERE tr.id = $1 AND tr.receiver_tenant_id = $2 AND tr.receiver_unit_id = $3 ${lock ? 'FOR UPDATE OF tr' : ''}`,
        [transferId, requireTenant().id, actor.unitId],
      )
    : [];
  if (!row) throw new NotFoundError('Trâmite não encontrado.');
  return row;
}

/** "Recebidos de outros órgãos": the transfers addressed to the actor's unit, newest first. */
export async function receivedTransfers(actor: Actor): Promise<ReceivedListItem[]> {
  return inTenant(async (t) => {
    const rows = await select<Omit<ReceivedListItem, 'stateLabel'>>(
      t,
      `SELECT tr.id::text AS id, tr.nup, ${ORIGIN_NAME_SQL} || ' / ' || tr.origin_unit_name AS sender, tr.state, tr.created_at AS "sentAt"
         FROM platform.tramita_transfers tr LEFT JOIN platform.tenants te ON te.id = tr.origin_tenant_id
        WHERE tr.receiver_tenant_id = $1 AND tr.receiver_unit_id = $2 AND tr.state <> 'iniciado'
        ORDER BY tr.created_at DESC LIMIT 200`,
      [requireTenant().id, actor.unitId],
    );
    return rows.map((r) => ({ ...r, stateLabel: STATE_LABELS[r.state] }));
  });
}

/** The "Recebidos de outros órgãos" page: the list, and whether the actor's unit receives (and so may import a package file). */
export async function receivedPage(actor: Actor): Promise<{ transfers: ReceivedListItem[]; canImport: boolean }> {
  return inTenant(async (t) => {
    return { transfers: await receivedTransfers(actor), canImport: Boolean((await receivingUnitOf(t, actor.unitId))?.receives) };
  });
}

interface ComponentRow {
  position: number;
  sha256: string;
  size: string;
  mime: string;
  file_name: string;
  document: ComponentDocument;
  /** Held already by this tenant (return trip): no bytes travelled, its own copy is checked. */
  referenced: boolean;
}

export interface ComponentCheck {
  position: number;
  title: string;
  especie: string;
  sha256: string;
  size: number;
  present: boolean;
  hashOk: boolean;
  /** Travelled as a reference to the copy this tenant already holds. */
  referenced: boolean;
}

/** Every component's presence and hash, from the stored bytes (what acceptance checks again under the lock). */
async function verifyComponents(t: Transaction, transferId: string, numberDigits: string): Promise<{ checks: ComponentCheck[]; rows: ComponentRow[]; bytes: Map<number, Buffer> }> {
  const rows = await select<ComponentRow>(
    t,
    'SELECT position, sha256, size, mime, file_name, document, referenced FROM platform.tramita_components WHERE transfer_id = $1 ORDER BY position',
    [transferId],
  );
  const held = rows.some((c) => c.referenced) ? await heldHere(t, numberDigits) : new Set<string>();
  const bytes = new Map<number, Buffer>();
  const checks: ComponentCheck[] = [];
  for (const c of rows) {
    const check = { position: c.position, title: c.document.title, especie: `${c.document.especieCode} — ${especieName(c.document.especieCode) ?? 'espécie desconhecida'}`, sha256: c.sha256, size: Number(c.size), referenced: c.referenced };
    if (c.referenced) {
      // A reference is present when this tenant's process of that NUP holds those bytes (checked by its hash).
      checks.push({ ...check, present: held.has(c.sha256), hashOk: held.has(c.sha256) });
      continue;
    }
    const [blob] = await select<{ content: Buffer }>(t, 'SELECT content FROM platform.tramita_blobs WHERE sha256 = $1', [c.sha256]);
    const hashOk = Boolean(blob) && sha256Hex(blob.content) === c.sha256 && blob.content.length === Number(c.size);
    if (blob) bytes.set(c.position, blob.content);
    checks.push({ ...check, present: Boolean(blob), hashOk });
  }
  return { checks, rows, bytes };
}

/**
 * What this tenant holds of the process numbered `numberDigits`, by hash, in its own schema: its
 * external documents' bytes, and every component of the transfers it sent or received of it (the
 * hashes in its receipts: an internal document travelled as the PDF rendered at sending).
 */
async function heldHere(t: Transaction, numberDigits: string): Promise<Set<string>> {
  const rows = await select<{ sha256: string }>(
    t,
    `SELECT d.file_sha256 AS sha256 FROM processes p JOIN documents d ON d.process_id = p.id
      WHERE p.number_digits = $1 AND d.file_sha256 IS NOT NULL AND d.deleted_at IS NULL
     UNION
     SELECT h.sha256 FROM processes p JOIN tramita_receipts r ON r.process_id = p.id, jsonb_array_elements_text(r.receipt->'hashes') AS h(sha256)
      WHERE p.number_digits = $1`,
    [numberDigits],
  );
  return new Set(rows.map((r) => r.sha256));
}

export interface PackageView {
  id: string;
  nup: string;
  state: TransferState;
  stateLabel: string;
  sender: string;
  message: string | null;
  sentAt: Date;
  metadata: PackageMetadata;
  components: ComponentCheck[];
  /** Some components travelled as references: this tenant has the process already (return trip). */
  returning: boolean;
  /** Imported from a package file (from outside PEN Nuvem). */
  imported: boolean;
  /** A large package's acceptance, asked for and being run by the worker; or why its last run could not accept it. */
  accepting: { since: Date } | null;
  acceptError: string | null;
  /** The refusal the verification would make by itself (02/03), if any. */
  automaticRefusal: RefusalCode | null;
  refusal: { code: RefusalCode; label: string; reason: string | null } | null;
}

/** The package page: metadata and every component verified (presence and hash). */
export async function packageFor(actor: Actor, transferId: string): Promise<PackageView> {
  return inTenant(async (t) => {
    const row = await receivedTransfer(t, actor, transferId, false);
    const { checks } = await verifyComponents(t, String(row.id), row.metadata.numberDigits);
    const automaticRefusal: RefusalCode | null = checks.some((c) => !c.present) ? '03' : checks.some((c) => !c.hashOk) ? '02' : null;
    return {
      id: String(row.id),
      nup: row.nup,
      state: row.state,
      stateLabel: STATE_LABELS[row.state],
      sender: `${row.origin_name} / ${row.origin_unit_name}`,
      message: row.message,
      sentAt: row.created_at,
      metadata: row.metadata,
      components: checks,
      returning: checks.some((c) => c.referenced),
      imported: row.imported,
      accepting: row.state === 'componentes_enviados' && row.accept_requested_at ? { since: row.accept_requested_at } : null,
      acceptError: row.accept_error,
      automaticRefusal,
      refusal: row.refusal_code ? { code: row.refusal_code, label: REFUSAL_CODES[row.refusal_code], reason: row.refusal_reason } : null,
    };
  });
}

export function notAwaiting(state: TransferState): ConflictError {
  return new ConflictError(`Este trâmite não aguarda mais o recebimento: ${STATE_LABELS[state].toLowerCase()}.`);
}

export async function markRefused(t: Transaction, transferId: string, code: RefusalCode, reason: string | null): Promise<void> {
  await execute(
    t,
    `UPDATE platform.tramita_transfers SET state = 'recusado', refusal_code = $2, refusal_reason = $3, ended_at = now(), updated_at = now() WHERE id = $1`,
    [transferId, code, reason],
  );
  await execute(t, `INSERT INTO platform.tramita_events (transfer_id, state, note) VALUES ($1, 'recusado', $2)`, [transferId, `${code} ${reason ?? ''}`.trim()]);
}

export type AcceptOutcome = { outcome: 'accepted'; processId: string; receiptSha256: string; /** The process was here already (return trip): the new documents were appended to it. */ returned: boolean; added: number } | { outcome: 'refused'; code: RefusalCode; reason: string };

/**
 * "Aceitar": under the transfer's row lock, verifies every component again (a missing one refuses
 * with 03, a failed hash with 02, an espécie with no local type nor default with 04 — by themselves,
 * committed as the refusal), then creates the process in this tenant keeping the NUP, each component
 * as an external document with its bytes, the andamento "Recebido de <ente> / <unidade>", the
 * receipt here and on the platform, and sets the transfer `recebido` — all in this ONE transaction.
 */
export async function acceptTransfer(actor: Actor, transferId: string): Promise<AcceptOutcome> {
  const outcome = await acceptInOneTransaction(actor, transferId);
  // After the commit, the origin's side (its andamento, receipt copy, unblocking) in its own transaction.
  await syncOriginQuietly(transferId);
  return outcome;
}

async function acceptInOneTransaction(actor: Actor, transferId: string): Promise<AcceptOutcome> {
  const tenant = requireTenant();
  return inTenant(async (t) => {
    const row = await receivedTransfer(t, actor, transferId, true);
    if (row.state !== 'componentes_enviados') throw notAwaiting(row.state);
    const id = String(row.id);
    const { checks, rows, bytes } = await verifyComponents(t, id, row.metadata.numberDigits);
    const missing = checks.filter((c) => !c.present);
    if (missing.length) {
      const reason = `Componente(s) ausente(s): ${missing.map((c) => `${c.title} (${c.sha256})`).join(', ')}`;
      await markRefused(t, id, '03', reason);
      return { outcome: 'refused', code: '03', reason };
    }
    const corrupt = checks.filter((c) => !c.hashOk);
    if (corrupt.length) {
      const reason = `O hash não confere: ${corrupt.map((c) => `${c.title} (${c.sha256})`).join(', ')}`;
      await markRefused(t, id, '02', reason);
      return { outcome: 'refused', code: '02', reason };
    }
    const [settings] = await select<{ default_receive_document_type_id: string | null; default_legal_basis_id: string | null; received_process_type_id: string | null }>(
      t,
      'SELECT default_receive_document_type_id, default_legal_basis_id, received_process_type_id FROM tramita_settings',
    );
    const maps = await select<{ especie_code: number; document_type_id: string }>(t, 'SELECT especie_code, document_type_id FROM tramita_receive_map');
    const typeFor = new Map(maps.map((m) => [Number(m.especie_code), String(m.document_type_id)]));
    const fallback = settings?.default_receive_document_type_id ? String(settings.default_receive_document_type_id) : null;
    const unmapped = [...new Set(rows.map((c) => c.document.especieCode).filter((code) => !typeFor.has(code) && !fallback))];
    if (unmapped.length) {
      const reason = `Espécie(s) documental(is) sem tipo de documento correspondente neste órgão: ${unmapped.map((c) => `${c} — ${especieName(c) ?? 'desconhecida'}`).join(', ')}`;
      await markRefused(t, id, '04', reason);
      return { outcome: 'refused', code: '04', reason };
    }
    const meta = row.metadata;
    // A hipótese legal arrives by name: a legal basis of the same name, else the map, else the default.
    const resolved = new Map<string, string | null>();
    const basisFor = async (name: string): Promise<string | null> => {
      if (!resolved.has(name)) {
        // In this order: a legal basis of that very name, the administrator's map, one named as the hipótese's short name.
        const [basis] = await select<{ id: string }>(
          t,
          `SELECT id FROM (
             SELECT id, 0 AS rank FROM legal_bases WHERE active AND lower(name) = lower($1)
             UNION ALL SELECT legal_basis_id, 1 FROM tramita_legal_basis_map WHERE hipotese = lower($1)
             UNION ALL SELECT id, 2 FROM legal_bases WHERE active AND extensions.immutable_unaccent(lower(name)) = extensions.immutable_unaccent(lower($2))
           ) c ORDER BY rank, id LIMIT 1`,
          [name, hipoteseShortName(name)],
        );
        resolved.set(name, basis ? String(basis.id) : settings?.default_legal_basis_id ? String(settings.default_legal_basis_id) : null);
      }
      return resolved.get(name)!;
    };
    const wanted = [
      ...(meta.accessLevel !== 'public' ? [meta.legalBasis?.name ?? ''] : []),
      ...rows.filter((c) => c.document.accessLevel !== 'public').map((c) => c.document.legalBasis ?? meta.legalBasis?.name ?? ''),
    ];
    const unresolved: string[] = [];
    for (const name of new Set(wanted)) if (!(await basisFor(name))) unresolved.push(name || '(não informada)');
    if (unresolved.length) {
      const reason = `Hipótese legal sem correspondente neste órgão: ${unresolved.join(', ')}`;
      await markRefused(t, id, '99', reason);
      return { outcome: 'refused', code: '99', reason };
    }
    const legalBasisId = meta.accessLevel !== 'public' ? await basisFor(meta.legalBasis?.name ?? '') : null;
    const [type] = await select<{ id: string }>(
      t,
      `SELECT id FROM (
         SELECT id, 0 AS rank FROM process_types WHERE active AND id = $1
         UNION ALL SELECT id, 1 FROM process_types WHERE active AND lower(name) = lower($2)
         UNION ALL SELECT id, 2 FROM (SELECT id FROM process_types WHERE active ORDER BY id LIMIT 1) f
       ) c ORDER BY rank LIMIT 1`,
      [settings?.received_process_type_id ?? null, meta.processType],
    );
    if (!type) throw new ConflictError('Este órgão não tem tipo de processo ativo para registrar o processo recebido.');
    // The return trip: the process this tenant already has of that NUP (it travelled from or to here)
    // gets the new documents; a process of that number that never travelled is a conflict.
    const [taken] = await select<{ id: string; travelled: boolean }>(
      t,
      'SELECT p.id, EXISTS (SELECT 1 FROM tramita_receipts r WHERE r.process_id = p.id) AS travelled FROM processes p WHERE p.number_digits = $1',
      [meta.numberDigits],
    );
    if (taken && !taken.travelled) throw new ConflictError(`Já existe neste órgão um processo com o número ${meta.nup}.`);
    // A process of this tenant in transit elsewhere is read-only here until that transfer ends (the same block as every action).
    const transit = taken ? await externalTransitOf(t, String(taken.id)) : null;
    if (transit) throw new ConflictError(`${transitBlocker({ externalTransitTo: transit.receiverName })} Aceite este trâmite quando aquele terminar.`);
    // Only what this tenant does not hold yet joins the process (a reference never carries bytes; a
    // package file carries every component, and one imported twice adds nothing the second time).
    const heldNow = taken ? await heldHere(t, meta.numberDigits) : new Set<string>();
    const travelling = rows.filter((r) => !r.referenced && !heldNow.has(r.sha256));
    const processId = taken ? String(taken.id) : await createReceivedProcess(t, actor, meta, String(type.id), legalBasisId);
    if (taken) {
      await execute(
        t,
        `INSERT INTO process_units (process_id, unit_id, list, open, unread) VALUES ($1, $2, 'received', true, false)
         ON CONFLICT (process_id, unit_id) DO UPDATE SET list = 'received', open = true, unread = false, arrived_at = now(), concluded_at = NULL, concluded_by_id = NULL`,
        [processId, actor.unitId],
      );
    }
    const sender = `${row.origin_name} / ${row.origin_unit_name}`;
    await recordEvent(t, processId, actor, {
      kind: 'tramita.received',
      description: `Recebido de ${sender} (trâmite externo nº ${id})`,
      details: { transferId: id, originTenantId: row.origin_tenant_id ? String(row.origin_tenant_id) : null, imported: row.imported, message: row.message, ...(taken ? { returned: true, referenced: rows.length - travelling.length } : {}) },
    });
    for (const c of travelling) {
      await createReceivedDocument(t, actor, processId, {
        documentTypeId: typeFor.get(c.document.especieCode) ?? fallback!,
        title: c.document.title,
        complement: c.document.complement ?? null,
        // A document keeps its own level when it is more restricted than its process (as at the origin).
        accessLevel: c.document.accessLevel === 'public' ? meta.accessLevel : c.document.accessLevel,
        legalBasisId: c.document.accessLevel === 'public' ? legalBasisId : await basisFor(c.document.legalBasis ?? meta.legalBasis?.name ?? ''),
        bytes: bytes.get(c.position)!,
        fileName: c.file_name,
        mime: c.mime,
        documentDate: c.document.documentDate ?? new Date().toISOString().slice(0, 10),
        sender,
      });
    }
    const { receipt, sha256 } = buildReceipt({
      transferId: id,
      nup: meta.nup,
      sender: { ente: row.origin_name, unit: row.origin_unit_name },
      receiver: { ente: tenant.name, unit: row.receiver_unit_name },
      issuedAt: new Date().toISOString(),
      hashes: rows.map((c) => c.sha256),
    });
    await execute(t, `INSERT INTO tramita_receipts (transfer_id, role, process_id, receipt, receipt_sha256) VALUES ($1, 'received', $2, $3, $4)`, [id, processId, JSON.stringify(receipt), sha256]);
    await execute(t, 'INSERT INTO platform.tramita_receipts (transfer_id, receipt, receipt_sha256) VALUES ($1, $2, $3)', [id, JSON.stringify(receipt), sha256]);
    await execute(
      t,
      `UPDATE platform.tramita_transfers SET state = 'recebido', receiver_process_id = $2, ended_at = now(), updated_at = now() WHERE id = $1`,
      [id, processId],
    );
    await execute(t, `INSERT INTO platform.tramita_events (transfer_id, state) VALUES ($1, 'recebido')`, [id]);
    if (!taken) await execute(t, 'UPDATE platform.tenant_figures SET processes = processes + 1 WHERE tenant_id = $1', [tenant.id]);
    return { outcome: 'accepted', processId, receiptSha256: sha256, returned: Boolean(taken), added: travelling.length };
  });
}

/** A process created by acceptance: the NUP kept, its interessados, open in the receiving unit. */
async function createReceivedProcess(t: Transaction, actor: Actor, meta: PackageMetadata, processTypeId: string, legalBasisId: string | null): Promise<string> {
  const process = await Process.create(
    {
      number: meta.nup,
      numberDigits: meta.numberDigits,
      numbering: meta.numbering,
      year: meta.year,
      processTypeId,
      specification: meta.specification.slice(0, 100),
      accessLevel: meta.accessLevel,
      legalBasisId,
      secrecyGrade: null,
      originUnitId: actor.unitId,
      createdById: actor.userId,
    },
    { transaction: t },
  );
  const processId = String(process.id);
  await setProcessParties(t, processId, meta.interessados.map((p) => ({ name: p.name, document: p.document })));
  await ProcessUnit.create({ processId, unitId: actor.unitId, list: 'received', open: true, unread: false, sentFromUnitId: null }, { transaction: t });
  return processId;
}

/** "Recusar" with a code (99 needs the reason in words); only while the transfer awaits receipt. */
export async function refuseTransfer(actor: Actor, transferId: string, code: string, reason: string | null): Promise<void> {
  const why = reason?.trim() ? reason.trim().slice(0, 1000) : null;
  const fields: Record<string, string> = {};
  if (!(code in REFUSAL_CODES)) fields.code = 'Escolha o motivo da recusa na lista.';
  if (code === '99' && (!why || why.length < 5)) fields.reason = 'Descreva o motivo da recusa (pelo menos 5 caracteres).';
  if (Object.keys(fields).length) throw new ValidationError('Corrija os campos indicados.', fields);
  await inTenant(async (t) => {
    const row = await receivedTransfer(t, actor, transferId, true);
    if (row.state !== 'componentes_enviados') throw notAwaiting(row.state);
    if (row.accept_requested_at) throw new ConflictError('O aceite deste trâmite já foi pedido e está em processamento: não é possível recusá-lo agora.');
    await markRefused(t, String(row.id), code as RefusalCode, why);
  });
  await syncOriginQuietly(transferId);
}
