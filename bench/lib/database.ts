import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import type { Sequelize } from 'sequelize';
import { startEmbedded } from '../../server/db/embedded';
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
 * A fresh database for a benchmark: DATABASE_URL when set (the caller's server), otherwise a
 * throwaway embedded PostgreSQL with fsync on (what production does), deleted at the end.
 */
export async function openBenchDatabase(port = 55_432): Promise<BenchDatabase> {
  let url = process.env.DATABASE_URL;
  let stop = async (): Promise<void> => undefined;
  if (!url) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pen-bench-'));
    fs.chmodSync(dir, 0o755);
    const pg = await startEmbedded({ dir: path.join(dir, 'pg'), port });
    url = pg.url;
    stop = async () => {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  const sequelize = createSequelize({ url, poolMax: 32, poolMaxUses: 5000 });
  initModels(sequelize);
  bindTenancy(sequelize);
  await migratePlatform(sequelize);
  const sessionPool = new Pool({ connectionString: url, max: 5 });
  return {
    url,
    sequelize,
    sessionPool,
    close: async () => {
      await sessionPool.end();
      await sequelize.close();
      await stop();
    },
  };
}
