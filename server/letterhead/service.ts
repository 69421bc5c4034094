import type { Transaction } from 'sequelize';
import { recordChange, type Actor } from '../audit/record';
import { readFile, storeFile } from '../documents/storage';
import { select, execute } from '../db/sql';
import { detectAcceptedType, formatBytes } from '../documents/upload';
import { ValidationError } from '../errors';
import { inTenant, requireTenant } from '../tenancy/context';

/** The brasão is a small picture: at most this many bytes. */
export const ARMS_MAX_BYTES = 1024 * 1024;
/** Image types a browser shows and the PDF can embed (TIFF is not one). */
const ARMS_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

/** What the top of a document carries: the brasão, the ente's name, the unit's name and address. */
export interface Letterhead {
  enteName: string;
  unitName: string;
  unitAddress: string | null;
  hasArms: boolean;
}

export async function letterheadFor(t: Transaction, unitId: string): Promise<Letterhead> {
  const [row] = await select<{ name: string; address: string | null; arms: boolean }>(
    t,
    'SELECT u.name, u.address, EXISTS (SELECT 1 FROM tenant_settings s WHERE s.arms_sha256 IS NOT NULL) AS arms FROM units u WHERE u.id = $1',
    [unitId],
  );
  return letterheadOf({ unitName: row?.name ?? '', unitAddress: row?.address ?? null, hasArms: !!row?.arms });
}

/** The letterhead of a unit of the current tenant, from facts a caller read in its own statement. */
export function letterheadOf(facts: Omit<Letterhead, 'enteName'>): Letterhead {
  return { enteName: requireTenant().name, ...facts };
}

/** The tenant's brasão, or null while its administrator has not uploaded one. */
export async function armsImage(): Promise<{ bytes: Buffer; mime: string; sha256: string } | null> {
  return inTenant(async (t) => {
    const [row] = await select<{ arms_sha256: string | null; arms_mime: string | null }>(t, 'SELECT arms_sha256, arms_mime FROM tenant_settings WHERE id = 1');
    if (!row?.arms_sha256 || !row.arms_mime) return null;
    const bytes = await readFile(t, row.arms_sha256);
    return bytes ? { bytes, mime: row.arms_mime, sha256: row.arms_sha256 } : null;
  });
}

/**
 * Replaces the tenant's brasão. The image is recognised by its content (never by its name or the
 * type the browser claims) and limited to ARMS_MAX_BYTES; the change is audited.
 */
export async function saveArms(actor: Actor, file: { buffer: Buffer } | undefined): Promise<void> {
  if (!file || !file.buffer.length) throw new ValidationError('Escolha a imagem.', { arquivo: 'Escolha a imagem do brasão.' });
  if (file.buffer.length > ARMS_MAX_BYTES) {
    throw new ValidationError('Imagem grande demais.', { arquivo: `A imagem tem mais de ${formatBytes(ARMS_MAX_BYTES)}. Envie uma versão menor (um brasão de 300 pixels de altura basta).` });
  }
  const detected = await detectAcceptedType(file.buffer);
  if (!detected || !ARMS_TYPES.includes(detected.mime)) {
    throw new ValidationError('Formato não aceito.', { arquivo: 'O arquivo não é uma imagem PNG, JPEG, GIF ou WEBP.' });
  }
  await inTenant(async (t) => {
    const [before] = await select<{ arms_sha256: string | null }>(t, 'SELECT arms_sha256 FROM tenant_settings WHERE id = 1');
    const sha256 = await storeFile(t, file.buffer);
    await execute(
      t,
      `INSERT INTO tenant_settings (id, arms_sha256, arms_mime, updated_at) VALUES (1, $1, $2, now())
       ON CONFLICT (id) DO UPDATE SET arms_sha256 = EXCLUDED.arms_sha256, arms_mime = EXCLUDED.arms_mime, updated_at = now()`,
      [sha256, detected.mime],
    );
    await recordChange(actor, {
      action: 'tenant.arms_update',
      entity: 'tenant_settings',
      entityId: '1',
      before: { armsSha256: before?.arms_sha256 ?? null },
      after: { armsSha256: sha256, mime: detected.mime, size: file.buffer.length },
    });
  });
}
