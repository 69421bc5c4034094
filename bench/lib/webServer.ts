/**
 * The web role as production runs it, for bench/processes.ts: BENCH_WEB_PROCESSES copies under
 * node:cluster (server/cluster.ts, as WEB_CONCURRENCY does), each serving on two shared ports:
 *
 *   BENCH_APP_PORT   the whole app (createApp), plus /bench/base: the bare page inside the stack
 *                    (host → tenant, session, login, CSRF, tenant layout)
 *   BENCH_BARE_PORT  the bare page alone: express, handlebars and one indexed query in a tenant
 *                    transaction rendering 50 rows, no session, no layout
 *
 * Reads DATABASE_URL, BENCH_TENANT (slug) and BENCH_PROCESSES (the range of the bare query). Prints
 * "ready" on stdout when every copy listens. Started and stopped by bench/processes.ts.
 */
import cluster from 'node:cluster';
import path from 'node:path';

process.env.LOG_LEVEL ??= 'warn';

async function primary(): Promise<void> {
  const { forkWebProcesses } = await import('../../server/cluster');
  const web = forkWebProcesses(Number(process.env.BENCH_WEB_PROCESSES ?? 1), {});
  await web.ready;
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => void web.stop().then(() => process.exit(0)));
}

async function copy(): Promise<void> {
  const express = (await import('express')).default;
  const Handlebars = (await import('handlebars')).default;
  const { QueryTypes } = await import('sequelize');
  const { createApp } = await import('../../server/app');
  const { LoginThrottle } = await import('../../server/auth/loginThrottle');
  const { loadConfig } = await import('../../server/config');
  const { createHttpServer } = await import('../../server/web/httpServer');
  const { openDatabase } = await import('../../server/db/database');
  const { requireUser } = await import('../../server/middleware/setUpAuth');
  const { inTenant, runWithTenant } = await import('../../server/tenancy/context');
  const { TenantRegistry } = await import('../../server/tenancy/registry');

  const processes = Number(process.env.BENCH_PROCESSES ?? 1_000_000);
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', APP_DOMAIN: 'localhost', SMTP_URL: undefined });
  const db = await openDatabase(config);
  const { sequelize } = db;
  const registry = new TenantRegistry(sequelize, 'localhost');
  const found = await registry.resolve(`${process.env.BENCH_TENANT}.localhost`);
  if (found.type !== 'tenant') throw new Error(`BENCH_TENANT ${process.env.BENCH_TENANT} não existe`);
  const tenant = found.tenant;
  const bareQuery = 'SELECT id, number, specification, created_at FROM processes WHERE id > $1 ORDER BY id LIMIT 50';
  const from = () => Math.floor(Math.random() * Math.max(1, processes - 50));

  const inStack = express.Router();
  inStack.get('/bench/base', requireUser, async (_req, res) => {
    const rows = await inTenant((t) => sequelize.query(bareQuery, { bind: [from()], transaction: t, type: QueryTypes.SELECT }));
    res.render(path.join(__dirname, '..', 'views', 'bare.hbs'), { title: 'Base', rows });
  });
  // As server/main.ts runs a web process: sessions read from memory while their changes are heard
  // (BENCH_SESSION_CACHE=0: every request reads its session, as before issue 15).
  const { SessionReadCache } = await import('../../server/middleware/sessionReadCache');
  const sessionCache = process.env.BENCH_SESSION_CACHE === '0' ? undefined : new SessionReadCache();
  await sessionCache?.listen(db.url);
  const app = createApp(
    { config, sequelize, registry, loginThrottle: new LoginThrottle(sequelize, { perAccount: 10_000, perIp: 10_000, windowSeconds: 60 }), sessionCache },
    db.sessionPool,
    { tenant: inStack },
  );
  app.enable('view cache');

  const bareTemplate = Handlebars.compile(
    `<!DOCTYPE html><html lang="pt-BR"><head><meta charset="utf-8"><title>Base</title></head><body><main><h1>Base</h1>
     <table><caption>50 processos</caption><thead><tr><th scope="col">Número</th><th scope="col">Especificação</th><th scope="col">Criado em</th></tr></thead>
     <tbody>{{#each rows}}<tr><th scope="row"><a href="/processos/{{id}}">{{number}}</a></th><td>{{specification}}</td><td>{{created_at}}</td></tr>{{/each}}</tbody></table></main></body></html>`,
  );
  const bare = express();
  bare.get('/bare', async (_req, res) => {
    const rows = await runWithTenant(tenant, () => inTenant((t) => sequelize.query(bareQuery, { bind: [from()], transaction: t, type: QueryTypes.SELECT })));
    res.type('html').send(bareTemplate({ rows }));
  });

  createHttpServer(app, config).listen(Number(process.env.BENCH_APP_PORT), '127.0.0.1');
  createHttpServer(bare, config).listen(Number(process.env.BENCH_BARE_PORT), '127.0.0.1');
  process.once('SIGTERM', () => void db.close().then(() => process.exit(0)));
}

(cluster.isPrimary ? primary() : copy()).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
