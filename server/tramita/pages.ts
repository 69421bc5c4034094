import { preparedSelect, select } from '../db/sql';
import { NotFoundError, PermissionDeniedError } from '../errors';
import { drawHtml, pdfkitBytes } from '../process-pdf/render';
import type { Viewer } from '../processes/access';
import { loadProcess } from '../processes/state';
import { inTenant, requireTenant } from '../tenancy/context';
import type { Actor } from '../web/actor';
import { receivingDirectory, type DirectoryUnit } from './admin';
import { especieName, especies, hipoteseNamed, hipotesesLegais } from './especies';
import type { Receipt } from './package';
import { REFUSAL_CODES, STATE_LABELS, type RefusalCode, type TransferState } from './transit';
import { ID_PATTERN } from '../documents/ids';

/** The reads behind Tramita's pages (routes stay thin). */

export interface SendFormData {
  process: { id: string; number: string };
  units: DirectoryUnit[];
}

/** "Enviar para outro órgão": the process (as the access predicate lets the viewer read it) and the directory matching `q`. */
export async function externalSendForm(viewer: Viewer, processId: string, q: string): Promise<SendFormData> {
  return inTenant(async (t) => {
    const { process, state } = await loadProcess(t, processId, viewer);
    if (!state.canRead) throw new PermissionDeniedError('Este processo é restrito às unidades por onde tramitou.');
    return { process: { id: String(process.id), number: process.number }, units: await receivingDirectory(q) };
  });
}

export interface ProcessTramita {
  live: { id: string; receiver: string; stateLabel: string; since: Date; canCancel: boolean; /** While `iniciado`: components packed so far, of how many. */ packing: { done: number; total: number } | null } | null;
  refused: { id: string; receiver: string; code: RefusalCode; label: string; reason: string | null; canAcknowledge: boolean }[];
  receipts: { transferId: string; role: 'sent' | 'received'; issuedAt: Date }[];
}

/** What the process page shows of Tramita: the live transfer (banner), refusals awaiting ciência, receipts held here. */
export async function processTramita(viewer: Viewer, processId: string): Promise<ProcessTramita> {
  return inTenant(async (t) => {
    // Every process page runs this: one prepared statement for the transfers and the receipts.
    type TransferRow = {
      id: string; state: TransferState; receiver: string; created_at: string; origin_unit_id: string; refusal_code: RefusalCode | null; refusal_reason: string | null;
      packed_count: number; component_count: number;
    };
    const [found] = await preparedSelect<{ transfers: TransferRow[] | null; receipts: { transfer_id: string; role: 'sent' | 'received'; created_at: string }[] | null }>(
      t,
      `SELECT (SELECT json_agg(json_build_object('id', tr.id, 'state', tr.state, 'receiver', te.name || ' / ' || tr.receiver_unit_name, 'created_at', tr.created_at,
                                                 'origin_unit_id', tr.origin_unit_id, 'refusal_code', tr.refusal_code, 'refusal_reason', tr.refusal_reason,
                                                 'packed_count', tr.packed_count, 'component_count', tr.component_count) ORDER BY tr.id DESC)
                 FROM platform.tramita_transfers tr JOIN platform.tenants te ON te.id = tr.receiver_tenant_id
                WHERE tr.origin_tenant_id = $1 AND tr.origin_process_id = $2 AND tr.state IN ('iniciado', 'componentes_enviados', 'recusado')) AS transfers,
              (SELECT json_agg(json_build_object('transfer_id', r.transfer_id, 'role', r.role, 'created_at', r.created_at) ORDER BY r.created_at)
                 FROM tramita_receipts r WHERE r.process_id = $2) AS receipts`,
      [requireTenant().id, processId],
    );
    const rows = found.transfers ?? [];
    const receipts = (found.receipts ?? []).map((r) => ({ ...r, created_at: new Date(r.created_at) }));
    const mine = (r: { origin_unit_id: string }) => String(r.origin_unit_id) === String(viewer.unitId);
    const live = rows.find((r) => r.state !== 'recusado');
    return {
      live: live
        ? {
            id: String(live.id), receiver: live.receiver, stateLabel: STATE_LABELS[live.state], since: new Date(live.created_at), canCancel: mine(live),
            packing: live.state === 'iniciado' ? { done: live.packed_count, total: live.component_count } : null,
          }
        : null,
      refused: rows
        .filter((r) => r.state === 'recusado' && r.refusal_code)
        .map((r) => ({ id: String(r.id), receiver: r.receiver, code: r.refusal_code!, label: REFUSAL_CODES[r.refusal_code!], reason: r.refusal_reason, canAcknowledge: mine(r) })),
      receipts: receipts.map((r) => ({ transferId: String(r.transfer_id), role: r.role, issuedAt: r.created_at })),
    };
  });
}

const DATE_TIME = new Intl.DateTimeFormat('pt-BR', { timeZone: 'America/Sao_Paulo', dateStyle: 'short', timeStyle: 'medium' });

/** The recibo de conclusão de trâmite held by this tenant, as PDF, for a viewer who may read its process. */
export async function receiptPdf(actor: Actor, transferId: string): Promise<{ fileName: string; bytes: Buffer }> {
  const found = await inTenant(async (t) => {
    const [row] = ID_PATTERN.test(transferId)
      ? await select<{ process_id: string; receipt: Receipt; receipt_sha256: string }>(t, 'SELECT process_id, receipt, receipt_sha256 FROM tramita_receipts WHERE transfer_id = $1', [transferId])
      : [];
    if (!row) throw new NotFoundError('Recibo não encontrado.');
    const { state } = await loadProcess(t, String(row.process_id), actor);
    if (!state.canRead) throw new NotFoundError('Recibo não encontrado.');
    return row;
  });
  const r = found.receipt;
  const bytes = await pdfkitBytes((doc) => {
    doc.font('Helvetica-Bold').fontSize(14).text('Recibo de conclusão de trâmite', { align: 'center' }).moveDown();
    drawHtml(
      doc,
      [
        `<p>Trâmite nº ${r.transferId}</p>`,
        `<p>Processo (NUP): ${r.nup}</p>`,
        `<p>Remetente: ${r.sender.ente} / ${r.sender.unit}</p>`,
        `<p>Destinatário: ${r.receiver.ente} / ${r.receiver.unit}</p>`,
        `<p>Data e hora do recebimento: ${DATE_TIME.format(new Date(r.issuedAt))} (horário oficial de Brasília)</p>`,
        '<p>Hashes SHA-256 dos componentes digitais, em ordem:</p>',
        ...r.hashes.map((h) => `<p>${h}</p>`),
        `<p>SHA-256 deste recibo: ${found.receipt_sha256}</p>`,
      ].join(''),
    );
  });
  return { fileName: `recibo-tramite-${r.transferId}.pdf`, bytes };
}

export interface TramitaAdminData {
  units: { id: string; acronym: string; name: string; receives: boolean }[];
  documentTypes: { id: string; name: string; sendEspecie: number | null; receiveFor: number[] }[];
  especies: { code: number; name: string }[];
  /** Espécies mapped to a local type when received. */
  receiveMap: { code: number; name: string; documentTypeId: string }[];
  /** Active local legal bases: the hipótese each is mapped to for sending, and the national one of the same name. */
  legalBases: { id: string; name: string; sendHipotese: string | null; namesake: string | null }[];
  /** The national hipóteses: the local legal basis each is mapped to when received. */
  hipoteses: { name: string; receiveBasisId: string | null }[];
  defaults: {
    defaultSendEspecie: number | null;
    defaultReceiveDocumentTypeId: string | null;
    defaultSendHipotese: string | null;
    defaultReceiveLegalBasisId: string | null;
  };
}

/** The tenant administration page of Tramita. */
export async function tramitaAdminData(): Promise<TramitaAdminData> {
  return inTenant(async (t) => {
    const units = await select<{ id: string; acronym: string; name: string; receives_external: boolean }>(t, 'SELECT id, acronym, name, receives_external FROM units WHERE active ORDER BY acronym');
    const types = await select<{ id: string; name: string; especie_code: number | null }>(
      t,
      'SELECT dt.id, dt.name, m.especie_code FROM document_types dt LEFT JOIN tramita_send_map m ON m.document_type_id = dt.id WHERE dt.active ORDER BY dt.name',
    );
    const receive = await select<{ especie_code: number; document_type_id: string }>(t, 'SELECT especie_code, document_type_id FROM tramita_receive_map');
    const [settings] = await select<{ default_send_especie: number | null; default_receive_document_type_id: string | null; default_send_hipotese: string | null; default_legal_basis_id: string | null }>(
      t,
      'SELECT default_send_especie, default_receive_document_type_id, default_send_hipotese, default_legal_basis_id FROM tramita_settings',
    );
    const bases = await select<{ id: string; name: string; hipotese: string | null }>(
      t,
      'SELECT lb.id, lb.name, m.hipotese FROM legal_bases lb LEFT JOIN tramita_legal_basis_send_map m ON m.legal_basis_id = lb.id WHERE lb.active ORDER BY lb.name',
    );
    const received = new Map((await select<{ hipotese: string; legal_basis_id: string }>(t, 'SELECT hipotese, legal_basis_id FROM tramita_legal_basis_map')).map((r) => [r.hipotese, String(r.legal_basis_id)]));
    return {
      units: units.map((u) => ({ id: String(u.id), acronym: u.acronym, name: u.name, receives: u.receives_external })),
      documentTypes: types.map((d) => ({
        id: String(d.id),
        name: d.name,
        sendEspecie: d.especie_code,
        receiveFor: receive.filter((r) => String(r.document_type_id) === String(d.id)).map((r) => Number(r.especie_code)),
      })),
      especies: [...especies()].map(([code, name]) => ({ code, name })),
      receiveMap: receive.map((r) => ({ code: Number(r.especie_code), name: especieName(Number(r.especie_code)) ?? '', documentTypeId: String(r.document_type_id) })).sort((a, b) => a.code - b.code),
      legalBases: bases.map((b) => ({ id: String(b.id), name: b.name, sendHipotese: b.hipotese, namesake: hipoteseNamed(b.name) })),
      hipoteses: hipotesesLegais().map((name) => ({ name, receiveBasisId: received.get(name.toLowerCase()) ?? null })),
      defaults: {
        defaultSendEspecie: settings?.default_send_especie ?? null,
        defaultReceiveDocumentTypeId: settings?.default_receive_document_type_id ? String(settings.default_receive_document_type_id) : null,
        defaultSendHipotese: settings?.default_send_hipotese ?? null,
        defaultReceiveLegalBasisId: settings?.default_legal_basis_id ? String(settings.default_legal_basis_id) : null,
      },
    };
  });
}
