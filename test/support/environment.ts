import type { Sequelize } from 'sequelize';
import { createApp } from '../../server/app';
import { LoginThrottle } from '../../server/auth/loginThrottle';
import { loadConfig, type Config } from '../../server/config';
import { initModels } from '../../server/models';
import { freePort, openThrowawayDatabase } from '../../server/db/throwaway';
import { migratePlatform } from '../../server/db/migrator';
import { createSequelize } from '../../server/db/sequelize';
import { bindTenancy } from '../../server/tenancy/context';
import { TenantRegistry } from '../../server/tenancy/registry';
import type { Pool } from 'pg';
import { createSessionPool } from '../../server/db/database';
import type { Express } from 'express';
import type { SessionReadCache } from '../../server/middleware/sessionReadCache';

/**
 * One real PostgreSQL per test run: the embedded one in a throwaway directory, or a fresh database
 * on the server of DATABASE_URL. Every test file shares it and creates its own tenants.
 * TEST_DATABASE_URL runs the tests in that existing database, left in place at the end — e.g. the
 * fuzzer against the one `bench/national.ts --keep` filled with every government.
 */
export interface TestEnvironment {
  config: Config;
  url: string;
  sequelize: Sequelize;
  sessionPool: Pool;
  registry: TenantRegistry;
  app: Express;
  /** A fresh app over the same database (for tests that need their own throttle or registry). */
  buildApp(overrides?: Partial<{ loginThrottle: LoginThrottle; registry: TenantRegistry; sessionCache: SessionReadCache }>): Express;
}

let env: TestEnvironment | undefined;
let teardown: (() => Promise<void>) | undefined;

export { freePort };

export function testEnv(): TestEnvironment {
  if (!env) throw new Error('Ambiente de teste não iniciado (test/support/hooks.ts)');
  return env;
}

export async function startTestEnvironment(): Promise<TestEnvironment> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: undefined, APP_DOMAIN: 'localhost', SMTP_URL: undefined });
  const database = process.env.TEST_DATABASE_URL
    ? { url: process.env.TEST_DATABASE_URL, close: async () => undefined }
    : await openThrowawayDatabase({ serverUrl: process.env.DATABASE_URL, prefix: 'pen_test', fast: true });
  const url = database.url;
  const sequelize = createSequelize({ url, poolMax: 20, poolMaxUses: 5000, namedStatements: config.DB_PREPARED_STATEMENTS });
  initModels(sequelize);
  bindTenancy(sequelize);
  await migratePlatform(sequelize);
  const sessionPool = createSessionPool(url);
  const registry = new TenantRegistry(sequelize, config.APP_DOMAIN);
  const buildApp: TestEnvironment['buildApp'] = (overrides = {}) =>
    createApp(
      {
        config,
        sequelize,
        registry: overrides.registry ?? registry,
        loginThrottle: overrides.loginThrottle ?? new LoginThrottle(sequelize, { perAccount: 1000, perIp: 1000, windowSeconds: 60 }),
        sessionCache: overrides.sessionCache,
      },
      sessionPool,
    );
  env = { config, url, sequelize, sessionPool, registry, app: buildApp(), buildApp };
  teardown = async () => {
    await sessionPool.end();
    await sequelize.close();
    await database.close();
  };
  return env;
}

export async function stopTestEnvironment(): Promise<void> {
  await teardown?.();
  env = undefined;
  teardown = undefined;
}
