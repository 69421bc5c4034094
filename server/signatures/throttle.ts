import { RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Sequelize } from 'sequelize';

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
      storeClient: sequelize,
      storeType: 'sequelize',
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

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}

/** Wrong signing passwords: 5 per user per 15 minutes. */
export function signatureThrottle(sequelize: Sequelize): FailureThrottle {
  return new FailureThrottle(sequelize, 'sign-password', 5, 15 * 60);
}

/** Failed authenticity lookups: 20 per IP per 10 minutes. */
export function authenticityThrottle(sequelize: Sequelize): FailureThrottle {
  return new FailureThrottle(sequelize, 'authenticity-ip', 20, 10 * 60);
}
