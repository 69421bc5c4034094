import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { recordChange, type Actor as AuditActor } from '../audit/record';
import { execute, select } from '../db/sql';
import { NotFoundError, ValidationError } from '../errors';
import { inTenant } from '../tenancy/context';

/**
 * Chaves de integração (issue 17): a tenant administrator creates a key for a named system, acting
 * in one unit with some scopes. The secret is shown once; only its SHA-256 is kept (the secret has
 * 256 random bits: a slow hash adds nothing). Each key acts through its own user row — inactive, no
 * password, no role in any unit, so it can never log in — so andamentos, documents and credentials
 * name the system, and the access rule (server/processes/access.ts) treats it as a user of its unit.
 */

export const SCOPES = ['processos:ler', 'processos:criar', 'processos:enviar', 'documentos:incluir', 'documentos:ler'] as const;
export type Scope = (typeof SCOPES)[number];

export const SCOPE_LABELS: Record<Scope, string> = {
  'processos:ler': 'Consultar processos e a caixa da unidade',
  'processos:criar': 'Iniciar processos',
  'processos:enviar': 'Enviar processos a outras unidades',
  'documentos:incluir': 'Incluir documentos externos',
  'documentos:ler': 'Baixar documentos',
};

/** `pen_<16 hex: finds the row>_<43 base64url: the secret>`. */
const TOKEN = /^pen_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ApiKeyRow {
  id: string;
  name: string;
  unitId: string;
  unitAcronym: string;
  scopes: Scope[];
  prefix: string;
  createdAt: Date;
  createdBy: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** The key a request authenticated with: who it acts as, and what it may do. */
export interface ApiPrincipal {
  keyId: string;
  name: string;
  userId: string;
  unitId: string;
  unitAcronym: string;
  scopes: Scope[];
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The units a key may act as (the key form's choice): the active ones, by sigla. */
export async function unitsForKeys(): Promise<{ id: string; acronym: string; name: string }[]> {
  return inTenant((t) => select<{ id: string; acronym: string; name: string }>(t, 'SELECT id::text AS id, acronym, name FROM units WHERE active ORDER BY acronym'));
}

export async function listKeys(): Promise<ApiKeyRow[]> {
  return inTenant((t) =>
    select<ApiKeyRow>(
      t,
      `SELECT k.id::text AS id, k.name, k.unit_id::text AS "unitId", un.acronym AS "unitAcronym", k.scopes, k.prefix,
              k.created_at AS "createdAt", cu.name AS "createdBy", k.last_used_at AS "lastUsedAt", k.revoked_at AS "revokedAt"
         FROM api_keys k JOIN units un ON un.id = k.unit_id LEFT JOIN users cu ON cu.id = k.created_by_id
        ORDER BY k.revoked_at IS NOT NULL, k.name, k.id`,
    ),
  );
}

export interface NewKeyInput {
  name: string;
  unitId: string;
  scopes: Scope[];
}

/** Creates a key and its user in one transaction; returns the token, which is never stored. */
export async function createKey(actor: AuditActor, input: NewKeyInput): Promise<{ id: string; token: string }> {
  return inTenant(async (t) => {
    const [unit] = await select<{ id: string; acronym: string }>(t, 'SELECT id::text AS id, acronym FROM units WHERE id = $1 AND active', [input.unitId]);
    if (!unit) throw new ValidationError('Corrija os campos indicados.', { unitId: 'Escolha uma unidade ativa.' });
    const prefix = randomBytes(8).toString('hex');
    const token = `pen_${prefix}_${randomBytes(32).toString('base64url')}`;
    const [user] = await select<{ id: string }>(
      t,
      `INSERT INTO users (name, email, active) VALUES ($1, $2, false) RETURNING id::text AS id`,
      [`${input.name} (integração)`, `integracao-${prefix}@chaves.invalid`],
    );
    const [key] = await select<{ id: string }>(
      t,
      `INSERT INTO api_keys (name, unit_id, user_id, scopes, prefix, secret_sha256, created_by_id)
       VALUES ($1, $2, $3, $4::text[], $5, $6, $7) RETURNING id::text AS id`,
      [input.name, unit.id, user.id, input.scopes, prefix, sha256(token), actor.userId],
    );
    await recordChange(actor, { action: 'api_key.created', entity: 'api_key', entityId: key.id, after: { name: input.name, unit: unit.acronym, scopes: input.scopes, prefix } });
    return { id: key.id, token };
  });
}

/** Revokes a key: the next request with it is refused (the check reads the row on every call). */
export async function revokeKey(actor: AuditActor, id: string): Promise<void> {
  await inTenant(async (t) => {
    const [key] = await select<{ name: string }>(t, 'UPDATE api_keys SET revoked_at = now(), revoked_by_id = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING name', [id, actor.userId]);
    if (!key) {
      const [exists] = await select(t, 'SELECT 1 FROM api_keys WHERE id = $1', [id]);
      if (!exists) throw new NotFoundError('Chave de integração não encontrada.');
      return;
    }
    await recordChange(actor, { action: 'api_key.revoked', entity: 'api_key', entityId: id, before: { name: key.name } });
  });
}

export interface CallFacts {
  method: string;
  path: string;
  ip: string | null;
  requestId: string | null;
}

/**
 * The key behind a bearer token on this tenant's host, or null (unknown here, wrong secret, revoked,
 * or its unit deactivated). A key found is marked used and the call written to the audit trail under
 * its name — in the same transaction, before the call runs.
 */
export async function authenticateKey(token: string, call: CallFacts): Promise<ApiPrincipal | null> {
  const m = TOKEN.exec(token);
  if (!m) return null;
  return inTenant(async (t) => {
    const [row] = await select<{ id: string; name: string; user_id: string; unit_id: string; acronym: string; scopes: Scope[]; secret_sha256: string }>(
      t,
      `SELECT k.id::text AS id, k.name, k.user_id::text AS user_id, k.unit_id::text AS unit_id, un.acronym, k.scopes, k.secret_sha256
         FROM api_keys k JOIN units un ON un.id = k.unit_id
        WHERE k.prefix = $1 AND k.revoked_at IS NULL AND un.active`,
      [m[1]],
    );
    if (!row || !timingSafeEqual(Buffer.from(row.secret_sha256), Buffer.from(sha256(token)))) return null;
    await execute(t, 'UPDATE api_keys SET last_used_at = now() WHERE id = $1', [row.id]);
    await recordChange(
      { userId: row.user_id, ip: call.ip, requestId: call.requestId },
      { action: 'api.call', entity: 'api_key', entityId: row.id, after: { key: row.name, method: call.method, path: call.path } },
    );
    return { keyId: row.id, name: row.name, userId: row.user_id, unitId: row.unit_id, unitAcronym: row.acronym, scopes: row.scopes };
  });
}
