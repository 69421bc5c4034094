/**
 * Benchmark of the consulta pública (anonymous, no session) at scale: one tenant with BENCH_PROCESSES
 * processes (default 1,000,000: 80 % público, 15 % restrito, 5 % sigiloso, over 21 units and every
 * process type, one interessado and one andamento each). Under BENCH_CONNECTIONS keep-alive
 * connections (default 8) against the whole app in this process, it measures each kind of anonymous
 * search — by NUP, by type, by unit and period, by interessado name and CPF, the second keyset page —
 * and the process page, printing median, p95, p99 and throughput. Target: p95 ≤ 50 ms.
 *
 *   npx tsx bench/public-consultation.ts     # BENCH_PROCESSES, BENCH_SECONDS (per scenario, default 5), DATABASE_URL
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

process.env.LOG_LEVEL ??= 'warn';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const SAMPLE = 2000;
const PARTY_CPF = '52998224725';

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const { Client } = await import('pg');
  const { createApp } = await import('../server/app');
  const { LoginThrottle } = await import('../server/auth/loginThrottle');
  const { loadConfig } = await import('../server/config');
  const { createSessionPool } = await import('../server/db/database');
  const { migratePlatform } = await import('../server/db/migrator');
  const { createSequelize } = await import('../server/db/sequelize');
  const { openThrowawayDatabase } = await import('../server/db/throwaway');
  const { initModels } = await import('../server/models');
  const { checkDigits, formatDigits } = await import('../server/processes/numbering');
  const { bindTenancy } = await import('../server/tenancy/context');
  const { tenantDefinitionSchema } = await import('../server/tenancy/definition');
  const { provisionTenant } = await import('../server/tenancy/provisioning');
  const { TenantRegistry } = await import('../server/tenancy/registry');
  const { runLoad, request } = await import('./lib/load');

  const config = { ...loadConfig({ ...process.env, NODE_ENV: 'development', APP_DOMAIN: 'localhost', SMTP_URL: undefined, DATABASE_URL: undefined }), PUBLIC_CONSULTATION_PER_MINUTE: 1_000_000_000 };
  const database = await openThrowawayDatabase({ serverUrl: process.env.DATABASE_URL, prefix: 'pen_bench_public', fast: true });
  const sequelize = createSequelize({ url: database.url, poolMax: config.DB_POOL_MAX, poolMaxUses: config.DB_POOL_MAX_USES });
  initModels(sequelize);
  bindTenancy(sequelize);
  await migratePlatform(sequelize);
  const registry = new TenantRegistry(sequelize, 'localhost');
  const sessionPool = createSessionPool(database.url);
  const slug = `bench-${crypto.randomBytes(3).toString('hex')}`;
  const t0 = performance.now();
  const { tenant } = await provisionTenant(
    sequelize,
    registry,
    tenantDefinitionSchema.parse({
      slug,
      name: 'Prefeitura do Benchmark',
      kind: 'municipio',
      uf: 'RJ',
      ibgeCode: '3300100',
      root: { acronym: 'PMB', name: 'Prefeitura Municipal do Benchmark', protocolCode: '10001', children: [{ acronym: 'SEGOV', name: 'Secretaria de Governo' }] },
      users: [{ name: 'Servidor do Benchmark', email: `servidor@${slug}.test`, units: [{ acronym: 'SEGOV', role: 'basic' }] }],
    }),
    { passwordHash: null },
  );

  const seed = new Client({ connectionString: database.url });
  await seed.connect();
  await seed.query('BEGIN');
  await seed.query("SELECT set_config('search_path', $1, true)", [`"${tenant.schema}"`]);
  const step = async (label: string, sql: string, params: unknown[] = []) => {
    const s = performance.now();
    await seed.query(sql, params);
    print(`  ${label}: ${((performance.now() - s) / 1000).toFixed(1)} s`);
  };
  print(`Seeding ${PROCESSES.toLocaleString('pt-BR')} processes…`);
  await step('units', `INSERT INTO units (parent_id, acronym, name) SELECT (SELECT id FROM units WHERE acronym = 'PMB'), 'U' || g, 'Unidade ' || g FROM generate_series(1, 20) g`);
  await step(
    'processes',
    `WITH k AS (SELECT array_agg(id ORDER BY id) AS types FROM process_types),
          n AS (SELECT array_agg(id ORDER BY id) AS units FROM units WHERE acronym <> 'PMB'),
          u AS (SELECT id AS user_id FROM users LIMIT 1),
          b AS (SELECT min(id) AS basis FROM legal_bases)
     INSERT INTO processes (id, number, number_digits, numbering, year, process_type_id, specification, access_level, legal_basis_id, secrecy_grade,
                            origin_unit_id, created_by_id, created_at, updated_at)
     SELECT g,
            '10001.' || lpad(((g - 1) % 999999 + 1)::text, 6, '0') || '/' || (2000 + (g - 1) / 999999) || '-00',
            '10001' || lpad(((g - 1) % 999999 + 1)::text, 6, '0') || (2000 + (g - 1) / 999999) || '00',
            'nup', 2000 + (g - 1) / 999999, k.types[1 + g % cardinality(k.types)], 'Processo de carga nº ' || g,
            CASE WHEN g % 20 = 0 THEN 'secret' WHEN g % 20 < 4 THEN 'restricted' ELSE 'public' END,
            CASE WHEN g % 20 < 4 THEN b.basis END,
            CASE WHEN g % 20 = 0 THEN 'reservado' END,
            n.units[1 + (g / 7) % cardinality(n.units)], u.user_id, now() - (($1::int - g) * interval '30 seconds'), now()
       FROM generate_series(1, $1::int) g, k, n, u, b`,
    [PROCESSES],
  );
  await step('sequence', `SELECT setval(pg_get_serial_sequence('processes', 'id'), $1::int)`, [PROCESSES]);
  await step('parties', `INSERT INTO parties (name) SELECT 'Interessado ' || g FROM generate_series(1, GREATEST($1::int / 10, 1)) g`, [PROCESSES]);
  await step(
    'process_parties',
    `INSERT INTO process_parties (process_id, party_id, position)
     SELECT p.id, (SELECT min(id) FROM parties) + p.id % GREATEST($1::int / 10, 1), 0 FROM processes p`,
    [PROCESSES],
  );
  await step('party with a CPF', `WITH pa AS (INSERT INTO parties (name, document) VALUES ('Cidadã com CPF', $1) RETURNING id)
     INSERT INTO process_parties (process_id, party_id, position) SELECT g * 997, pa.id, 1 FROM generate_series(1, 20) g, pa`, [PARTY_CPF]);
  await step('process_events', `INSERT INTO process_events (process_id, unit_id, user_id, kind, description, created_at)
     SELECT p.id, p.origin_unit_id, p.created_by_id, 'created', 'Processo gerado', p.created_at FROM processes p`);
  // Real check digits on a sample (the NUP look-ups): the search validates them as the form does.
  const ids = Array.from({ length: SAMPLE }, () => 1 + Math.floor(Math.random() * PROCESSES));
  const numbers = ids.map((id) => {
    const body = `10001${String(((id - 1) % 999999) + 1).padStart(6, '0')}${2000 + Math.floor((id - 1) / 999999)}`;
    return body + checkDigits(body);
  });
  await step('sample check digits', `UPDATE processes p SET number_digits = s.d, number = s.f FROM unnest($1::bigint[], $2::text[], $3::text[]) AS s(id, d, f) WHERE p.id = s.id`, [
    ids,
    numbers,
    numbers.map(formatDigits),
  ]);
  const [range] = (await seed.query<{ types: string[]; units: string[] }>(`SELECT (SELECT array_agg(id::text) FROM process_types) AS types, (SELECT array_agg(id::text) FROM units) AS units`)).rows;
  await seed.query('COMMIT');
  await step('vacuum analyze', 'VACUUM ANALYZE');
  await seed.end();
  print(`Seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s.`);

  const app = createApp({ config, sequelize, registry, loginThrottle: new LoginThrottle(sequelize), govbr: null }, sessionPool);
  app.enable('view cache'); // as production runs it (NODE_ENV=production): templates compiled once
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const host = `${slug}.localhost`;
  const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const spanDays = Math.floor((PROCESSES * 30) / 86_400);

  // Second pages: the keyset link of each type's first page.
  const secondPages: string[] = [];
  for (const type of range.types) {
    const res = await request(port, host, 'GET', `/consulta-publica?tipo=${type}`);
    const next = /href="([^"]+)" data-testid="next-page"/.exec(res.body)?.[1];
    if (next) secondPages.push(next.replaceAll('&amp;', '&'));
  }
  const check = await request(port, host, 'GET', `/consulta-publica?numero=${numbers[0]}`);
  if (check.status !== 200) throw new Error(`a consulta pública respondeu ${check.status}`);
  const publicSample = numbers.filter((_n, i) => ids[i] % 20 >= 4);

  // Database work of each page alone, sequential, no HTTP.
  const { publicProcess, publicSearchPage } = await import('../server/public-consultation/service');
  const { runWithTenant } = await import('../server/tenancy/context');
  const timeIt = async (fn: () => Promise<unknown>) => {
    for (let i = 0; i < 10; i += 1) await runWithTenant(tenant, fn as () => Promise<void>);
    const s = performance.now();
    for (let i = 0; i < 50; i += 1) await runWithTenant(tenant, fn as () => Promise<void>);
    return ((performance.now() - s) / 50).toFixed(2);
  };
  print(
    `service cost per call (sequential): search by type ${await timeIt(() => publicSearchPage({ processTypeId: pick(range.types) }))} ms, ` +
      `by NUP ${await timeIt(() => publicSearchPage({ numberDigits: pick(numbers) }))} ms, ` +
      `by name ${await timeIt(() => publicSearchPage({ partyName: `Interessado ${1 + Math.floor(Math.random() * (PROCESSES / 10))}` }))} ms, ` +
      `second page by type ${await timeIt(async () => {
        const first = await publicSearchPage({ processTypeId: range.types[0] });
        return first.next && publicSearchPage({ processTypeId: range.types[0], after: first.next });
      })} ms (both pages), ` +
      `process page ${await timeIt(() => publicProcess(pick(publicSample)))} ms`,
  );

  // The statement of each search as PostgreSQL runs it (EXPLAIN ANALYZE, execution time, custom
  // or generic plan as the prepared statement gets it after warm-up): captured from the service's call.
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const explain = async (label: string, fn: () => Promise<unknown>) => {
    let captured: { text: string; values: unknown[] } | undefined;
    proto.query = function (this: unknown, ...args: unknown[]) {
      const q = args[0] as { text?: string; values?: unknown[] };
      if (q?.text?.includes('FROM processes p') && !q.text.includes('EXPLAIN')) captured = { text: q.text, values: q.values ?? [] };
      return original.apply(this, args);
    };
    await runWithTenant(tenant, fn as () => Promise<void>);
    proto.query = original;
    if (!captured) return;
    const c = new Client({ connectionString: database.url });
    await c.connect();
    await c.query('BEGIN');
    await c.query("SELECT set_config('search_path', $1, true)", [`"${tenant.schema}"`]);
    const plan = (await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE) ${captured.text}`, captured.values)).rows.map((r) => r['QUERY PLAN']);
    await c.query('ROLLBACK');
    await c.end();
    print(`  ${label}: ${plan.find((l) => l.startsWith('Execution Time'))}${process.env.BENCH_EXPLAIN ? `\n${plan.join('\n')}` : ''}`);
  };
  print('statements (EXPLAIN ANALYZE):');
  await explain('by type', () => publicSearchPage({ processTypeId: pick(range.types) }));
  await explain('by NUP', () => publicSearchPage({ numberDigits: pick(numbers) }));
  await explain('by unit + period', () => publicSearchPage({ unitId: pick(range.units), from: day(60), to: day(30) }));
  await explain('by interessado name', () => publicSearchPage({ partyName: `Interessado ${1 + Math.floor(Math.random() * (PROCESSES / 10))}` }));
  await explain('by interessado CPF', () => publicSearchPage({ partyDocument: PARTY_CPF }));
  await explain('process page', () => publicProcess(pick(publicSample)));

  const scenarios: Record<string, () => string> = {
    'reference: /healthz': () => '/healthz',
    'reference: /login': () => '/login',
    'by NUP': () => `/consulta-publica?numero=${encodeURIComponent(formatDigits(pick(numbers)))}`,
    'by type': () => `/consulta-publica?tipo=${pick(range.types)}`,
    'by unit + period': () => {
      const from = Math.floor(Math.random() * Math.max(spanDays - 30, 1));
      return `/consulta-publica?unidade=${pick(range.units)}&de=${day(from + 30)}&ate=${day(from)}`;
    },
    'by interessado name': () => `/consulta-publica?interessado=${encodeURIComponent(`Interessado ${1 + Math.floor(Math.random() * (PROCESSES / 10))}`)}`,
    'by interessado CPF': () => `/consulta-publica?interessado=${PARTY_CPF}`,
    'second page (keyset)': () => pick(secondPages),
    'process page': () => `/consulta-publica/processos/${pick(publicSample)}`,
  };
  print(`\n${CONNECTIONS} connections, ${SECONDS} s per scenario, one web process:`);
  print('scenario                 req/s   median    p95     p99   errors');
  for (const [name, path] of Object.entries(scenarios)) {
    await runLoad({ port, host, path, connections: CONNECTIONS, durationMs: 1000, maxRequests: 1e9 });
    const r = await runLoad({ port, host, path, connections: CONNECTIONS, durationMs: SECONDS * 1000, maxRequests: 1e9 });
    print(`${name.padEnd(24)} ${r.throughput.toFixed(0).padStart(5)} ${r.medianMs.toFixed(1).padStart(7)} ms ${r.p95Ms!.toFixed(1).padStart(6)} ms ${r.p99Ms.toFixed(1).padStart(6)} ms ${String(r.errors).padStart(5)}`);
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await sessionPool.end();
  await sequelize.close();
  await database.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
