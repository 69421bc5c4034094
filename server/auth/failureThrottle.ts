import { RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Client } from 'pg';
import type { Sequelize } from 'sequelize';
import { namedStatementsOn } from '../db/prepared';

interface StoreQuery {
  name?: string;
  text: string;
  values?: unknown[];
}

/**
 * The limiter's connections: the shared pool's. The limiter names its statements; they stay named
 * only while the app names its own (DB_PREPARED_STATEMENTS: off behind PgBouncer before 1.21).
 */
function store(sequelize: Sequelize): { query(q: StoreQuery): Promise<unknown> } {
  const manager = sequelize.connectionManager;
  return {
    query: async (q) => {
      const conn = (await manager.getConnection({ type: 'write' })) as unknown as Client;
      try {
        return await conn.query(namedStatementsOn() ? q : { text: q.text, values: q.values });
      } finally {
        manager.releaseConnection(conn as never);
      }
    },
  };
}

/**
 * Counts failures per key in `platform.rate_limits` (shared by every web process), and refuses a key
 * that reached its limit before any password is checked or any lookup is made.
 */
export class FailureThrottle {
  private readonly limiter: RateLimiterPostgres;

  constructor(
    sequelize: Sequelize,
    keyPrefix: string,
    readonly points: number,
    windowSeconds: number,
  ) {
    this.limiter = new RateLimiterPostgres({
      storeClient: store(sequelize),
      storeType: 'pool',
      schemaName: 'platform',
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix,
      points,
      duration: windowSeconds,
    });
  }

  /** Seconds to wait when `key` is blocked, or 0. */
  async blockedFor(key: string): Promise<number> {
    const res = (await this.limiter.get(key)) as RateLimiterRes | null;
    return res && res.consumedPoints >= this.points ? Math.ceil(res.msBeforeNext / 1000) : 0;
  }

  async failed(key: string): Promise<void> {
    await this.limiter.penalty(key, 1);
  }

  /**
   * Counts an attempt that is limited whether or not it fails (e.g. reset requests); false once
   * `key` is over its limit.
   */
  async consume(key: string): Promise<boolean> {
    try {
      await this.limiter.consume(key);
      return true;
    } catch (err) {
      if (err instanceof Error) throw err;
      return false;
    }
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}
