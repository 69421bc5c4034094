/**
 * National scale benchmark: every Brazilian government on one deployment.
 *
 *   npx tsx bench/national.ts [--tenants 5597] [--concurrency 2] [--spares 8] [--sample 50]
 *                             [--seconds 20] [--soak-minutes 30] [--max-uses 5000,200]
 *                             [--keep]   (with DATABASE_URL: the filled database stays on that server)
 *                             [--reuse URL]   (a database a --keep run filled: phases 3 and 4 only)
 *
 * On one fresh embedded PostgreSQL (fsync on), in one run:
 * 1. Provisioning: --tenants governments (default all: the 27 states and the 5,570 municipalities of
 *    the IBGE list) through the console's approval service (approveRequest), --concurrency at a
 *    time, while a background loop keeps --spares spare schemas ready as the worker does. A sample of
 *    --sample approvals is timed from "aprovar" to the new tenant's login page answering 200 through
 *    HTTP. Total time, database size per tenant, and what an empty tenant's schema holds.
 * 2. The migration runner over all of them: nothing to do; one ALTER TABLE … ADD COLUMN; a migration
 *    that fails in 3 tenants (the others complete, the 3 are reported), then the re-run that finishes
 *    them.
 * 3. Traffic spread over every tenant: one logged-in user in each, the inbox (Controle de processos)
 *    beside the bare page spread the same way, 32 connections, the web role in one process per core
 *    (bench/lib/spreadServer.ts under node:cluster, as WEB_CONCURRENCY runs it), load by wrk. Once per
 *    value of --max-uses (DB_POOL_MAX_USES: connections recycled after that many uses): req/s, p99,
 *    and PostgreSQL's memory (sum of the backends' PSS and RSS) after every tenant was touched.
 * 4. A soak of --soak-minutes at ~80 % of the saturated inbox rate spread over every tenant, with the
 *    last --max-uses value: per minute, requests, errors, p99 and the web processes' RSS.
 *
 * Prints figures; asserts nothing. Traffic goes to loopback only and every loop is bounded in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { QueryTypes } from 'sequelize';
import { suggestSlug } from '../server/adhesion/rules';
import { createApp } from '../server/app';
import { LoginThrottle } from '../server/auth/loginThrottle';
import { hashPassword } from '../server/auth/passwords';
import { loadConfig } from '../server/config';
import { approveRequest } from '../server/adhesion/approval';
import { freePort } from '../server/db/throwaway';
import { loadMigrations, runMigrations, type Migration } from '../server/db/migrator';
import { Operator } from '../server/models';
import { prepareSpareSchemas } from '../server/tenancy/provisioning';
import { TenantRegistry } from '../server/tenancy/registry';
import { createHttpServer } from '../server/web/httpServer';
import { entes, submittedRequest, type Ente } from './lib/adhesionRequests';
import { childrenOf } from './lib/cpu';
import { openBenchDatabase } from './lib/database';
import { percentile, request, runWrkSpread, wrkAvailable } from './lib/load';
import { pool } from './lib/pool';

const { values } = parseArgs({
  options: {
    tenants: { type: 'string', default: '5597' },
    concurrency: { type: 'string', default: '2' },
    spares: { type: 'string', default: '8' },
    sample: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    'soak-minutes': { type: 'string', default: '30' },
    'max-uses': { type: 'string', default: '5000,200' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
  },
});
const C = Number(values.concurrency);
const SPARES = Number(values.spares);
const SAMPLE = Number(values.sample);
const SECONDS = Number(values.seconds);
const SOAK_MINUTES = Number(values['soak-minutes']);
const MAX_USES = values['max-uses'].split(',').map(Number);
const CONNECTIONS = 32;
const WEB_PROCESSES = Number(process.env.BENCH_WEB_PROCESSES ?? os.cpus().length);
const PASSWORD = 'Bench-senha-2026';
const WEB_LOG = path.join(os.tmpdir(), `national-web-${process.pid}.log`);

const ms = (x: number): string => `${x.toFixed(1)} ms`;
const mb = (x: number): string => `${(x / 1024 / 1024).toFixed(0)} MB`;
const print = (line: string): void => void process.stdout.write(`${line}\n`);

/** The IBGE list with the tenant address each government gets (unique: a repeated name takes its UF). */
function entesWithSlugs(): (Ente & { slug: string })[] {
  const slugs = new Set<string>();
  return entes().map((e) => {
    let slug = suggestSlug(e.kind === 'estado' ? `governo ${e.name}` : e.name.replace(/ \([A-Z]{2}\)$/, ''));
    if (slugs.has(slug) || slug.length < 3) slug = `${slug}-${e.uf.toLowerCase()}`;
    slugs.add(slug);
    return { ...e, slug };
  });
}

function get(port: number, host: string, urlPath: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers: { Host: host, ...headers }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.setTimeout(10_000, () => req.destroy());
  });
}

/** PSS and RSS summed over a process's children (PostgreSQL: the postmaster's backends and helpers). */
function memoryOfChildren(parent: number, include = (_pid: number) => true): { processes: number; pss: number; rss: number } {
  let pss = 0;
  let rss = 0;
  let processes = 0;
  for (const pid of childrenOf(parent).filter(include)) {
    try {
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
      processes += 1;
    } catch {
      // ended while we read
    }
  }
  return { processes, pss, rss };
}

function backendCommand(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

async function main(): Promise<void> {
  const all = entesWithSlugs();
  const N = Math.min(Number(values.tenants), all.length);
  print(`PEN Nuvem — national benchmark: ${N} governments, ${os.cpus().length} CPUs, approvals ${C} at a time, ${SPARES} spare schemas kept ready`);
  const db = await openBenchDatabase({ keep: values.keep, reuseUrl: values.reuse });
  const { sequelize } = db;
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
  const postmaster = await (async () => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const stat = fs.readFileSync(`/proc/${rows[0].pid}/stat`, 'utf8');
    await c.end();
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  })();

  // --reuse: a database a --keep run filled; phases 1 and 2 were measured then.
  if (!values.reuse) {
    const registry = new TenantRegistry(sequelize, config.APP_DOMAIN);
    const app = createApp({ config, sequelize, registry, loginThrottle: new LoginThrottle(sequelize) }, db.sessionPool);
    app.enable('view cache');
    const server = createHttpServer(app, config);
    const appPort = await freePort();
    await new Promise<void>((resolve) => server.listen(appPort, '127.0.0.1', resolve));
    // ---- 1. Provisioning through the approval service, with the spare pool doing its job.
    const operator = await Operator.create({ name: 'Operadora de Bench', email: 'bench@mgi.gov.br', passwordHash: await hashPassword(PASSWORD) });
    const ctx = { operatorId: String(operator.id), ip: null, requestId: null };
    const ids = await pool(N, 4, (i) => submittedRequest(all[i], all[i].slug));
    const sizeOf = async (): Promise<number> =>
      Number((await sequelize.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size', { type: QueryTypes.SELECT }))[0].size);
    const sizeBefore = await sizeOf();
    let provisioning = true;
    let sparesMade = 0;
    const spareLoop = (async () => {
      while (provisioning) {
        sparesMade += await prepareSpareSchemas(sequelize, SPARES).catch(() => 0);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const every = Math.max(1, Math.floor(N / Math.max(1, SAMPLE)));
    const sampled: number[] = [];
    let failed = 0;
    const started = performance.now();
    await pool(N, C, async (i) => {
      const t0 = performance.now();
      const result = await approveRequest({ sequelize, registry, config }, ids[i], ctx).catch((err: unknown) => ({ ok: false as const, error: String(err) }));
      if (!result.ok) {
        failed += 1;
        return;
      }
      if (i % every === 0) {
        const host = `${all[i].slug}.${config.APP_DOMAIN}`;
        const deadline = Date.now() + 10_000;
        while ((await get(appPort, host, '/login')) !== 200 && Date.now() < deadline);
        sampled.push(performance.now() - t0);
      }
      if ((i + 1) % 500 === 0) print(`  … ${i + 1} approved, ${((performance.now() - started) / 60_000).toFixed(1)} min`);
    });
    const provisionMs = performance.now() - started;
    provisioning = false;
    await spareLoop;
    const fromSpare = (
      await sequelize.query<{ n: string }>("SELECT count(*) AS n FROM platform.audit_log WHERE action = 'tenant.provisioned' AND details->>'spare' = 'true'", { type: QueryTypes.SELECT })
    )[0].n;
    const sizeAfter = await sizeOf();
    sampled.sort((a, b) => a - b);
    print(`\n1. Provisioning ${N} governments through approveRequest: ${(provisionMs / 60_000).toFixed(1)} min (${ms(provisionMs / N)} per tenant), ${failed} failed, ${fromSpare} claimed a spare schema, ${sparesMade} spares prepared meanwhile`);
    print(`   "Aprovar" → login page 200 (${sampled.length} sampled while the rest provisioned): p50 ${ms(percentile(sampled, 50))}, p99 ${ms(percentile(sampled, 99))}, max ${ms(sampled[sampled.length - 1] ?? NaN)}`);
    print(`   Database: ${mb(sizeAfter)} (${((sizeAfter - sizeBefore) / N / 1024).toFixed(0)} KB per tenant added)`);
    const [one] = await sequelize.query<{ schema: string }>("SELECT 'tenant_' || id AS schema FROM platform.tenants WHERE status = 'active' ORDER BY id DESC LIMIT 1", { type: QueryTypes.SELECT });
    const parts = await sequelize.query<{ kind: string; n: string; bytes: string }>(
      `SELECT CASE c.relkind WHEN 'r' THEN 'tables' WHEN 'i' THEN 'indexes' WHEN 'S' THEN 'sequences' WHEN 't' THEN 'TOAST tables' ELSE c.relkind::text END AS kind,
              count(*) AS n, sum(pg_relation_size(c.oid)) AS bytes
         FROM pg_class c WHERE c.relnamespace = $1::regnamespace
           OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE relnamespace = $1::regnamespace)
           OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT reltoastrelid FROM pg_class WHERE relnamespace = $1::regnamespace))
        GROUP BY 1 ORDER BY 3 DESC`,
      { bind: [one.schema], type: QueryTypes.SELECT },
    );
    const relBytes = parts.reduce((sum, p) => sum + Number(p.bytes), 0);
    print(`   One empty tenant (${one.schema}): ${parts.map((p) => `${p.n} ${p.kind} ${(Number(p.bytes) / 1024).toFixed(0)} KB`).join(', ')}; relations ${(relBytes / 1024).toFixed(0)} KB, the rest of its share is catalog rows (pg_class, pg_attribute, pg_index…) and WAL-free space`);

    // ---- 2. The migration runner over every tenant.
    const real = loadMigrations('tenant');
    const noop = await runMigrations(sequelize, { concurrency: config.MIGRATION_CONCURRENCY });
    print(`\n2. Migration runner, nothing to do: ${noop.tenants} tenants in ${(noop.totalMs / 1000).toFixed(2)} s`);
    const addColumn: Migration = {
      name: '9900-bench-add-column',
      up: async ({ context }) => {
        await context.sequelize.query('ALTER TABLE units ADD COLUMN bench_note TEXT', { transaction: context.transaction });
      },
    };
    const added = await runMigrations(sequelize, { concurrency: config.MIGRATION_CONCURRENCY, tenantMigrations: [...real, addColumn] });
    print(`   ALTER TABLE … ADD COLUMN: ${added.migrated.length} tenants in ${(added.totalMs / 1000).toFixed(1)} s, ${added.failed.length} failed`);
    const victims = (await sequelize.query<{ schema: string }>("SELECT 'tenant_' || id AS schema FROM platform.tenants WHERE status = 'active' ORDER BY random() LIMIT 3", { type: QueryTypes.SELECT })).map((r) => r.schema);
    let broken = true;
    const flaky: Migration = {
      name: '9901-bench-fails-in-three',
      up: async ({ context }) => {
        if (broken && victims.includes(context.schema)) throw new Error(`falha simulada em ${context.schema}`);
        await context.sequelize.query('ALTER TABLE units ADD COLUMN bench_flag BOOLEAN', { transaction: context.transaction });
      },
    };
    const partial = await runMigrations(sequelize, { concurrency: config.MIGRATION_CONCURRENCY, tenantMigrations: [...real, addColumn, flaky] });
    print(`   A migration failing in 3 tenants: ${partial.migrated.length} completed, ${partial.failed.length} reported (${partial.failed.map((f) => f.slug).join(', ')}) in ${(partial.totalMs / 1000).toFixed(1)} s`);
    broken = false;
    const rerun = await runMigrations(sequelize, { concurrency: config.MIGRATION_CONCURRENCY, tenantMigrations: [...real, addColumn, flaky] });
    print(`   Re-run: ${rerun.migrated.length} migrated (${rerun.migrated.map((f) => f.slug).join(', ')}), ${rerun.failed.length} failed, ${rerun.upToDate} already up to date, ${(rerun.totalMs / 1000).toFixed(1)} s`);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- 3. Traffic spread over every tenant, logged in.
  if (!wrkAvailable()) throw new Error('wrk não está instalado (apt-get install wrk)');
  const passwordHash = await hashPassword(PASSWORD);
  // The governments of phase 1 (a reused database may also hold tenants that tests made in it).
  const tenants = await sequelize.query<{ id: string; slug: string }>("SELECT id, slug FROM platform.tenants WHERE status = 'active' AND slug = ANY($1) ORDER BY id", {
    bind: [all.slice(0, N).map((e) => e.slug)],
    type: QueryTypes.SELECT,
  });
  // The gestor of each tenant was invited (no password yet): give each the bench password and a unit to work in.
  await pool(tenants.length, 4, (i) =>
    sequelize.query(
      `UPDATE "tenant_${tenants[i].id}".users SET password_hash = $1`,
      { bind: [passwordHash] },
    ),
  );

  const startWeb = async (maxUses: number): Promise<{ web: ChildProcess; appPort: number; barePort: number; stop: () => Promise<void> }> => {
    const [webAppPort, barePort] = [await freePort(), await freePort()];
    const web = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'lib', 'spreadServer.ts')], {
      // The web processes log warnings and errors (a 5xx, a lost connection) to WEB_LOG, not to this output.
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: db.url, DB_POOL_MAX_USES: String(maxUses), BENCH_WEB_PROCESSES: String(WEB_PROCESSES), BENCH_APP_PORT: String(webAppPort), BENCH_BARE_PORT: String(barePort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = fs.createWriteStream(WEB_LOG, { flags: 'a' });
    web.stderr?.pipe(log);
    await new Promise<void>((resolve, reject) => {
      web.stdout?.on('data', (d: Buffer) => {
        log.write(d);
        if (d.toString().includes('ready')) resolve();
      });
      web.once('exit', (code) => reject(new Error(`o servidor web terminou (${code})`)));
    });
    return {
      web,
      appPort: webAppPort,
      barePort,
      stop: async () => {
        const stopped = new Promise((resolve) => web.once('exit', resolve));
        web.kill('SIGTERM');
        await stopped;
      },
    };
  };

  const logIn = async (port: number, host: string, email: string): Promise<string> => {
    const form = await request(port, host, 'GET', '/login');
    const cookie = String(form.headers['set-cookie']?.[0] ?? '').split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const body = new URLSearchParams({ _csrf: csrf, email, password: PASSWORD }).toString();
    const res = await request(port, host, 'POST', '/login', { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(body)) }, body);
    if (res.status !== 302) throw new Error(`login em ${host} falhou: ${res.status}`);
    return String(res.headers['set-cookie']?.[0] ?? cookie).split(';')[0];
  };

  const webPids = (web: ChildProcess): number[] => [web.pid as number, ...childrenOf(web.pid as number)];
  const rssOf = (pids: number[]): number =>
    pids.reduce((sum, pid) => {
      try {
        return sum + Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
      } catch {
        return sum;
      }
    }, 0);
  const postgresMemory = (): string => {
    const backends = memoryOfChildren(postmaster, (pid) => backendCommand(pid).includes('postgres: postgres'));
    const everything = memoryOfChildren(postmaster);
    return `${backends.processes} backends PSS ${mb(backends.pss)} (RSS ${mb(backends.rss)}); all PostgreSQL processes PSS ${mb(everything.pss)}`;
  };

  print(`\n3. Traffic spread over ${tenants.length} tenants: ${CONNECTIONS} connections, ${WEB_PROCESSES} web processes, load by wrk, ${SECONDS} s per page`);
  let saturated = 0;
  let lastWeb: Awaited<ReturnType<typeof startWeb>> | undefined;
  let cookies: string[] = [];
  for (const [round, maxUses] of MAX_USES.entries()) {
    const w = await startWeb(maxUses);
    // Connections recycled only between phases here: restart PostgreSQL's backends from zero.
    await sequelize.query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()");
    if (round === 0) {
      const t0 = performance.now();
      cookies = await pool(tenants.length, 4, (i) => logIn(w.appPort, `${tenants[i].slug}.localhost`, `gestor@${tenants[i].slug}.bench`));
      print(`   ${cookies.length} logins in ${((performance.now() - t0) / 1000).toFixed(0)} s (one user per tenant)`);
    }
    const check = await request(w.appPort, `${tenants[0].slug}.localhost`, 'GET', '/', { Cookie: cookies[0] });
    if (check.status !== 200 || !check.body.includes('Controle de processos')) throw new Error(`a caixa não respondeu: ${check.status}`);
    const inboxTargets = tenants.map((t, i) => ({ host: `${t.slug}.localhost`, path: '/', cookie: cookies[i] }));
    const bareTargets = tenants.map((t) => ({ host: `${t.slug}.localhost`, path: '/bare' }));
    await runWrkSpread({ port: w.barePort, targets: bareTargets.slice(0, 200), connections: CONNECTIONS, durationMs: 2000 });
    const bare = await runWrkSpread({ port: w.barePort, targets: bareTargets, connections: CONNECTIONS, durationMs: SECONDS * 1000 });
    const memBare = postgresMemory();
    const inbox = await runWrkSpread({ port: w.appPort, targets: inboxTargets, connections: CONNECTIONS, durationMs: SECONDS * 1000 });
    const memInbox = postgresMemory();
    print(`   DB_POOL_MAX_USES=${maxUses}:`);
    print(`     bare page spread: ${bare.throughput.toFixed(0)} req/s, median ${ms(bare.medianMs)}, p99 ${ms(bare.p99Ms)}, errors ${bare.errors}; PostgreSQL after it: ${memBare}`);
    print(`     inbox spread:     ${inbox.throughput.toFixed(0)} req/s, median ${ms(inbox.medianMs)}, p99 ${ms(inbox.p99Ms)}, errors ${inbox.errors}, ratio to bare ${(inbox.throughput / bare.throughput).toFixed(2)}; PostgreSQL after it: ${memInbox}`);
    saturated = inbox.throughput;
    if (round < MAX_USES.length - 1) await w.stop();
    else lastWeb = w;
  }

  // ---- 4. Soak at ~80 % of the saturated inbox rate, spread over every tenant.
  if (SOAK_MINUTES > 0 && lastWeb) {
    const w = lastWeb;
    const rate = saturated * 0.8;
    print(`\n4. Soak: ${SOAK_MINUTES} min at ${rate.toFixed(0)} req/s (80 % of ${saturated.toFixed(0)}), inbox spread over ${tenants.length} tenants, ${CONNECTIONS} connections`);
    print(`   (the web processes' warnings and errors: ${WEB_LOG})`);
    print('   minute  requests  errors  p99 ms   web RSS   PostgreSQL');
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const gap = (CONNECTIONS / rate) * 1000;
    let next = 0;
    const end = Date.now() + SOAK_MINUTES * 60_000;
    for (let minute = 1; minute <= SOAK_MINUTES; minute += 1) {
      const minuteEnd = Math.min(end, Date.now() + 60_000);
      const latencies: number[] = [];
      let errors = 0;
      /** What each failed request met: its status, or the socket's error (timeout: no answer in 10 s), with its time. */
      const kinds = new Map<string, number[]>();
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (Date.now() < minuteEnd) {
            const i = next++ % tenants.length;
            const t0 = performance.now();
            const status = await new Promise<string>((resolve) => {
              const req = http.get({ host: '127.0.0.1', port: w.appPort, path: '/', agent, headers: { Host: `${tenants[i].slug}.localhost`, Cookie: cookies[i] } }, (res) => {
                res.resume();
                res.on('end', () => resolve(res.statusCode === 302 ? `302 → ${res.headers.location}` : String(res.statusCode)));
              });
              req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
              req.setTimeout(10_000, () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
            });
            const took = performance.now() - t0;
            latencies.push(took);
            if (status !== '200') {
              errors += 1;
              kinds.set(status, [...(kinds.get(status) ?? []), Math.round(took)]);
            }
            if (took < gap) await new Promise((r) => setTimeout(r, gap - took));
          }
        }),
      );
      latencies.sort((a, b) => a - b);
      print(`   ${String(minute).padStart(6)}  ${String(latencies.length).padStart(8)}  ${String(errors).padStart(6)}  ${percentile(latencies, 99).toFixed(1).padStart(6)}  ${mb(rssOf(webPids(w.web))).padStart(8)}   ${postgresMemory()}`);
      for (const [kind, times] of kinds) print(`            ${times.length} × ${kind} (after ${times.join(', ')} ms)`);
    }
    agent.destroy();
  }
  await lastWeb?.stop();
  await db.close();
  if (values.keep) print(`\nDatabase kept, with every tenant: ${db.url} (e.g. TEST_DATABASE_URL=… FUZZ_RUNS=10000 for the fuzzer)`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
