import path from 'node:path';
import { seedDemo, DEMO_OPERATOR } from '../seeders/demo';
import { createApp } from './app';
import { forkWebProcesses, isWebCopy } from './cluster';
import { LoginThrottle } from './auth/loginThrottle';
import { loadConfig, type Config } from './config';
import { openDatabase } from './db/database';
import { migrateAll } from './db/migrate';
import { logger } from './logger';
import { createTransport } from './mail/transport';
import { OutboxWorker } from './mail/worker';
import { runProtocolJobs } from './protocol/jobs';
import { packingWorker } from './tramita/packing';
import { runTramitaJobs } from './tramita/sync';
import { unpackingWorker } from './tramita/unpacking';
import { runApiJobs } from './api/jobs';
import { ExportWorker } from './export/jobs';
import { listTenantDefinitions, readTenantDefinition } from './tenancy/definition';
import { listenForRegistryChanges } from './tenancy/listener';
import { SessionReadCache } from './middleware/sessionReadCache';
import { prepareSpareSchemas } from './tenancy/provisioning';
import { TenantRegistry } from './tenancy/registry';
import { platformUrl, tenantUrl } from './tenancy/urls';
import { explainStartupFailure } from './startupFailure';
import { createHttpServer } from './web/httpServer';

/**
 * `npm start` (no flag): the whole product — database (embedded unless DATABASE_URL), migrations,
 * demo data outside production, web server and mail worker.
 * `--web` / `--worker`: one role each, as the Procfile runs them.
 * With WEB_CONCURRENCY above 1 the web role runs in that many processes sharing the port
 * (server/cluster.ts); this process then supervises them and keeps the other roles.
 */
async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const copy = isWebCopy();
  const all = !copy && !args.has('--web') && !args.has('--worker');
  const config = loadConfig();
  const db = await openDatabase(config);
  const stops: (() => Promise<void>)[] = [];

  const registry = new TenantRegistry(db.sequelize, config.APP_DOMAIN);
  if (all) {
    await migrateAll(db.sequelize, config);
    if (!config.production) {
      const created = await seedDemo(db.sequelize, registry, config.demoPassword);
      if (created.length) logger.info({ created }, 'entes de demonstração criados');
    }
  }
  if (copy || all || args.has('--web')) {
    if (!copy && config.webProcesses > 1) {
      // The copies reach the same database (the embedded one this process started, if so).
      const web = forkWebProcesses(config.webProcesses, { DATABASE_URL: db.url });
      stops.push(() => web.stop());
      await web.ready;
      logger.info({ processes: config.webProcesses }, 'processos web no ar');
    } else {
      stops.push(await listenForRegistryChanges(config.DATABASE_DIRECT_URL ?? db.url, registry));
      const sessionCache = new SessionReadCache();
      stops.push(await sessionCache.listen(config.DATABASE_DIRECT_URL ?? db.url));
      const app = createApp({ config, sequelize: db.sequelize, registry, loginThrottle: new LoginThrottle(db.sequelize), sessionCache }, db.sessionPool);
      const server = createHttpServer(app, config);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.PORT, () => {
          server.off('error', reject);
          resolve();
        });
      });
      stops.push(
        () =>
          new Promise((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          }),
      );
    }
    if (!copy) printWelcome(config, config.production ? null : config.demoPassword);
  }
  if (all || args.has('--worker')) {
    const worker = new OutboxWorker(db.sequelize, createTransport(config.SMTP_URL, path.join(config.VAR_DIR, 'mail')), { from: config.MAIL_FROM });
    worker.start();
    stops.push(() => worker.stop());
    const spares = setInterval(() => void topUpSpares(), 60_000);
    const topUpSpares = (): Promise<void> =>
      prepareSpareSchemas(db.sequelize, config.SPARE_SCHEMAS).then(
        () => undefined,
        (err: unknown) => logger.error({ err }, 'falha ao preparar esquemas reserva'),
      );
    void topUpSpares();
    stops.push(async () => clearInterval(spares));
    const protocolJobs = setInterval(() => void runProtocolJobs().catch((err: unknown) => logger.error({ err }, 'falha nas tarefas do Protocolo')), 5 * 60_000);
    stops.push(async () => clearInterval(protocolJobs));
    const tramitaJobs = setInterval(() => void runTramitaJobs().catch((err: unknown) => logger.error({ err }, 'falha nas tarefas do Tramita')), 60_000);
    stops.push(async () => clearInterval(tramitaJobs));
    // Transfers too large to pack in the request that sent them, or whose request died half-way.
    const packing = packingWorker();
    packing.start(2_000);
    stops.push(() => packing.stop());
    // Acceptances of packages too large to accept in the request.
    const unpacking = unpackingWorker();
    unpacking.start(2_000);
    stops.push(() => unpacking.stop());
    // The console's "Exportar dados" (server/export/jobs.ts).
    const exports = new ExportWorker({ sequelize: db.sequelize, config, url: db.url }, { dir: path.join(config.VAR_DIR, 'exports') });
    exports.start();
    stops.push(() => exports.stop());
    const apiJobs = setInterval(() => void runApiJobs().catch((err: unknown) => logger.error({ err }, 'falha nas tarefas da API de integração')), 60 * 60_000);
    stops.push(async () => clearInterval(apiJobs));
    logger.info(config.SMTP_URL ? 'entregador de e-mails ativo (SMTP)' : `entregador de e-mails ativo: mensagens em ${path.join(config.VAR_DIR, 'mail')}`);
  }

  const shutdown = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'encerrando');
    setTimeout(() => {
      logger.warn('encerramento demorou demais; saindo assim mesmo');
      process.exit(1);
    }, 10_000).unref();
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => logger.error({ err }, 'erro ao encerrar'));
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

function printWelcome(config: Config, demoPassword: string | null): void {
  const lines = ['', 'PEN Nuvem no ar:', `  Plataforma (MGI):      ${platformUrl(config)}`];
  for (const slug of listTenantDefinitions()) {
    const def = readTenantDefinition(slug);
    lines.push(`  ${def.name}: ${tenantUrl(config, slug)}`);
  }
  if (demoPassword) {
    lines.push('', `Acessos de demonstração (senha de todos: ${demoPassword}):`, `  Operador do MGI: ${DEMO_OPERATOR.email}`);
    for (const slug of listTenantDefinitions()) {
      for (const u of readTenantDefinition(slug).users) lines.push(`  ${slug}: ${u.email} (${u.name})`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((err: unknown) => {
  const { cause, action } = explainStartupFailure(err, Number(process.env.PORT ?? 3000));
  logger.fatal({ err, cause, action }, `falha ao iniciar: ${cause}`);
  process.stderr.write(`\nNão foi possível iniciar o PEN Nuvem.\n  Causa: ${cause}\n  O que fazer: ${action}\n\n`);
  process.exit(1);
});
