/**
 * Adhesion benchmark.
 *
 *   npx tsx bench/adhesion.ts [--approvals 50] [--tenants 300 | --all] [--concurrency 2]
 *
 * 1. Time from "aprovar" (the operator's POST, through HTTP) to the new tenant answering its login
 *    page, one approval at a time, median over --approvals requests.
 * 2. Provisioning many governments from the IBGE list through the same service the console uses
 *    (approveRequest: claim, provisionTenant, invitation, approval), --concurrency at a time:
 *    --all is every municipality (5,570) and every state (27). Total time, ms per tenant, database size.
 *
 * Prints figures; asserts nothing. A throwaway embedded PostgreSQL (fsync on) unless DATABASE_URL is set.
 *
 * Last run (2 shared cores, PostgreSQL 18 embedded, 26/11/2026, --approvals 50 --all --concurrency 2):
 *   "Aprovar" → login page answering: median 368 ms, p95 678 ms, max 825 ms (50 approvals)
 *   5,597 governments (5,570 IBGE entries + 27 UFs) through approveRequest: 19.2 min,
 *   median 308 ms, p95 1,057 ms per tenant, 0 failed; database 3,848 MB (696 KB per tenant).
 *   Stopping the embedded server after the full run takes minutes (shutdown checkpoint of ~4 GB).
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { suggestSlug } from '../server/adhesion/rules';
import { createApp } from '../server/app';
import { LoginThrottle } from '../server/auth/loginThrottle';
import { hashPassword } from '../server/auth/passwords';
import { loadConfig } from '../server/config';
import { approveRequest } from '../server/adhesion/approval';
import { Operator } from '../server/models';
import { TenantRegistry } from '../server/tenancy/registry';
import { entes, submittedRequest } from './lib/adhesionRequests';
import { openBenchDatabase } from './lib/database';
import { percentile } from './lib/load';
import { pool } from './lib/pool';

const { values } = parseArgs({
  options: {
    approvals: { type: 'string', default: '50' },
    tenants: { type: 'string', default: '300' },
    all: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '2' },
  },
});
const APPROVALS = Number(values.approvals);
const C = Number(values.concurrency);

const ms = (x: number): string => `${x.toFixed(1)} ms`;
const mb = (x: number): string => `${(x / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const all = entes();
  const N = values.all ? all.length : Math.min(Number(values.tenants), all.length);
  console.log(`PEN Nuvem — adhesion benchmark (${APPROVALS} approvals through HTTP; ${N} tenants from the IBGE list, concurrency ${C})`);
  const db = await openBenchDatabase();
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
  const registry = new TenantRegistry(db.sequelize, config.APP_DOMAIN);
  const app = createApp({ config, sequelize: db.sequelize, registry, loginThrottle: new LoginThrottle(db.sequelize) }, db.sessionPool);

  // 1. "Aprovar" → the tenant's login page answers 200.
  const operator = await Operator.create({ name: 'Operadora de Bench', email: 'bench@mgi.gov.br', passwordHash: await hashPassword('Bench-senha-2026') });
  const agent = request.agent(app).host('localhost');
  const csrf = async (path: string): Promise<string> => {
    const page = await agent.get(path);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!token) throw new Error(`GET ${path}: ${page.status} ${page.headers.location ?? ''} sem formulário`);
    return token;
  };
  const loginToken = await csrf('/login');
  const loggedIn = await agent.post('/login').type('form').send({ email: operator.email, password: 'Bench-senha-2026', _csrf: loginToken });
  if (loggedIn.status !== 302) throw new Error(`login do operador: ${loggedIn.status}`);
  const approvalMs: number[] = [];
  for (let i = 0; i < APPROVALS; i++) {
    const slug = `aprovacao-${i}`;
    const id = await submittedRequest(all[all.length - 1 - i], slug);
    const token = await csrf(`/admin/pedidos/${id}`);
    const t0 = performance.now();
    const res = await agent.post(`/admin/pedidos/${id}/aprovar`).type('form').send({ _csrf: token });
    if (res.status !== 303 || !res.headers.location.endsWith('ok=aprovado')) throw new Error(`aprovação ${id} falhou: ${res.status} ${res.headers.location}`);
    for (;;) {
      const login = await request.agent(app).host(`${slug}.localhost`).get('/login');
      if (login.status === 200) break;
    }
    approvalMs.push(performance.now() - t0);
  }
  const a = [...approvalMs].sort((x, y) => x - y);
  console.log(`"Aprovar" → tenant login page answering: ${APPROVALS} approvals, median ${ms(percentile(a, 50))}, p95 ${ms(percentile(a, 95))}, max ${ms(a[a.length - 1])}`);

  // 2. Every government of the list through approveRequest.
  const [before] = await db.sequelize.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size', { type: QueryTypes.SELECT });
  const ids: string[] = [];
  const slugs = new Set<string>();
  for (const e of all.slice(0, N)) {
    let slug = suggestSlug(e.name.replace(/ \([A-Z]{2}\)$/, ''));
    if (slugs.has(slug) || slug.length < 3) slug = `${slug}-${e.uf.toLowerCase()}`;
    slugs.add(slug);
    ids.push(await submittedRequest(e, slug));
  }
  const ctx = { operatorId: String(operator.id), ip: null, requestId: null };
  const started = performance.now();
  let failed = 0;
  const perTenant = await pool(ids.length, C, async (i) => {
    const t0 = performance.now();
    const result = await approveRequest({ sequelize: db.sequelize, registry, config }, ids[i], ctx);
    if (!result.ok) failed++;
    if ((i + 1) % 500 === 0) console.log(`  … ${i + 1} tenants, ${((performance.now() - started) / 60_000).toFixed(1)} min`);
    return performance.now() - t0;
  });
  const totalMs = performance.now() - started;
  const s = [...perTenant].sort((x, y) => x - y);
  const [after] = await db.sequelize.query<{ size: string; schemas: string }>(
    "SELECT pg_database_size(current_database()) AS size, (SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tenant\\_%') AS schemas",
    { type: QueryTypes.SELECT },
  );
  console.log(
    `Provisioning ${ids.length} governments through approveRequest: ${(totalMs / 60_000).toFixed(1)} min, median ${ms(percentile(s, 50))}, p95 ${ms(percentile(s, 95))} per tenant, ${failed} failed`,
  );
  console.log(
    `Database size: ${mb(Number(after.size))} with ${after.schemas} tenant schemas (${((Number(after.size) - Number(before.size)) / ids.length / 1024).toFixed(0)} KB per tenant added)`,
  );
  await db.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
