import { UniqueConstraintError, type Transaction } from 'sequelize';
import { execute, select } from '../db/sql';
import { ConflictError, NotFoundError, PermissionDeniedError, ValidationError } from '../errors';
import { Unit } from '../models';
import { effectiveLevelSql, type Viewer } from '../processes/access';
import { recordEvent } from '../processes/events';
import { loadProcess } from '../processes/state';
import { inTenant, requireTenant } from '../tenancy/context';
import { sendingHipoteses, type HipoteseOf } from './hipoteses';
import { packComponents, travellingDocuments, type PackageMetadata, type PackedComponent } from './package';
import { buildManifest, type PackageManifest } from './packageFile';
import { packTransfer } from './packing';
import { expiryOf, LIVE_STATES_SQL, STATE_LABELS, type TransferState } from './transit';
import { ID_PATTERN } from '../documents/ids';

/** The largest component a receiver accepts (every tenant shares the deployment's limit). */
export const MAX_COMPONENT_BYTES = 100 * 1024 * 1024;

export interface ExternalSendInput {
  receiverTenantId: string;
  receiverUnitId: string;
  message: string | null;
  keepOpen: boolean;
}

export interface ExternalSendOptions {
  now?: Date;
  /** Days until a transfer nobody received is cancelled automatically (default: the operators' setting in the console). */
  timeoutDays?: number;
  /** Up to what size the request packs (INLINE_PACKING by default): a test sends a large process to the worker with a smaller one. */
  inlinePacking?: { documents: number; bytes: number };
}

/** The prerequisites of sending, each with its message: checked before anything is packed. */
async function prerequisiteFailures(t: Transaction, processId: string, viewer: Viewer): Promise<{ fields: Record<string, string>; defaultEspecie: number | null; hipoteseOf: HipoteseOf }> {
  const loaded = await loadProcess(t, processId, viewer, true);
  const { process, state } = loaded;
  if (!state.canRead) throw new PermissionDeniedError('Este processo é restrito às unidades por onde tramitou.');
  const fields: Record<string, string> = {};
  if (state.externalTransitTo) fields.transito = `O processo já está em trâmite externo para ${state.externalTransitTo}.`;
  if (!state.openHere) fields.unidade = 'Só é possível enviar a outro órgão um processo aberto na sua unidade.';
  if (state.annexed) fields.anexado = 'Este processo está anexado a outro: envie o processo principal.';
  if (state.suspended) fields.sobrestado = 'O processo está sobrestado: remova o sobrestamento antes de enviá-lo a outro órgão.';
  const [level] = await select<{ effective: string }>(t, `SELECT ${effectiveLevelSql('p')} AS effective FROM processes p WHERE p.id = $1`, [processId]);
  if (process.accessLevel === 'secret' || level?.effective === 'secret') fields.sigiloso = 'Processos sigilosos não podem ser enviados a outro órgão (nem os que têm documento sigiloso).';
  if (!process.specification?.trim()) fields.especificacao = 'Preencha a especificação do processo antes de enviá-lo a outro órgão.';
  const [parties] = await select<{ n: string }>(t, 'SELECT count(*) AS n FROM process_parties WHERE process_id = $1', [processId]);
  if (Number(parties.n) === 0) fields.interessados = 'Inclua ao menos um interessado no processo antes de enviá-lo a outro órgão.';
  const docs = await travellingDocuments(t, processId);
  const minutas = docs.filter((d) => d.kind === 'internal' && !(d.signatures ?? []).length);
  if (minutas.length) {
    fields.minutas = `O processo tem ${minutas.length > 1 ? 'minutas não assinadas' : 'uma minuta não assinada'} (${minutas.map((d) => `${d.title} (${d.number})`).join(', ')}): assine ou exclua antes de enviar.`;
  }
  const [settings] = await select<{ default_send_especie: number | null }>(t, 'SELECT default_send_especie FROM tramita_settings');
  const defaultEspecie = settings?.default_send_especie ?? null;
  if (defaultEspecie === null) {
    const unmapped = [...new Set(docs.filter((d) => d.especie_code === null).map((d) => d.type_name))];
    if (unmapped.length) {
      fields.tipos = `${unmapped.length > 1 ? 'Os tipos de documento' : 'O tipo de documento'} ${unmapped.map((n) => `"${n}"`).join(', ')} não ${unmapped.length > 1 ? 'estão mapeados' : 'está mapeado'} para uma espécie documental, e não há espécie padrão: peça ao administrador que faça o mapeamento.`;
    }
  }
  const hipoteseOf = await sendingHipoteses(t);
  const bases = new Map<string, string>();
  const [processBasis] = process.legalBasisId ? await select<{ name: string }>(t, 'SELECT name FROM legal_bases WHERE id = $1', [process.legalBasisId]) : [];
  if (process.accessLevel !== 'public' && process.legalBasisId && processBasis) bases.set(String(process.legalBasisId), processBasis.name);
  for (const d of docs) if (d.access_level !== 'public' && d.legal_basis_id && d.legal_basis) bases.set(String(d.legal_basis_id), d.legal_basis);
  const unmappedBases = [...bases].filter(([id, name]) => !hipoteseOf(id, name)).map(([, name]) => `"${name}"`);
  if (unmappedBases.length) {
    fields.hipoteses = `${unmappedBases.length > 1 ? 'As hipóteses legais' : 'A hipótese legal'} ${unmappedBases.join(', ')} não ${unmappedBases.length > 1 ? 'correspondem' : 'corresponde'} a uma hipótese legal da lista nacional, e não há hipótese padrão para envio: peça ao administrador que faça a correspondência.`;
  }
  const [sizes] = await select<{ big: string | null }>(
    t,
    `SELECT string_agg(d.title || ' (' || d.number || ')', ', ') AS big FROM documents d
      WHERE d.process_id = $1 AND d.deleted_at IS NULL AND d.cancelled_at IS NULL AND d.file_size > $2`,
    [processId, MAX_COMPONENT_BYTES],
  );
  if (sizes.big) fields.tamanho = `Documentos maiores que o limite do destinatário (${MAX_COMPONENT_BYTES / 1024 / 1024} MB): ${sizes.big}.`;
  return { fields, defaultEspecie, hipoteseOf };
}

/** The process metadata a package carries (number kept as is, type, especificação, interessados, level, andamentos, origin). */
async function packageMetadata(t: Transaction, processId: string, viewer: Viewer, message: string | null, hipoteseOf: HipoteseOf) {
  const tenant = requireTenant();
  const [p] = await select<{
    number: string; number_digits: string; numbering: PackageMetadata['numbering']; year: number; type_name: string; specification: string;
    access_level: PackageMetadata['accessLevel']; lb_id: string | null; lb_name: string | null; lb_basis: string | null;
  }>(
    t,
    `SELECT p.number, p.number_digits, p.numbering, p.year, pt.name AS type_name, p.specification, p.access_level, lb.id AS lb_id, lb.name AS lb_name, lb.basis AS lb_basis
       FROM processes p JOIN process_types pt ON pt.id = p.process_type_id LEFT JOIN legal_bases lb ON lb.id = p.legal_basis_id
      WHERE p.id = $1`,
    [processId],
  );
  const interessados = await select<{ name: string; document: string | null }>(
    t,
    'SELECT pa.name, pa.document FROM process_parties pp JOIN parties pa ON pa.id = pp.party_id WHERE pp.process_id = $1 ORDER BY pp.position',
    [processId],
  );
  const andamentos = await select<{ at: Date; unit: string; description: string }>(
    t,
    `SELECT e.created_at AS at, u.acronym AS unit, e.description FROM process_events e JOIN units u ON u.id = e.unit_id
      WHERE e.process_id = $1 AND e.summary ORDER BY e.id`,
    [processId],
  );
  const unit = (await Unit.findByPk(viewer.unitId, { transaction: t }))!;
  const metadata: PackageMetadata = {
    nup: p.number,
    numberDigits: p.number_digits,
    numbering: p.numbering,
    year: p.year,
    processType: p.type_name,
    specification: p.specification,
    interessados,
    accessLevel: p.access_level,
    legalBasis: p.lb_name ? { name: hipoteseOf(p.lb_id, p.lb_name) ?? p.lb_name, basis: p.lb_basis ?? '' } : null,
    andamentos: andamentos.map((a) => ({ at: new Date(a.at).toISOString(), unit: a.unit, description: a.description })),
    origin: { ente: tenant.name, unitAcronym: unit.acronym, unitName: unit.name },
    message,
  };
  return { metadata, p };
}

/** A transfer this small is packed in the request that sends it; a larger one by the worker (the origin sees its progress). */
export const INLINE_PACKING = { documents: 20, bytes: 20 * 1024 * 1024 };

/**
 * "Enviar para outro órgão": checks every prerequisite (all failures at once, each with its message)
 * before anything is packed; then, in one transaction of the origin, creates the transfer
 * `iniciado` with the number of components it will carry and records the andamento. From that commit
 * on the process is read-only here (processes/rules.ts), until the transfer ends, so what is packed
 * is what was sent. Packing follows (server/tramita/packing.ts): here, for a process within
 * INLINE_PACKING; in the worker otherwise, or if this request dies half-way.
 */
export async function sendToOtherGovernment(
  processId: string,
  viewer: Viewer,
  input: ExternalSendInput,
  opts: ExternalSendOptions = {},
): Promise<{ transferId: string; packing: 'packed' | 'worker' }> {
  const tenant = requireTenant();
  const now = opts.now ?? new Date();
  const started = await inTenant(async (t) => {
    const { fields, hipoteseOf } = await prerequisiteFailures(t, processId, viewer);
    const message = input.message?.trim() ? input.message.trim().slice(0, 1000) : null;
    let receiver: { tenant_name: string; acronym: string; name: string } | undefined;
    if (!ID_PATTERN.test(input.receiverTenantId) || !ID_PATTERN.test(input.receiverUnitId)) {
      fields.destino = 'Escolha o órgão e a unidade de destino na lista.';
    } else if (input.receiverTenantId === String(tenant.id)) {
      fields.destino = 'Para enviar a uma unidade do próprio órgão, use "Enviar processo".';
    } else {
      [receiver] = await select<{ tenant_name: string; acronym: string; name: string }>(
        t,
        `SELECT te.name AS tenant_name, ru.acronym, ru.name FROM platform.tramita_receiving_units ru
           JOIN platform.tenants te ON te.id = ru.tenant_id
          WHERE ru.tenant_id = $1 AND ru.unit_id = $2 AND te.status = 'active'`,
        [input.receiverTenantId, input.receiverUnitId],
      );
      if (!receiver) fields.destino = 'A unidade escolhida não recebe processos de outros órgãos: escolha outra na lista.';
    }
    if (Object.keys(fields).length) throw new ValidationError('O processo não pode ser enviado a outro órgão: veja os motivos indicados.', fields);

    const { metadata, p } = await packageMetadata(t, processId, viewer, message, hipoteseOf);
    const docs = await travellingDocuments(t, processId);
    const [size] = await select<{ bytes: string }>(
      t,
      'SELECT coalesce(sum(file_size), 0) AS bytes FROM documents WHERE process_id = $1 AND deleted_at IS NULL AND cancelled_at IS NULL',
      [processId],
    );
    const expires = await expiryOf(t, now, opts.timeoutDays);
    let transferId: string;
    try {
      const [row] = await select<{ id: string }>(
        t,
        `INSERT INTO platform.tramita_transfers (state, origin_tenant_id, origin_unit_id, origin_unit_name, origin_user_id, origin_process_id, nup,
           receiver_tenant_id, receiver_unit_id, receiver_unit_name, message, keep_open, metadata, component_count, total_bytes, expires_at, created_at, updated_at)
         VALUES ('iniciado', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, $15, $15) RETURNING id`,
        [
          tenant.id, viewer.unitId, `${metadata.origin.unitAcronym} — ${metadata.origin.unitName}`, viewer.userId, processId, p.number,
          input.receiverTenantId, input.receiverUnitId, `${receiver!.acronym} — ${receiver!.name}`, message, input.keepOpen,
          JSON.stringify(metadata), docs.length, expires, now,
        ],
      );
      transferId = String(row.id);
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw new ConflictError('O processo já está em trâmite externo.');
      throw err;
    }
    await execute(t, `INSERT INTO platform.tramita_events (transfer_id, state, at, note) VALUES ($1, 'iniciado', $2, $3)`, [transferId, now, `${docs.length} componente(s) a empacotar`]);
    await recordEvent(t, processId, viewer, {
      kind: 'tramita.sent',
      description: `Processo em trâmite externo para ${receiver!.tenant_name} / ${receiver!.acronym} (trâmite nº ${transferId})`,
      details: { transferId, receiverTenantId: input.receiverTenantId, receiverUnitId: input.receiverUnitId, documents: docs.map((d) => ({ id: String(d.id), version: d.version })) },
    });
    const limit = opts.inlinePacking ?? INLINE_PACKING;
    return { transferId, inline: docs.length <= limit.documents && Number(size.bytes) <= limit.bytes };
  });
  if (!started.inline) return { transferId: started.transferId, packing: 'worker' };
  // Packed here, after the commit; if this request dies half-way, the worker resumes where it stopped.
  const outcome = await packTransfer(started.transferId, now);
  return { transferId: started.transferId, packing: outcome === 'packed' ? 'packed' : 'worker' };
}

/**
 * "Exportar pacote" (docs/tramita-package.md): the package a transfer would carry, for a system
 * outside PEN Nuvem. The same prerequisites as sending (the destination aside), the same metadata
 * and components hashed here; nothing is blocked, since nothing is waiting for an answer. The export
 * is an andamento of the process (who took its content out, and the components' hashes).
 */
export async function exportPackage(processId: string, viewer: Viewer): Promise<{ fileName: string; manifest: PackageManifest; components: PackedComponent[] }> {
  return inTenant(async (t) => {
    const { fields, defaultEspecie, hipoteseOf } = await prerequisiteFailures(t, processId, viewer);
    if (Object.keys(fields).length) throw new ValidationError('O pacote do processo não pode ser exportado: veja os motivos indicados.', fields);
    const { metadata, p } = await packageMetadata(t, processId, viewer, null, hipoteseOf);
    const components = await packComponents(t, await travellingDocuments(t, processId), defaultEspecie, hipoteseOf, requireTenant().name, p.number);
    const manifest = buildManifest(metadata, components);
    await recordEvent(t, processId, viewer, {
      kind: 'tramita.exported',
      description: `Pacote de trâmite exportado em arquivo (${components.length} componente(s)), para envio fora do PEN Nuvem`,
      details: { components: components.map((c) => c.sha256) },
    });
    return { fileName: `tramite-${p.number_digits}.zip`, manifest, components };
  });
}

/** A transfer of the current tenant as its origin sees it (404 for anyone else's). */
interface OriginRow {
  id: string;
  state: TransferState;
  origin_process_id: string;
  origin_unit_id: string;
  receiver_name: string;
  receiver_unit_name: string;
}

async function originTransfer(t: Transaction, transferId: string, lock: boolean): Promise<OriginRow> {
  const [row] = ID_PATTERN.test(transferId)
    ? await select<OriginRow>(
        t,
        `SELECT tr.id, tr.state, tr.origin_process_id, tr.origin_unit_id, te.name AS receiver_name, tr.receiver_unit_name
           FROM platform.tramita_transfers tr JOIN platform.tenants te ON te.id = tr.receiver_tenant_id
          WHERE tr.id = $1 AND tr.origin_tenant_id = $2 ${lock ? 'FOR UPDATE OF tr' : ''}`,
        [transferId, requireTenant().id],
      )
    : [];
  if (!row) throw new NotFoundError('Trâmite não encontrado.');
  return row;
}

/**
 * Cancels a transfer not yet received: one conditional UPDATE (under the row lock an acceptance also
 * takes), so a cancel racing an acceptance has exactly one winner. The origin unblocks with it.
 */
export async function cancelTransfer(transferId: string, viewer: Viewer): Promise<{ processId: string }> {
  return inTenant(async (t) => {
    const before = await originTransfer(t, transferId, false);
    if (String(before.origin_unit_id) !== String(viewer.unitId)) throw new PermissionDeniedError('Só a unidade que enviou o processo pode cancelar o trâmite.');
    const rows = await select<{ id: string }>(
      t,
      `UPDATE platform.tramita_transfers SET state = 'cancelado', ended_at = now(), updated_at = now(), origin_synced_at = now()
        WHERE id = $1 AND origin_tenant_id = $2 AND state IN ${LIVE_STATES_SQL} RETURNING id`,
      [transferId, requireTenant().id],
    );
    if (!rows.length) {
      const now = await originTransfer(t, transferId, false);
      throw new ConflictError(`O trâmite não pode mais ser cancelado: ${STATE_LABELS[now.state].toLowerCase()}.`);
    }
    await execute(t, `INSERT INTO platform.tramita_events (transfer_id, state) VALUES ($1, 'cancelado')`, [transferId]);
    await recordEvent(t, String(before.origin_process_id), viewer, {
      kind: 'tramita.cancelled',
      description: `Trâmite externo para ${before.receiver_name} / ${before.receiver_unit_name} cancelado (trâmite nº ${transferId})`,
      details: { transferId },
    });
    return { processId: String(before.origin_process_id) };
  });
}

/** Ciência da recusa: the origin acknowledges a refusal (a normal end); once only. */
export async function acknowledgeRefusal(transferId: string, viewer: Viewer): Promise<{ processId: string }> {
  return inTenant(async (t) => {
    const before = await originTransfer(t, transferId, false);
    if (String(before.origin_unit_id) !== String(viewer.unitId)) throw new PermissionDeniedError('Só a unidade que enviou o processo pode dar ciência da recusa.');
    const rows = await select<{ id: string }>(
      t,
      `UPDATE platform.tramita_transfers SET state = 'ciencia_recusa', updated_at = now() WHERE id = $1 AND origin_tenant_id = $2 AND state = 'recusado' RETURNING id`,
      [transferId, requireTenant().id],
    );
    if (!rows.length) throw new ConflictError('Este trâmite não está recusado à espera de ciência.');
    await execute(t, `INSERT INTO platform.tramita_events (transfer_id, state) VALUES ($1, 'ciencia_recusa')`, [transferId]);
    await recordEvent(t, String(before.origin_process_id), viewer, {
      kind: 'tramita.refusal_acknowledged',
      description: `Ciência da recusa do trâmite externo nº ${transferId} por ${before.receiver_name}`,
      details: { transferId },
    });
    return { processId: String(before.origin_process_id) };
  });
}
