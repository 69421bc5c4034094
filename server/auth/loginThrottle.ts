import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Sequelize } from 'sequelize';

export interface ThrottleLimits {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = { perAccount: 5, perIp: 30, windowSeconds: 15 * 60 };

export class TooManyAttemptsError extends Error {
  constructor(public readonly retryAfterSeconds: number) {
    super('Muitas tentativas de acesso');
  }
}

/**
 * Failed logins counted per account and per IP in `platform.rate_limits`, so every web process sees
 * the same counts. A blocked account or IP is refused before its password is even checked.
 */
export class LoginThrottle {
  private readonly byAccount: RateLimiterPostgres;
  private readonly byIp: RateLimiterPostgres;

  constructor(sequelize: Sequelize, limits: ThrottleLimits = DEFAULT_LIMITS) {
    const common = {
      storeClient: sequelize,
      storeType: 'sequelize',
      schemaName: 'platform',
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: false,
      duration: limits.windowSeconds,
    };
    this.byAccount = new RateLimiterPostgres({ ...common, keyPrefix: 'login-account', points: limits.perAccount });
    this.byIp = new RateLimiterPostgres({ ...common, keyPrefix: 'login-ip', points: limits.perIp });
  }

  async check(ip: string, account: string): Promise<void> {
    const [a, i] = await Promise.all([this.byAccount.get(account), this.byIp.get(ip)]);
    const blocked = [
      [a, this.byAccount.points],
      [i, this.byIp.points],
    ].filter(([res, points]) => res && (res as RateLimiterRes).consumedPoints >= (points as number));
    if (blocked.length) {
      const wait = Math.max(...blocked.map(([res]) => (res as RateLimiterRes).msBeforeNext));
      throw new TooManyAttemptsError(Math.ceil(wait / 1000));
    }
  }

  async failed(ip: string, account: string): Promise<void> {
    await Promise.all([this.byAccount.penalty(account, 1), this.byIp.penalty(ip, 1)]);
  }

  async succeeded(account: string): Promise<void> {
    await this.byAccount.delete(account);
  }
}
