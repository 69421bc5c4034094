/**
 * Foundation benchmark: provisioning N tenants, the migration runner over them, and serving
 * requests spread over every tenant.
 *
 *   npx tsx bench/tenants.ts [--tenants 500] [--concurrency 4] [--requests 20000]
 *
 * Prints figures; asserts nothing. Uses a throwaway embedded PostgreSQL (fsync on) unless
 * DATABASE_URL is set.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { QueryTypes } from 'sequelize';
import { createApp } from '../server/app';
import { hashPassword } from '../server/auth/passwords';
import { LoginThrottle } from '../server/auth/loginThrottle';
import { loadConfig } from '../server/config';
import { loadMigrations, runMigrations, type Migration } from '../server/db/migrator';
import { tenantDefinitionSchema } from '../server/tenancy/definition';
import { prepareSpareSchemas, provisionTenant } from '../server/tenancy/provisioning';
import { TenantRegistry } from '../server/tenancy/registry';
import { openBenchDatabase } from './lib/database';
import { percentile, runLoad } from './lib/load';
import { pool } from './lib/pool';

const { values } = parseArgs({
  options: {
    tenants: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '4' },
    requests: { type: 'string', default: '20000' },
  },
});
const N = Number(values.tenants);
const C = Number(values.concurrency);
const REQUESTS = Number(values.requests);

const ms = (x: number): string => `${x.toFixed(1)} ms`;
const mb = (x: number): string => `${(x / 1024 / 1024).toFixed(0)} MB`;

function summary(label: string, samples: number[], totalMs: number): void {
  const s = [...samples].sort((a, b) => a - b);
  console.log(`${label}: ${samples.length} tenants in ${(totalMs / 1000).toFixed(1)} s — median ${ms(percentile(s, 50))}, p95 ${ms(percentile(s, 95))} per tenant`);
}

async function main(): Promise<void> {
  console.log(`PEN Nuvem — foundation benchmark (${N} tenants, concurrency ${C})`);
  const db = await openBenchDatabase();
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', DATABASE_URL: db.url });
  const registry = new TenantRegistry(db.sequelize, config.APP_DOMAIN);
  const passwordHash = await hashPassword('Bench-senha-2026');

  // 1. Provisioning: registry row, schema, every tenant migration, catalogs, units, users — one
  // transaction each. Half of the tenants build their schema while the caller waits; the other half
  // claim a spare schema prepared ahead of time (what the worker keeps ready in production).
  const definition = (i: number) => {
    const slug = `ente-${String(i).padStart(5, '0')}`;
    return tenantDefinitionSchema.parse({
      slug,
      name: `Prefeitura de Teste ${i}`,
      kind: 'municipio',
      uf: 'RJ',
      root: {
        acronym: 'PM',
        name: 'Prefeitura Municipal',
        protocolCode: '10001',
        children: [
          { acronym: 'SEGOV', name: 'Secretaria de Governo' },
          { acronym: 'SMS', name: 'Secretaria de Saúde' },
          { acronym: 'SME', name: 'Secretaria de Educação' },
        ],
      },
      users: [
        { name: 'Administração', email: `admin@${slug}.bench`, units: [{ acronym: 'PM', role: 'admin' }] },
        { name: 'Servidor', email: `servidor@${slug}.bench`, units: [{ acronym: 'SEGOV', role: 'basic' }] },
      ],
    });
  };
  const half = Math.floor(N / 2);
  let started = performance.now();
  const fresh = await pool(half, C, async (i) => (await provisionTenant(db.sequelize, undefined, definition(i), { passwordHash, useSpare: false })).ms);
  summary('Provisioning, schema built while the caller waits', fresh, performance.now() - started);
  started = performance.now();
  await prepareSpareSchemas(db.sequelize, N - half);
  console.log(`Spare schemas prepared in the background: ${N - half} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  started = performance.now();
  const claimed = await pool(N - half, C, async (i) => {
    const r = await provisionTenant(db.sequelize, undefined, definition(half + i), { passwordHash });
    if (!r.fromSpare) throw new Error('esperava um esquema reserva');
    return r.ms;
  });
  summary('Provisioning, spare schema claimed', claimed, performance.now() - started);

  // 2. Migration runner.
  const real = loadMigrations('tenant');
  const noop = await runMigrations(db.sequelize, { concurrency: C });
  console.log(`Migration runner, nothing to do: ${noop.tenants} tenants checked in ${(noop.totalMs / 1000).toFixed(2)} s (${ms(noop.totalMs / noop.tenants)} per tenant)`);
  const addColumn: Migration = {
    name: '9900-bench-add-column',
    up: async ({ context }) => {
      await context.sequelize.query('ALTER TABLE units ADD COLUMN bench_note TEXT', { transaction: context.transaction });
    },
  };
  const real1 = await runMigrations(db.sequelize, { concurrency: C, tenantMigrations: [...real, addColumn] });
  summary('Migration runner, ALTER TABLE … ADD COLUMN', real1.migrated.map((m) => m.ms), real1.totalMs);
  const forcedStart = performance.now();
  await db.sequelize.query('UPDATE platform.tenants SET schema_version = NULL');
  const forced = await runMigrations(db.sequelize, { concurrency: C, tenantMigrations: [...real, addColumn] });
  summary('Migration runner, every ledger re-read (version fast path off)', forced.migrated.map((m) => m.ms), performance.now() - forcedStart);

  // 3. Requests spread over every tenant: a tenant page that reads tenant data in a tenant transaction.
  const app = createApp({ config, sequelize: db.sequelize, registry, loginThrottle: new LoginThrottle(db.sequelize) }, db.sessionPool);
  app.enable('view cache'); // compiled templates cached, as in production
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const slugs = (await db.sequelize.query<{ slug: string }>("SELECT slug FROM platform.tenants WHERE status = 'active' ORDER BY id", { type: QueryTypes.SELECT })).map((r) => r.slug);
  // An invalid (well-formed) password link: host → tenant, one tenant transaction, a rendered 410 page.
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const load = await runLoad({
    port,
    host: (i) => `${slugs[i % slugs.length]}.localhost`,
    path: () => '/definir-senha?token=token-de-teste-invalido-0000000000',
    expectStatus: 410,
    connections: 32,
    durationMs: 120_000,
    maxRequests: REQUESTS,
  });
  const rssAfter = process.memoryUsage().rss;
  console.log(
    `Requests over ${slugs.length} tenants (32 connections): ${load.requests} in ${load.seconds.toFixed(1)} s = ${load.throughput.toFixed(0)} req/s, median ${ms(load.medianMs)}, p99 ${ms(load.p99Ms)}, unexpected answers ${load.errors}`,
  );
  console.log(`Web process RSS: before ${mb(rssBefore)}, after ${mb(rssAfter)}`);
  const [size] = await db.sequelize.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size', { type: QueryTypes.SELECT });
  console.log(`Database size: ${mb(Number(size.size))} (${(Number(size.size) / slugs.length / 1024).toFixed(0)} KB per tenant)`);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
