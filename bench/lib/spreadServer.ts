/**
 * The web role as production runs it, for bench/national.ts: BENCH_WEB_PROCESSES copies under
 * node:cluster (server/cluster.ts, as WEB_CONCURRENCY does), each serving on two shared ports:
 *
 *   BENCH_APP_PORT   the whole app (createApp), every tenant by its Host header
 *   BENCH_BARE_PORT  the bare page spread the same way: express, handlebars and one indexed query in
 *                    the tenant (of the Host header) transaction rendering up to 50 rows, no session,
 *                    no layout
 *
 * Reads DATABASE_URL (and DB_POOL_MAX, DB_POOL_MAX_USES as the app does). Prints "ready" on stdout
 * when every copy listens. Started and stopped by bench/national.ts.
 */
import cluster from 'node:cluster';

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
  const { inTenant, runWithTenant } = await import('../../server/tenancy/context');
  const { listenForRegistryChanges } = await import('../../server/tenancy/listener');
  const { TenantRegistry } = await import('../../server/tenancy/registry');

  const config = loadConfig({ ...process.env, NODE_ENV: 'development', APP_DOMAIN: 'localhost', SMTP_URL: undefined });
  const db = await openDatabase(config);
  const { sequelize } = db;
  const registry = new TenantRegistry(sequelize, 'localhost');
  await listenForRegistryChanges(db.url, registry);
  const app = createApp(
    { config, sequelize, registry, loginThrottle: new LoginThrottle(sequelize, { perAccount: 100_000, perIp: 100_000, windowSeconds: 60 }) },
    db.sessionPool,
  );
  app.enable('view cache');

  const bareTemplate = Handlebars.compile(
    `<!DOCTYPE html><html lang="pt-BR"><head><meta charset="utf-8"><title>Base</title></head><body><main><h1>Base</h1>
     <table><caption>Unidades</caption><thead><tr><th scope="col">Sigla</th><th scope="col">Nome</th></tr></thead>
     <tbody>{{#each rows}}<tr><th scope="row"><a href="/unidades/{{id}}">{{acronym}}</a></th><td>{{name}}</td></tr>{{/each}}</tbody></table></main></body></html>`,
  );
  const bare = express();
  bare.get('/bare', async (req, res) => {
    const found = await registry.resolve(req.hostname);
    if (found.type !== 'tenant') {
      res.status(404).end();
      return;
    }
    const rows = await runWithTenant(found.tenant, () =>
      inTenant((t) => sequelize.query('SELECT id, acronym, name FROM units WHERE id > $1 ORDER BY id LIMIT 50', { bind: [0], transaction: t, type: QueryTypes.SELECT })),
    );
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
