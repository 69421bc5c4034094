import { FailureThrottle } from './failureThrottle';
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
  private readonly byAccount: FailureThrottle;
  private readonly byIp: FailureThrottle;

  constructor(sequelize: Sequelize, limits: ThrottleLimits = DEFAULT_LIMITS) {
    this.byAccount = new FailureThrottle(sequelize, 'login-account', limits.perAccount, limits.windowSeconds);
    this.byIp = new FailureThrottle(sequelize, 'login-ip', limits.perIp, limits.windowSeconds);
  }

  async check(ip: string, account: string): Promise<void> {
    const wait = Math.max(...(await Promise.all([this.byAccount.blockedFor(account), this.byIp.blockedFor(ip)])));
    if (wait > 0) throw new TooManyAttemptsError(wait);
  }

  async failed(ip: string, account: string): Promise<void> {
    await Promise.all([this.byAccount.failed(account), this.byIp.failed(ip)]);
  }

  async succeeded(account: string): Promise<void> {
    await this.byAccount.reset(account);
  }
}
