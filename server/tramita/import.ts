import { recordChange, type Actor as AuditActor } from '../audit/record';
import { sha256Hex } from '../documents/storage';
import { execute, select } from '../db/sql';
import { PermissionDeniedError } from '../errors';
import { inTenant, requireTenant } from '../tenancy/context';
import type { Actor } from '../web/actor';
import { receivingUnitOf } from './admin';
import { markRefused, type RefusalCode } from './receive';
import { readPackageFile } from './packageFile';
import { MAX_COMPONENT_BYTES } from './send';
import { expiryOf } from './transit';

export interface ImportOutcome {
  transferId: string;
  /** The refusal the verification made by itself (03 a component missing, 02 one corrupt), if any. */
  refusal: { code: RefusalCode; reason: string } | null;
}

/**
 * "Importar pacote" (docs/tramita-package.md): a receiving unit brings in a package file made
 * outside PEN Nuvem (or exported by another tenant). A file that is not such a package is refused
 * next to the field and nothing is written. Otherwise, in one transaction, it becomes a transfer
 * addressed to the actor's unit, from the sender its manifest names, with its components' bytes
 * stored under their hash: from there it is verified, accepted or refused like any transfer. A
 * component missing from the file refuses it with 03, one whose bytes do not match its hash with 02,
 * at once and by themselves (such bytes are never stored under a hash they do not have).
 */
export async function importPackage(actor: Actor, audit: AuditActor, bytes: Buffer, now = new Date()): Promise<ImportOutcome> {
  const tenant = requireTenant();
  const file = await readPackageFile(bytes, MAX_COMPONENT_BYTES);
  return inTenant(async (t) => {
    const unit = await receivingUnitOf(t, actor.unitId);
    if (!unit?.receives) {
      throw new PermissionDeniedError('Só uma unidade que recebe processos de outros órgãos pode importar pacotes. Peça ao administrador para marcá-la em Administração → Trâmite entre órgãos.');
    }
    const { manifest, components } = file;
    const meta = manifest.process;
    const [row] = await select<{ id: string }>(
      t,
      `INSERT INTO platform.tramita_transfers (state, origin_tenant_id, external_origin, origin_unit_name, imported_by_user_id, nup,
         receiver_tenant_id, receiver_unit_id, receiver_unit_name, message, keep_open, metadata, component_count, total_bytes, expires_at, created_at, updated_at)
       VALUES ('iniciado', NULL, $1, $2, $3, $4, $5, $6, $7, $8, false, $9, $10, $11, $12, $13, $13) RETURNING id`,
      [
        meta.origin.ente, `${meta.origin.unitAcronym} — ${meta.origin.unitName}`, actor.userId, meta.nup,
        tenant.id, actor.unitId, `${unit.acronym} — ${unit.name}`, meta.message, JSON.stringify(meta),
        components.length, components.reduce((n, c) => n + c.line.size, 0), await expiryOf(t, now), now,
      ],
    );
    const transferId = String(row.id);
    await execute(t, `INSERT INTO platform.tramita_events (transfer_id, state, at, note) VALUES ($1, 'iniciado', $2, $3)`, [
      transferId, now, `pacote importado de arquivo (formato ${manifest.format} v${manifest.version}, gerado em ${manifest.createdAt})`,
    ]);
    for (const c of components) {
      if (c.bytes) {
        await execute(t, 'INSERT INTO platform.tramita_blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO UPDATE SET last_used_at = now()', [
          c.line.sha256, c.line.size, c.bytes,
        ]);
      }
      await execute(
        t,
        'INSERT INTO platform.tramita_components (transfer_id, position, sha256, size, mime, file_name, document, referenced) VALUES ($1, $2, $3, $4, $5, $6, $7, false)',
        [transferId, c.line.position, c.line.sha256, c.line.size, c.line.mime, c.line.fileName, JSON.stringify(c.line.document)],
      );
    }
    await execute(t, `UPDATE platform.tramita_transfers SET state = 'componentes_enviados', updated_at = now() WHERE id = $1`, [transferId]);
    await execute(t, `INSERT INTO platform.tramita_events (transfer_id, state, note) VALUES ($1, 'componentes_enviados', $2)`, [transferId, `${components.length} componente(s)`]);
    const named = (status: 'missing' | 'corrupt') => components.filter((c) => c.status === status).map((c) => `${c.line.document.title} (${c.line.sha256})`);
    let refusal: ImportOutcome['refusal'] = null;
    if (named('missing').length) refusal = { code: '03', reason: `Componente(s) ausente(s) do arquivo: ${named('missing').join(', ')}` };
    else if (named('corrupt').length) refusal = { code: '02', reason: `O hash não confere: ${named('corrupt').join(', ')}` };
    if (refusal) {
      // Nothing to write back at an origin (the sync skips imported transfers): the refusal is shown here, to whoever brought the file.
      await markRefused(t, transferId, refusal.code, refusal.reason);
    }
    await recordChange(audit, {
      action: 'tramita.package_imported',
      entity: 'tramita_transfer',
      entityId: transferId,
      after: { nup: meta.nup, sender: meta.origin.ente, fileSha256: sha256Hex(bytes), components: components.length, refusal: refusal?.code ?? null },
    });
    return { transferId, refusal };
  });
}
