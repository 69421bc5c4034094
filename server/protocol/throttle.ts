import type { Sequelize } from 'sequelize';
import { FailureThrottle } from '../auth/failureThrottle';

export interface ProtocolLimits {
  /** Confirmation e-mails and submissions per IP per hour. */
  perIp: number;
  /** Confirmation e-mails and submissions per e-mail address per hour. */
  perEmail: number;
  /** Failed status look-ups (wrong number or code) per IP per 10 minutes. */
  lookupsPerIp: number;
}

export const DEFAULT_PROTOCOL_LIMITS: ProtocolLimits = { perIp: 30, perEmail: 6, lookupsPerIp: 20 };

/** The portal's counters, in `platform.rate_limits` like the login's (shared by every web process). */
export class ProtocolThrottles {
  readonly filingByIp: FailureThrottle;
  readonly filingByEmail: FailureThrottle;
  readonly lookupByIp: FailureThrottle;

  constructor(sequelize: Sequelize, limits: ProtocolLimits = DEFAULT_PROTOCOL_LIMITS) {
    this.filingByIp = new FailureThrottle(sequelize, 'protocol-ip', limits.perIp, 60 * 60);
    this.filingByEmail = new FailureThrottle(sequelize, 'protocol-email', limits.perEmail, 60 * 60);
    this.lookupByIp = new FailureThrottle(sequelize, 'protocol-lookup-ip', limits.lookupsPerIp, 10 * 60);
  }

  /** Counts one filing action (a confirmation e-mail, a submission) of `email` from `ip`; false over either limit. */
  async allowFiling(tenantId: string, ip: string, email: string): Promise<boolean> {
    const byIp = await this.filingByIp.consume(ip);
    const byEmail = await this.filingByEmail.consume(`${tenantId}:${email}`);
    return byIp && byEmail;
  }
}
