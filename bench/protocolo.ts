/**
 * Protocolo benchmark: citizens' submissions with attachments (submissions/s, p95), then converting
 * each of them into a process (conversions/s, p95), and the database growth per request. Figures are
 * printed, never asserted. Runs the services the routes call (draft with its files, then submit:
 * number, receipt PDF, e-mail in the outbox; conversion: process, receipt and attachments as
 * external documents), at `--concurrency` at once.
 *
 *   npx tsx bench/protocolo.ts                                   # 1,000 × 3 MB at 16 (long on 2 cores)
 *   npx tsx bench/protocolo.ts --requests 40 --mb 1              # short run
 *
 * Uses DATABASE_URL when set (a fresh database is created and dropped), else an embedded PostgreSQL.
 */
import { performance } from 'node:perf_hooks';
import { QueryTypes } from 'sequelize';
import { loadConfig } from '../server/config';
import { CitizenService, Unit, User } from '../server/models';
import { saveDraft, submitDraft } from '../server/protocol/filing';
import { convertRequest } from '../server/protocol/triage';
import type { CheckedFile } from '../server/protocol/requestValidation';
import { inTenant, runWithTenant } from '../server/tenancy/context';
import { tenantDefinitionSchema } from '../server/tenancy/definition';
import { provisionTenant } from '../server/tenancy/provisioning';
import { arg, pdfOf, runBench } from './lib/main';
import { openBenchDatabase } from './lib/database';
import { percentile } from './lib/load';
import { pool } from './lib/pool';

async function main(): Promise<void> {
  const requests = arg('requests', 1000);
  const mb = arg('mb', 3);
  const concurrency = arg('concurrency', 16);
  const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
  const db = await openBenchDatabase();
  try {
    const def = tenantDefinitionSchema.parse({
      slug: 'bench-protocolo',
      name: 'Prefeitura do Benchmark',
      kind: 'municipio',
      uf: 'RJ',
      ibgeCode: '3300100',
      root: { acronym: 'PMB', name: 'Prefeitura', protocolCode: '10001', children: [{ acronym: 'PROTOCOLO', name: 'Protocolo Geral' }] },
      users: [{ name: 'Agente de Protocolo', email: 'protocolo@bench.test', units: [{ acronym: 'PROTOCOLO', role: 'protocol' }, { acronym: 'PROTOCOLO', role: 'basic' }] }],
    });
    const { tenant } = await provisionTenant(db.sequelize, undefined, def, { passwordHash: null });
    const { service, actor } = await runWithTenant(tenant, () =>
      inTenant(async () => {
        const s = (await CitizenService.findOne({ where: { name: 'Requerimento geral' } }))!;
        const user = (await User.findOne())!;
        const unit = (await Unit.findOne({ where: { acronym: 'PROTOCOLO' } }))!;
        return { service: s, actor: { userId: String(user.id), name: user.name, unitId: String(unit.id), unitAcronym: unit.acronym } };
      }),
    );
    const size = async (): Promise<number> => {
      const [row] = await db.sequelize.query<{ n: string }>(
        `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
        { bind: [tenant.schema], type: QueryTypes.SELECT },
      );
      return Number(row.n);
    };
    const citizen = { name: 'Cidadã do Benchmark', cpf: '52998224725', email: 'cidada@bench.test', method: 'email' as const, verifiedAt: new Date().toISOString() };
    const sizeBefore = await size();
    const submitMs: number[] = [];
    const started = performance.now();
    const ids = await pool(requests, concurrency, async (i) =>
      runWithTenant(tenant, async () => {
        const files: CheckedFile[] = [{ attachment: service.attachments[0], fileName: `rg-${i}.pdf`, mime: 'application/pdf', bytes: pdfOf(mb * 1024 * 1024) }];
        const t0 = performance.now();
        const draft = await saveDraft(String(service.id), citizen, [{ key: 'c1', label: 'Assunto', kind: 'text', value: `Pedido ${i}` }, { key: 'c2', label: 'Descrição do pedido', kind: 'longText', value: 'Benchmark.' }], files, null);
        await submitDraft(config, draft, String(service.id), citizen, '127.0.0.1');
        submitMs.push(performance.now() - t0);
        return draft;
      }),
    );
    const submitS = (performance.now() - started) / 1000;
    const sizeAfterSubmit = await size();
    const convertMs: number[] = [];
    const startedConvert = performance.now();
    await pool(ids.length, concurrency, async (i) =>
      runWithTenant(tenant, async () => {
        const t0 = performance.now();
        await convertRequest(config, actor, { userId: actor.userId, ip: null, requestId: null }, 'nup', ids[i], { existingNumber: null, specification: `Pedido ${i}` });
        convertMs.push(performance.now() - t0);
      }),
    );
    const convertS = (performance.now() - startedConvert) / 1000;
    const sizeAfterConvert = await size();
    const sorted = (a: number[]): number[] => [...a].sort((x, y) => x - y);
    const out = {
      requests,
      attachmentMb: mb,
      concurrency,
      submissionsPerSecond: Math.round((requests / submitS) * 10) / 10,
      submitP95Ms: Math.round(percentile(sorted(submitMs), 95)),
      conversionsPerSecond: Math.round((requests / convertS) * 10) / 10,
      convertP95Ms: Math.round(percentile(sorted(convertMs), 95)),
      growthPerRequestKb: Math.round((sizeAfterSubmit - sizeBefore) / requests / 1024),
      growthPerConversionKb: Math.round((sizeAfterConvert - sizeAfterSubmit) / requests / 1024),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await db.close();
  }
}

runBench(main);
