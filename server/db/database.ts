import path from 'node:path';
import { Pool } from 'pg';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import { logger } from '../logger';
import { initModels } from '../models';
import { bindTenancy } from '../tenancy/context';
import { startEmbedded, type EmbeddedServer } from './embedded';
import { freePort, portIsFree } from './ports';
import { createSequelize } from './sequelize';

export interface Database {
  url: string;
  sequelize: Sequelize;
  /** A small pool for the session store, apart from the tenants' pool. */
  sessionPool: Pool;
  close(): Promise<void>;
}

/**
 * The session store's pool. An idle connection the server ends (a restart, an administrator, a
 * stopping database) is reported on the pool; without a listener that report would end the process.
 * The pool drops that connection and opens another when next asked.
 */
/** Its connections' application_name (pg_stat_activity). */
export const SESSION_POOL_NAME = 'pen-sessions';

export function createSessionPool(url: string): Pool {
  const pool = new Pool({ connectionString: url, max: 5, application_name: SESSION_POOL_NAME });
  pool.on('error', (err) => logger.warn({ err }, 'conexão ociosa do pool de sessões encerrada pelo servidor'));
  return pool;
}

/** `DATABASE_URL` (or `DATABASE_DIRECT_URL` for `direct`: migrations and other session work) when set; otherwise the embedded PostgreSQL under `var/pg/`, started (or created) here. */
export async function openDatabase(config: Config, opts: { embeddedPort?: number; embeddedDir?: string; direct?: boolean } = {}): Promise<Database> {
  let embedded: EmbeddedServer | undefined;
  let url = opts.direct ? (config.DATABASE_DIRECT_URL ?? config.DATABASE_URL) : config.DATABASE_URL;
  if (!url) {
    const wanted = opts.embeddedPort ?? config.EMBEDDED_PG_PORT;
    let port = wanted;
    if (!(await portIsFree(wanted))) {
      port = await freePort();
      logger.warn({ wanted, port }, `porta ${wanted} ocupada: PostgreSQL embutido na porta ${port} (defina EMBEDDED_PG_PORT para escolher outra)`);
    }
    embedded = await startEmbedded({ dir: opts.embeddedDir ?? path.join(config.VAR_DIR, 'pg'), port });
    logger.info({ port, dir: opts.embeddedDir ?? path.join(config.VAR_DIR, 'pg') }, `PostgreSQL embutido na porta ${port}`);
    url = embedded.url;
  }
  const sequelize = createSequelize({ url, poolMax: config.DB_POOL_MAX, poolMaxUses: config.DB_POOL_MAX_USES, namedStatements: config.DB_PREPARED_STATEMENTS });
  initModels(sequelize);
  bindTenancy(sequelize);
  const sessionPool = createSessionPool(url);
  return {
    url,
    sequelize,
    sessionPool,
    close: async () => {
      await sessionPool.end();
      await sequelize.close();
      await embedded?.stop();
    },
  };
}
