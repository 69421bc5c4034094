import crypto from 'node:crypto';
import type { Transaction } from 'sequelize';
import { execute, select } from '../db/sql';

export function sha256Hex(bytes: Buffer | string): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/**
 * Stores `bytes` in the tenant's content-addressed file table, in the caller's transaction (so the
 * file and the record that refers to it are written together or not at all). Identical contents
 * are stored once.
 */
export async function storeFile(t: Transaction, bytes: Buffer): Promise<string> {
  const sha256 = sha256Hex(bytes);
  await execute(t, 'INSERT INTO file_contents (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING', [sha256, bytes.length, bytes]);
  return sha256;
}

/** The bytes stored under `sha256`, checked against their hash. */
export async function readFile(t: Transaction, sha256: string): Promise<Buffer | null> {
  const [row] = await select<{ content: Buffer }>(t, 'SELECT content FROM file_contents WHERE sha256 = $1', [sha256]);
  if (!row) return null;
  if (sha256Hex(row.content) !== sha256) throw new Error(`Conteúdo do arquivo ${sha256} não confere com o seu hash`);
  return row.content;
}
