import { Sequelize } from 'sequelize';
import './cls';
import { logger } from '../logger';
import { useNamedStatements } from './prepared';

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  poolMaxUses: number;
  /** Named prepared statements for the busiest pages (DB_PREPARED_STATEMENTS); default on. */
  namedStatements?: boolean;
}

/** One shared, bounded pool for every tenant; connections are recycled after `poolMaxUses` uses. */
export function createSequelize(opts: DatabaseOptions): Sequelize {
  useNamedStatements(opts.namedStatements ?? true);
  return new Sequelize(opts.url, {
    dialect: 'postgres',
    logging: (sql) => logger.trace({ sql }, 'sql'),
    pool: { max: opts.poolMax, min: 0, idle: 10_000, acquire: 30_000, maxUses: opts.poolMaxUses },
    define: { underscored: true, timestamps: true },
    dialectOptions: { application_name: 'pen-nuvem' },
  });
}
