import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { execute, select } from '../db/sql';
import { BadRequestError, ConflictError } from '../errors';
import { inTenant } from '../tenancy/context';

export interface ApiResult {
  status: number;
  body: object;
}

const KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * How long an Idempotency-Key is remembered: a retry within this period gets the stored response;
 * a key older than this is a new request (its row is taken over), and the worker deletes such rows
 * (`purgeIdempotencyKeys`). 24 hours covers any client's retries after an outage of a working day.
 */
export const IDEMPOTENCY_KEY_HOURS = 24;

/** What makes two requests "the same": method, path, JSON body, the file's SHA-256. */
function requestHash(req: Request): string {
  const h = createHash('sha256').update(`${req.method} ${req.originalUrl.split('?')[0]}\n`).update(JSON.stringify(req.body ?? {}));
  if (req.file) h.update('\n').update(createHash('sha256').update(req.file.buffer).digest('hex'));
  return h.digest('hex');
}

/**
 * `Idempotency-Key` on a POST: the key is claimed, the operation runs and its response is stored —
 * all in one tenant transaction, so a retried create returns the same process and never takes a
 * second number. A concurrent retry waits on the claim's row until the first commits, then reads its
 * response. The same key with another request is a 409; a refused request (4xx) stores nothing.
 */
export async function withIdempotency(req: Request, keyId: string, run: () => Promise<ApiResult>): Promise<ApiResult & { replayed: boolean }> {
  const key = req.get('Idempotency-Key');
  if (key === undefined) return { ...(await run()), replayed: false };
  if (!KEY.test(key)) throw new BadRequestError('O cabeçalho Idempotency-Key deve ter de 1 a 200 caracteres ASCII visíveis.', { 'Idempotency-Key': 'Valor inválido.' });
  const hash = requestHash(req);
  return inTenant(async (t) => {
    // A key past its period is claimed again, as if new (the same statement, so two retries cannot both take it).
    const claimed = await select(
      t,
      `INSERT INTO api_idempotency_keys (api_key_id, key, request_sha256) VALUES ($1, $2, $3)
       ON CONFLICT (api_key_id, key) DO UPDATE SET request_sha256 = EXCLUDED.request_sha256, status = NULL, body = NULL, created_at = now()
        WHERE api_idempotency_keys.created_at < now() - make_interval(hours => $4)
       RETURNING 1`,
      [keyId, key, hash, IDEMPOTENCY_KEY_HOURS],
    );
    if (!claimed.length) {
      const [row] = await select<{ request_sha256: string; status: number; body: object }>(t, 'SELECT request_sha256, status, body FROM api_idempotency_keys WHERE api_key_id = $1 AND key = $2', [keyId, key]);
      if (row.request_sha256 !== hash) throw new ConflictError('Esta Idempotency-Key já foi usada com outra requisição. Use uma chave nova para cada operação.');
      return { status: row.status, body: row.body, replayed: true };
    }
    const result = await run();
    await execute(t, 'UPDATE api_idempotency_keys SET status = $3, body = $4 WHERE api_key_id = $1 AND key = $2', [keyId, key, result.status, JSON.stringify(result.body)]);
    return { ...result, replayed: false };
  });
}

/** The worker's purge, in the current tenant: keys past their period are forgotten. Returns how many. */
export async function purgeIdempotencyKeys(): Promise<number> {
  return inTenant(async (t) => {
    const rows = await select(t, 'DELETE FROM api_idempotency_keys WHERE created_at < now() - make_interval(hours => $1) RETURNING 1', [IDEMPOTENCY_KEY_HOURS]);
    return rows.length;
  });
}
