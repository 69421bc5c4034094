import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbedded } from './embedded';
import { freePort } from './ports';

export interface ThrowawayDatabase {
  url: string;
  close(): Promise<void>;
}

export { freePort };

/**
 * A database that exists only for one test run or benchmark: a fresh database on the server of
 * `serverUrl` (dropped at close), or else a throwaway embedded PostgreSQL on a free port in a
 * temporary folder (deleted at close). `fast` turns fsync off on the embedded one (tests only).
 */
export async function openThrowawayDatabase(opts: { serverUrl?: string; prefix: string; fast?: boolean }): Promise<ThrowawayDatabase> {
  if (opts.serverUrl) {
    const name = `${opts.prefix}_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: opts.serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(opts.serverUrl);
    u.pathname = `/${name}`;
    return {
      url: u.toString(),
      close: async () => {
        const c = new Client({ connectionString: opts.serverUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${opts.prefix}-`));
  fs.chmodSync(dir, 0o755);
  const pg = await startEmbedded({ dir: path.join(dir, 'pg'), port: await freePort(), unsafeFast: opts.fast });
  return {
    url: pg.url,
    close: async () => {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
