import { FailureThrottle } from '../auth/failureThrottle';
import type { Sequelize } from 'sequelize';

/** Wrong signing passwords: 5 per user per 15 minutes. */
export function signatureThrottle(sequelize: Sequelize): FailureThrottle {
  return new FailureThrottle(sequelize, 'sign-password', 5, 15 * 60);
}

/** Failed authenticity lookups: 20 per IP per 10 minutes. */
export function authenticityThrottle(sequelize: Sequelize): FailureThrottle {
  return new FailureThrottle(sequelize, 'authenticity-ip', 20, 10 * 60);
}
