import type { Pool } from 'pg';
import { createSessionPool } from '../../server/db/database';
import type { Sequelize } from 'sequelize';
import { openThrowawayDatabase } from '../../server/db/throwaway';
import { migratePlatform } from '../../server/db/migrator';
import { createSequelize } from '../../server/db/sequelize';
import { initModels } from '../../server/models';
import { bindTenancy } from '../../server/tenancy/context';

export interface BenchDatabase {
  url: string;
  sequelize: Sequelize;
  sessionPool: Pool;
  close(): Promise<void>;
}

/**
 * A fresh database for a benchmark: a new database on the DATABASE_URL server when set, otherwise a
 * throwaway embedded PostgreSQL with fsync on (what production does); dropped at the end, unless
 * `keep` (on a DATABASE_URL server only), for what runs after over the same data (see
 * TEST_DATABASE_URL in test/support/environment.ts). `reuseUrl` opens such a kept database instead,
 * and leaves it in place.
 */
export async function openBenchDatabase(opts: { poolMax?: number; keep?: boolean; reuseUrl?: string } = {}): Promise<BenchDatabase> {
  if (opts.keep && !process.env.DATABASE_URL) throw new Error('--keep precisa de DATABASE_URL: o banco fica nesse servidor ao fim');
  const database = opts.reuseUrl
    ? { url: opts.reuseUrl, close: async () => undefined }
    : await openThrowawayDatabase({ serverUrl: process.env.DATABASE_URL, prefix: 'pen_bench' });
  const sequelize = createSequelize({ url: database.url, poolMax: opts.poolMax ?? 32, poolMaxUses: 5000 });
  initModels(sequelize);
  bindTenancy(sequelize);
  await migratePlatform(sequelize);
  const sessionPool = createSessionPool(database.url);
  return {
    url: database.url,
    sequelize,
    sessionPool,
    close: async () => {
      await sessionPool.end();
      await sequelize.close();
      if (!opts.keep) await database.close();
    },
  };
}
