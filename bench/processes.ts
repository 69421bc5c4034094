/**
 * Benchmark of the process screens at scale: one tenant with BENCH_PROCESSES processes (default
 * 1,000,000), BENCH_OPEN of them (default 10,000) open in SEGOV. Under 32 concurrent keep-alive
 * connections it measures the inbox (Controle de processos) and the process page, and in the same
 * run two bare pages (one indexed query in a tenant transaction rendering 50 rows): one alone
 * (express + handlebars, no session, no layout) and one served by the whole stack (logged in:
 * session, CSRF, tenant layout). Prints median, p99, throughput, the ratios to both bare pages and
 * the CPU per request of the web processes, PostgreSQL and the load generator.
 *
 * The web role runs as production runs it: BENCH_WEB_PROCESSES copies (default one per core, as
 * WEB_CONCURRENCY) under node:cluster (bench/lib/webServer.ts). The load comes from wrk when it is
 * installed (`apt-get install wrk`: far less CPU taken from the server), else from Node
 * (bench/lib/load.ts); BENCH_LOAD=node forces the latter.
 *
 *   npx tsx bench/processes.ts            # BENCH_PROCESSES, BENCH_OPEN, BENCH_SECONDS, BENCH_ROUNDS, DATABASE_URL
 *
 * To repeat measurements without seeding again: run once with DATABASE_URL set (the seeded tenant is
 * kept and its slug printed), then with BENCH_TENANT=<slug>. BENCH_ONLY=inbox,process runs only those
 * pages (the bare pages always run: ratios need them). BENCH_EXPLAIN=1 prints the inbox plan.
 * BENCH_CPU_PROF=<dir> has every web process write a CPU profile there (bench/lib/profile.ts lists
 * its top entries).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';

process.env.LOG_LEVEL ??= 'warn';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 1_000_000);
const OPEN = Number(process.env.BENCH_OPEN ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 32;
/** Web processes (WEB_CONCURRENCY): one per core by default, as production runs. */
const WEB_PROCESSES = Number(process.env.BENCH_WEB_PROCESSES ?? os.availableParallelism());
const PASSWORD = 'Senha-do-benchmark-1';
/** Open processes given 30 andamentos and 10 documents (the process page and the document page read these). */
const RICH = Number(process.env.BENCH_RICH ?? 100);
/** Documents to search (on closed processes), each with 60 common words and one of SEARCH_TERMS rare terms. */
const SEARCH_DOCS = Number(process.env.BENCH_SEARCH_DOCS ?? 50_000);
const SEARCH_TERMS = 5_000;
const SEARCH_WORDS = ['licitação', 'contrato', 'servidor', 'pagamento', 'empenho', 'parecer', 'jurídico', 'secretaria', 'despacho', 'ofício', 'processo', 'obra', 'escola', 'saúde', 'convênio', 'aditivo', 'prazo', 'fiscal', 'nota', 'reajuste'];

/** Figures go to stdout (a script's output, not server logging). */
function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const { Client } = await import('pg');
  const { QueryTypes } = await import('sequelize');
  const { hashPassword } = await import('../server/auth/passwords');
  const { loadConfig } = await import('../server/config');
  const { startEmbedded } = await import('../server/db/embedded');
  const { migratePlatform } = await import('../server/db/migrator');
  const { createSequelize } = await import('../server/db/sequelize');
  const { initModels } = await import('../server/models');
  const { bindTenancy, inTenant, runWithTenant } = await import('../server/tenancy/context');
  const { tenantDefinitionSchema } = await import('../server/tenancy/definition');
  const { provisionTenant } = await import('../server/tenancy/provisioning');
  const { TenantRegistry } = await import('../server/tenancy/registry');
  const { runLoad, runWrk, request, wrkAvailable } = await import('./lib/load');
  const { childrenOf } = await import('./lib/cpu');
  const { freePort } = await import('../server/db/throwaway');

  const config = loadConfig({ ...process.env, NODE_ENV: 'development', APP_DOMAIN: 'localhost', SMTP_URL: undefined, DATABASE_URL: undefined });
  let url = process.env.DATABASE_URL;
  let stopDb: (() => Promise<void>) | undefined;
  if (!url) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pen-bench-'));
    fs.chmodSync(tmp, 0o755);
    const port = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const pg = await startEmbedded({ dir: path.join(tmp, 'pg'), port, unsafeFast: true });
    url = pg.url;
    stopDb = async () => {
      await pg.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    };
  }
  const sequelize = createSequelize({ url, poolMax: config.DB_POOL_MAX, poolMaxUses: config.DB_POOL_MAX_USES });
  initModels(sequelize);
  bindTenancy(sequelize);
  await migratePlatform(sequelize);
  const registry = new TenantRegistry(sequelize, 'localhost');

  const slug = process.env.BENCH_TENANT ?? `bench-${crypto.randomBytes(3).toString('hex')}`;
  const tenant = process.env.BENCH_TENANT ? await existingTenant() : await seededTenant();
  async function existingTenant() {
    const found = await registry.resolve(`${slug}.localhost`);
    if (found.type !== 'tenant') throw new Error(`BENCH_TENANT ${slug} não existe neste banco`);
    print(`Reusing tenant ${slug}.`);
    return found.tenant;
  }
  async function seededTenant() {
    const t0 = performance.now();
    const provisioned = await provisionTenant(
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
      { passwordHash: await hashPassword(PASSWORD) },
    );

    // Set-based seeding, in the tenant schema (transaction-local search path on a dedicated client).
    const seed = new Client({ connectionString: url });
    await seed.connect();
    await seed.query('BEGIN');
    await seed.query("SELECT set_config('search_path', $1, true)", [`"${provisioned.tenant.schema}"`]);
    const step = async (label: string, sql: string, params: unknown[] = []) => {
      const s = performance.now();
      await seed.query(sql, params);
      print(`  ${label}: ${((performance.now() - s) / 1000).toFixed(1)} s`);
    };
    print(`Seeding ${PROCESSES.toLocaleString('pt-BR')} processes (${OPEN.toLocaleString('pt-BR')} open in SEGOV)…`);
    await step('units', `INSERT INTO units (parent_id, acronym, name) SELECT (SELECT id FROM units WHERE acronym = 'PMB'), 'U' || g, 'Unidade ' || g FROM generate_series(1, 20) g`);
    await step(
      'processes',
      `WITH k AS (SELECT array_agg(id ORDER BY id) AS types FROM process_types),
            u AS (SELECT id AS user_id FROM users LIMIT 1),
            s AS (SELECT id AS segov FROM units WHERE acronym = 'SEGOV')
       INSERT INTO processes (id, number, number_digits, numbering, year, process_type_id, specification, access_level,
                              origin_unit_id, created_by_id, created_at, updated_at)
       SELECT g,
              '10001.' || lpad(((g - 1) % 999999 + 1)::text, 6, '0') || '/' || (2000 + (g - 1) / 999999) || '-00',
              '10001' || lpad(((g - 1) % 999999 + 1)::text, 6, '0') || (2000 + (g - 1) / 999999) || '00',
              'nup', 2000 + (g - 1) / 999999, k.types[1 + g % cardinality(k.types)], 'Processo de carga nº ' || g, 'public',
              s.segov, u.user_id, now() - (($1::int - g) * interval '30 seconds'), now()
         FROM generate_series(1, $1::int) g, k, u, s`,
      [PROCESSES],
    );
    await step('sequence', `SELECT setval(pg_get_serial_sequence('processes', 'id'), $1::int)`, [PROCESSES]);
    await step(
      'process_units',
      `WITH s AS (SELECT id AS segov FROM units WHERE acronym = 'SEGOV'),
            o AS (SELECT array_agg(id ORDER BY id) AS others FROM units WHERE acronym LIKE 'U%'),
            u AS (SELECT id AS user_id FROM users LIMIT 1)
       INSERT INTO process_units (process_id, unit_id, list, open, unread, arrived_at, received_at, assigned_user_id, expected_return, concluded_at)
       SELECT p.id,
              CASE WHEN p.id > $1::int - $2::int THEN s.segov ELSE o.others[1 + p.id % 20] END,
              CASE WHEN p.id % 2 = 0 THEN 'received' ELSE 'created' END,
              p.id > $1::int - $2::int,
              p.id > $1::int - $2::int AND p.id % 7 = 0,
              p.created_at,
              CASE WHEN p.id % 7 = 0 THEN NULL ELSE p.created_at END,
              CASE WHEN p.id % 5 = 0 THEN u.user_id END,
              CASE WHEN p.id % 10 = 0 THEN current_date + (p.id % 30)::int - 15 END,
              CASE WHEN p.id > $1::int - $2::int THEN NULL ELSE p.created_at END
         FROM processes p, s, o, u`,
      [PROCESSES, OPEN],
    );
    await step('parties', `INSERT INTO parties (name) SELECT 'Interessado ' || g FROM generate_series(1, GREATEST($1::int / 10, 1)) g`, [PROCESSES]);
    await step(
      'process_parties',
      `INSERT INTO process_parties (process_id, party_id, position)
       SELECT p.id, (SELECT min(id) FROM parties) + p.id % GREATEST($1::int / 10, 1), 0 FROM processes p`,
      [PROCESSES],
    );
    await step(
      'process_events',
      `INSERT INTO process_events (process_id, unit_id, user_id, kind, description, created_at)
       SELECT p.id, p.origin_unit_id, p.created_by_id, 'created', 'Processo gerado', p.created_at FROM processes p`,
    );
    await seed.query('COMMIT');
    // As autovacuum would have done by the time anyone opens the page (sets the visibility map too).
    await step('vacuum analyze', `VACUUM ANALYZE`);
    await seed.end();
    print(`Seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s (tenant ${slug}; reuse it with DATABASE_URL and BENCH_TENANT=${slug}).`);
    return provisioned.tenant;
  }
  const lister = new Client({ connectionString: url });
  await lister.connect();
  const openIds = (
    await lister.query<{ id: string }>(`SELECT process_id AS id FROM "${tenant.schema}".process_units WHERE open ORDER BY process_id`)
  ).rows.map((r) => r.id);

  // The process page, the document page and the search results page read richer processes: RICH of
  // the open ones get 30 andamentos and 10 documents each (made by the documents service, as a user
  // makes them), and SEARCH_DOCS documents with words go on closed processes for the search. Seeded
  // once per tenant (also on a reused BENCH_TENANT that predates them).
  const richIds = openIds.slice(-RICH);
  const seededDocs = Number((await lister.query<{ n: string }>(`SELECT count(*) AS n FROM "${tenant.schema}".documents`)).rows[0].n);
  if (seededDocs === 0) {
    const t0 = performance.now();
    const { createInternalDocument } = await import('../server/documents/service');
    const { DocumentType } = await import('../server/models');
    const [who] = await runWithTenant(tenant, () =>
      inTenant((t) => sequelize.query<{ unit_id: string; user_id: string; name: string }>("SELECT un.id AS unit_id, u.id AS user_id, u.name FROM units un, users u WHERE un.acronym = 'SEGOV' LIMIT 1", { transaction: t, type: QueryTypes.SELECT })),
    );
    const actor = { userId: String(who.user_id), name: who.name, unitId: String(who.unit_id), unitAcronym: 'SEGOV' };
    const despacho = await runWithTenant(tenant, () => inTenant((t) => DocumentType.findOne({ where: { name: 'Despacho' }, transaction: t })));
    if (!despacho) throw new Error('tipo de documento Despacho ausente');
    await lister.query(
      `INSERT INTO "${tenant.schema}".process_events (process_id, unit_id, user_id, kind, description, created_at)
       SELECT p.id, p.origin_unit_id, p.created_by_id, 'sent', 'Processo remetido pela unidade SEGOV (andamento ' || k || ')', p.created_at + k * interval '1 hour'
         FROM "${tenant.schema}".processes p CROSS JOIN generate_series(1, 29) k WHERE p.id = ANY($1::bigint[])`,
      [richIds],
    );
    for (const id of richIds) {
      for (let d = 0; d < 10; d += 1) {
        await runWithTenant(tenant, () => createInternalDocument(actor, id, { documentTypeId: String(despacho.id), complement: `nº ${d + 1}`, accessLevel: 'public', legalBasisId: null }));
      }
    }
    const words = SEARCH_WORDS;
    await lister.query(
      `INSERT INTO "${tenant.schema}".documents (process_id, number, kind, document_type_id, unit_id, created_by, title, body_html, content_text, verification_code)
       SELECT 1 + (g - 1) / 10, 1000000 + g, 'internal', $2, $3, $4, 'Despacho ' || g, '<p>…</p>',
              x.txt || ' termo' || (g % $5::int), lpad((5000000000 + g)::text, 10, '0')
         FROM generate_series(1, $1::int) g
         CROSS JOIN LATERAL (SELECT string_agg(($6::text[])[1 + ((g * 7 + k * 13) % cardinality($6::text[]))], ' ') AS txt FROM generate_series(1, 60) k) x`,
      [SEARCH_DOCS, despacho.id, actor.unitId, actor.userId, SEARCH_TERMS, words],
    );
    await lister.query(`VACUUM ANALYZE "${tenant.schema}".documents, "${tenant.schema}".process_events`);
    print(`Seeded ${RICH} processes with 30 andamentos and 10 documents, and ${SEARCH_DOCS.toLocaleString('pt-BR')} documents to search, in ${((performance.now() - t0) / 1000).toFixed(0)} s.`);
  }
  const documentIds = (
    await lister.query<{ id: string }>(`SELECT id FROM "${tenant.schema}".documents WHERE process_id = ANY($1::bigint[]) ORDER BY id`, [richIds])
  ).rows.map((r) => r.id);
  await lister.end();

  // The web role as production runs it: WEB_PROCESSES copies under node:cluster (bench/lib/webServer.ts),
  // serving the app (with the bare page inside the stack at /bench/base) and the bare page alone.
  const [appPort, barePort] = [await freePort(), await freePort()];
  // BENCH_CPU_PROF=<dir>: every web process writes a V8 CPU profile there when it stops (node --cpu-prof).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
  const web = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(__dirname, 'lib', 'webServer.ts')], {
    env: { ...process.env, DATABASE_URL: url, BENCH_TENANT: slug, BENCH_PROCESSES: String(PROCESSES), BENCH_WEB_PROCESSES: String(WEB_PROCESSES), BENCH_APP_PORT: String(appPort), BENCH_BARE_PORT: String(barePort) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    web.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    web.once('exit', (code) => reject(new Error(`o servidor web terminou (${code})`)));
  });
  for (const port of [appPort, barePort]) {
    for (let i = 0; i < 100 && (await request(port, 'x', 'GET', '/healthz').catch(() => ({ status: 0 }))).status === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
  }
  const webPids = () => [web.pid as number, ...childrenOf(web.pid as number)];

  // One session per connection (sessions are rows: sharing one would serialise their updates).
  const host = `${slug}.localhost`;
  const cookies: string[] = [];
  for (let c = 0; c < CONNECTIONS; c += 1) {
    const form = await request(appPort, host, 'GET', '/login');
    const cookie = String(form.headers['set-cookie']?.[0] ?? '').split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const body = new URLSearchParams({ _csrf: csrf, email: `servidor@${slug}.test`, password: PASSWORD }).toString();
    const res = await request(appPort, host, 'POST', '/login', { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(body)) }, body);
    if (res.status !== 302) throw new Error(`login falhou: ${res.status}`);
    cookies.push(String(res.headers['set-cookie']?.[0] ?? cookie).split(';')[0]);
  }
  const check = await request(appPort, host, 'GET', '/', { Cookie: cookies[0] });
  if (check.status !== 200 || !check.body.includes('Controle de processos')) throw new Error('a caixa da unidade não respondeu');
  const rowsShown = (check.body.match(/data-process-id=/g) ?? []).length;
  const pageCheck = async (what: string, p: string, mustHave: RegExp) => {
    const res = await request(appPort, host, 'GET', p, { Cookie: cookies[0] });
    if (res.status !== 200 || !mustHave.test(res.body)) throw new Error(`${what} não respondeu (${res.status} em ${p})`);
    return res.body;
  };
  await pageCheck('a página do processo', `/processos/${richIds[0]}`, /andamento 29/);
  await pageCheck('a página do documento', `/documentos/${documentIds[0]}`, /Despacho/);
  const searchShows = (await pageCheck('a pesquisa', `/pesquisa?q=termo${SEARCH_TERMS - 1}`, /<mark>/)).match(/<mark>/g)?.length ?? 0;

  const scenarios = {
    bare: { port: barePort, path: () => '/bare', headers: undefined },
    bareInStack: { port: appPort, path: () => '/bench/base', headers: (c: number) => ({ Cookie: cookies[c] }) },
    inbox: { port: appPort, path: () => '/', headers: (c: number) => ({ Cookie: cookies[c] }) },
    process: { port: appPort, path: () => `/processos/${richIds[Math.floor(Math.random() * richIds.length)]}`, headers: (c: number) => ({ Cookie: cookies[c] }) },
    // One rare term (about 10 documents), as someone looks for one matter: the results page in document mode.
    search: { port: appPort, path: () => `/pesquisa?q=termo${Math.floor(Math.random() * SEARCH_TERMS)}`, headers: (c: number) => ({ Cookie: cookies[c] }) },
    document: { port: appPort, path: () => `/documentos/${documentIds[Math.floor(Math.random() * documentIds.length)]}`, headers: (c: number) => ({ Cookie: cookies[c] }) },
    // BENCH_EXTRA: the cost of the stack alone for a logged-in user (session, auth, CSRF, layout) —
    // a 404 page, counted as "errors" since it is not a 200.
    ...(process.env.BENCH_EXTRA ? { stack404: { port: appPort, path: () => '/nao-existe', headers: (c: number) => ({ Cookie: cookies[c] }) } } : {}),
  };
  // Service-level cost, sequential, no HTTP: what the database work of each page takes.
  const { inboxPages } = await import('../server/processes/inbox');
  const { processPage } = await import('../server/processes/view');
  const { todayInSaoPaulo } = await import('../server/processes/dates');
  const [segov] = await runWithTenant(tenant, () =>
    inTenant((t) => sequelize.query<{ unit_id: string; user_id: string }>("SELECT un.id AS unit_id, u.id AS user_id FROM units un, users u WHERE un.acronym = 'SEGOV' LIMIT 1", { transaction: t, type: QueryTypes.SELECT })),
  );
  const viewer = { userId: String(segov.user_id), unitId: String(segov.unit_id) };
  const timeIt = async (fn: () => Promise<unknown>) => {
    for (let i = 0; i < 20; i += 1) await runWithTenant(tenant, fn as () => Promise<void>);
    const s = performance.now();
    for (let i = 0; i < 100; i += 1) await runWithTenant(tenant, fn as () => Promise<void>);
    return ((performance.now() - s) / 100).toFixed(2);
  };
  print(
    `service cost per call (sequential): inbox ${await timeIt(() => inboxPages({ unitId: viewer.unitId, userId: viewer.userId, today: todayInSaoPaulo(), filters: { mine: false, processTypeId: null, overdue: false }, cursors: {} }))} ms, ` +
      `process page ${await timeIt(() => processPage(richIds[Math.floor(Math.random() * richIds.length)], viewer))} ms, ` +
      `bare query ${await timeIt(() => inTenant((t) => sequelize.query('SELECT id, number, specification, created_at FROM processes WHERE id > $1 ORDER BY id LIMIT 50', { bind: [Math.floor(Math.random() * PROCESSES)], transaction: t, type: QueryTypes.SELECT })))} ms`,
  );

  if (process.env.BENCH_EXPLAIN) {
    // Prints the plan of the inbox statement (captured from the service's own call on the pg client).
    const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    let captured: { sql: string; bind: unknown[] } | undefined;
    proto.query = function (this: unknown, ...args: unknown[]) {
      const q = args[0] as { text?: string; values?: unknown[] };
      if (q?.text?.includes('UNION ALL')) captured = { sql: q.text, bind: q.values ?? [] };
      return original.apply(this, args);
    };
    await runWithTenant(tenant, () => inboxPages({ unitId: viewer.unitId, userId: viewer.userId, today: todayInSaoPaulo(), filters: { mine: false, processTypeId: null, overdue: false }, cursors: {} }));
    proto.query = original;
    const plan = await runWithTenant(tenant, () => inTenant((t) => sequelize.query<Record<string, string>>(`EXPLAIN (ANALYZE, BUFFERS) ${captured!.sql}`, { bind: captured!.bind, transaction: t, type: QueryTypes.SELECT })));
    print(plan.map((r) => Object.values(r)[0]).join('\n'));
  }

  const { readCpu, cpuSince } = await import('./lib/cpu');
  // The postmaster: parent of a backend (PostgreSQL runs on this machine, embedded or not).
  const postmasterPid = await (async () => {
    const c = new Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const stat = fs.readFileSync(`/proc/${rows[0].pid}/stat`, 'utf8');
    await c.end();
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  })();
  const only = process.env.BENCH_ONLY?.split(',');
  const chosen = Object.entries(scenarios).filter(([name]) => !only || name === 'bare' || name === 'bareInStack' || only.includes(name));
  type Result = Awaited<ReturnType<typeof runLoad>> & { webMsPerRequest: number; loadMsPerRequest: number; postgresMsPerRequest: number };
  // Rounds: every page once per round, so drift of a shared machine touches all of them alike;
  // the ratios are taken within each round, and the summary gives their median.
  const rounds: Record<string, Result>[] = [];
  // wrk when installed (a load generator in C: far less CPU taken from the server on this machine);
  // BENCH_LOAD=node forces the Node one (bench/lib/load.ts).
  const useWrk = process.env.BENCH_LOAD !== 'node' && wrkAvailable();
  const load = (s: (typeof chosen)[number][1], durationMs: number) =>
    useWrk
      ? runWrk({ port: s.port, host, paths: Array.from({ length: 10_000 }, () => s.path()), cookies: s.headers ? cookies : [], connections: CONNECTIONS, durationMs })
      : runLoad({ port: s.port, host, path: s.path, headers: s.headers, connections: CONNECTIONS, durationMs, maxRequests: 1_000_000 });
  for (const [, s] of chosen) await load(s, 3000);
  print(`\n${os.cpus().length} CPUs, ${WEB_PROCESSES} web process(es), load by ${useWrk ? 'wrk' : 'Node'}, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per page; ${PROCESSES.toLocaleString('pt-BR')} processes, ${openIds.length.toLocaleString('pt-BR')} open in SEGOV; inbox shows ${rowsShown} rows; process page of ${RICH} processes with 30 andamentos and 10 documents; search of one rare term (${searchShows} marks on a page)`);
  // The CPU ratio: the bare page's CPU per request (web + PostgreSQL + load generator) over the page's.
  // On a machine whose cores serve only this run it is what the throughput ratio tends to; on a
  // shared machine it is the steadier figure (another program's load slows every page's wall clock,
  // much less each request's own CPU).
  const cpuOf = (r: Result) => r.webMsPerRequest + r.postgresMsPerRequest + r.loadMsPerRequest;
  print(`uptime load average at the start: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  print('round  page          requests  errors   req/s   median ms   p99 ms   ratio to bare   to bare in stack   CPU ms/request: web  postgres  load generator   CPU ratio to bare');
  for (let round = 1; round <= ROUNDS; round += 1) {
    const results: Record<string, Result> = {};
    for (const [name, s] of chosen) {
      const pids = webPids();
      const before = readCpu(postmasterPid, pids);
      const r = await load(s, SECONDS * 1000);
      const cpu = cpuSince(before, postmasterPid, pids);
      results[name] = { ...r, webMsPerRequest: cpu.webMs / r.requests, loadMsPerRequest: cpu.nodeMs / r.requests, postgresMsPerRequest: cpu.postgresMs / r.requests };
    }
    for (const [name, r] of Object.entries(results)) {
      print(
        `${String(round).padEnd(6)} ${name.padEnd(13)} ${String(r.requests).padStart(8)} ${String(r.errors).padStart(7)} ${r.throughput.toFixed(0).padStart(7)} ${r.medianMs.toFixed(1).padStart(11)} ${r.p99Ms.toFixed(1).padStart(8)}   ${(r.throughput / results.bare.throughput).toFixed(2).padStart(13)}   ${(r.throughput / results.bareInStack.throughput).toFixed(2).padStart(16)}   ${r.webMsPerRequest.toFixed(2).padStart(20)} ${r.postgresMsPerRequest.toFixed(2).padStart(9)} ${r.loadMsPerRequest.toFixed(2).padStart(15)}   ${(cpuOf(results.bare) / cpuOf(r)).toFixed(2).padStart(17)}`,
      );
    }
    print(`       (load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
    rounds.push(results);
    if (process.env.BENCH_DEBUG) {
      const { namespace } = await import('../server/db/cls');
      print(`  heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB, CLS contexts ${(namespace as unknown as { _contexts: Map<number, unknown> })._contexts.size}`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
  print('\nmedian over the rounds: page, req/s, p99 ms, ratio to bare, ratio to bare in stack, CPU ratio to bare');
  for (const [name] of chosen) {
    print(
      `  ${name.padEnd(13)} ${median(rounds.map((r) => r[name].throughput)).toFixed(0).padStart(6)} ${median(rounds.map((r) => r[name].p99Ms)).toFixed(1).padStart(8)} ` +
        `${median(rounds.map((r) => r[name].throughput / r.bare.throughput)).toFixed(2).padStart(6)} ${median(rounds.map((r) => r[name].throughput / r.bareInStack.throughput)).toFixed(2).padStart(6)} ${median(rounds.map((r) => cpuOf(r.bare) / cpuOf(r[name]))).toFixed(2).padStart(6)}`,
    );
  }
  const stopped = new Promise((resolve) => web.once('exit', resolve));
  web.kill('SIGTERM');
  await stopped;
  await sequelize.close();
  await stopDb?.();
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
