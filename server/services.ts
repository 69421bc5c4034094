import type { Sequelize } from 'sequelize';
import type { LoginThrottle } from './auth/loginThrottle';
import type { Config } from './config';
import type { TenantRegistry } from './tenancy/registry';

/** What the web app is built from; tests build their own. */
export interface Services {
  config: Config;
  sequelize: Sequelize;
  registry: TenantRegistry;
  loginThrottle: LoginThrottle;
}
