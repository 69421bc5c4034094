import type { Sequelize } from 'sequelize';
import type { LoginThrottle } from './auth/loginThrottle';
import type { Config } from './config';
import type { SessionReadCache } from './middleware/sessionReadCache';
import type { GovbrService } from './govbr/service';
import type { TenantRegistry } from './tenancy/registry';

/** What the web app is built from; tests build their own. */
export interface Services {
  config: Config;
  sequelize: Sequelize;
  registry: TenantRegistry;
  loginThrottle: LoginThrottle;
  /** gov.br sign-in; absent: built from the config when GOVBR_* are set; null: off. */
  govbr?: GovbrService | null;
  /** Sessions read from memory while the process listens for their changes (server/main.ts starts it); absent: read on every request. */
  sessionCache?: SessionReadCache;
}
