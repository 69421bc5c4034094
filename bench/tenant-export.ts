/**
 * Tenant export benchmark (issue 17): `exportTenant` of one tenant with BENCH_PROCESSES processes
 * (default 10,000) and BENCH_DOCUMENTS documents (default 50,000: four internal documents and one
 * uploaded PDF of its own per process), while many tenants exist on the same database. The issue's
 * target is ≤ 30 s with 5,597 tenants; provisioning that many takes hours on a small machine, so
 * this script provisions as many as fit in BENCH_PROVISION_SECONDS (default 300) and prints the count.
 *
 *   npx tsx bench/tenant-export.ts      # BENCH_PROCESSES, BENCH_DOCUMENTS, BENCH_PROVISION_SECONDS, BENCH_CONCURRENCY, DATABASE_URL
 *
 * On a throwaway embedded PostgreSQL (fsync on), or a new database on the DATABASE_URL server. The
 * big tenant is seeded with set-based SQL (as bench/processes.ts does). Prints the time of each
 * phase, the total and the archive's size of the export without the process PDFs (`--sem-pdf`),
 * then the PDF builder's time on BENCH_PDF_SAMPLE processes (default 200) and the whole export's
 * time and size extrapolated from it. Asserts nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import PDFDocument from 'pdfkit';
import { Client } from 'pg';
import { hashPassword } from '../server/auth/passwords';
import { loadConfig } from '../server/config';
import { QueryTypes } from 'sequelize';
import { exportTenant, type ExportPhase } from '../server/export/export';
import { buildProcessPdf } from '../server/process-pdf/service';
import { runWithTenant } from '../server/tenancy/context';
import { tenantDefinitionSchema } from '../server/tenancy/definition';
import { provisionTenant } from '../server/tenancy/provisioning';
import { TenantRegistry } from '../server/tenancy/registry';
import { openBenchDatabase } from './lib/database';

process.env.LOG_LEVEL ??= 'warn';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 10_000);
const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 50_000);
const PROVISION_SECONDS = Number(process.env.BENCH_PROVISION_SECONDS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
/** Processes whose PDF is built to measure the PDF phase (building all 10,000 takes ~30 min). */
const PDF_SAMPLE = Number(process.env.BENCH_PDF_SAMPLE ?? 200);

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function samplePdf(text: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.text(text);
    doc.end();
  });
}

const definition = (slug: string, i: number) =>
  tenantDefinitionSchema.parse({
    slug,
    name: `Prefeitura de Teste ${i}`,
    kind: 'municipio',
    uf: 'RJ',
    ibgeCode: '3300100',
    root: { acronym: 'PMB', name: `Prefeitura Municipal de Teste ${i}`, protocolCode: String(10000 + (i % 89999)), children: [{ acronym: 'SEGOV', name: 'Secretaria de Governo' }] },
    users: [{ name: 'Servidor do Benchmark', email: `servidor@${slug}.test`, units: [{ acronym: 'SEGOV', role: 'basic' }] }],
  });

async function main(): Promise<void> {
  print(`PEN Nuvem — tenant export benchmark: ${PROCESSES.toLocaleString('pt-BR')} processes, ${DOCUMENTS.toLocaleString('pt-BR')} documents, ${os.cpus().length} CPUs`);
  const db = await openBenchDatabase();
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', APP_DOMAIN: 'localhost', SMTP_URL: undefined, DATABASE_URL: db.url });
  const registry = new TenantRegistry(db.sequelize, 'localhost');
  const passwordHash = await hashPassword('Bench-senha-2026');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pen-export-bench-'));
  try {
    // 1. Many tenants: as many as fit in PROVISION_SECONDS, CONCURRENCY at a time.
    const t0 = performance.now();
    let made = 0;
    const deadline = t0 + PROVISION_SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < deadline) {
          const i = made++;
          await provisionTenant(db.sequelize, undefined, definition(`ente-${String(i).padStart(5, '0')}`, i), { passwordHash });
        }
      }),
    );
    print(`1. ${made} tenants provisioned in ${((performance.now() - t0) / 1000).toFixed(0)} s (target figure stated for 5,597)`);

    // 2. The big tenant, seeded with set-based SQL in its schema.
    const slug = 'ente-exportado';
    const { tenant } = await provisionTenant(db.sequelize, registry, definition(slug, 99_999), { passwordHash });
    const pdf = await samplePdf('Ofício recebido pelo protocolo, digitalizado para o processo.');
    const seed = new Client({ connectionString: db.url });
    await seed.connect();
    const s0 = performance.now();
    await seed.query('BEGIN');
    await seed.query("SELECT set_config('search_path', $1, true)", [`"${tenant.schema}"`]);
    const step = async (label: string, sql: string, params: unknown[] = []) => {
      const s = performance.now();
      await seed.query(sql, params);
      print(`   ${label}: ${((performance.now() - s) / 1000).toFixed(1)} s`);
    };
    await step(
      'processes',
      `WITH k AS (SELECT array_agg(id ORDER BY id) AS types FROM process_types),
            u AS (SELECT id AS user_id FROM users LIMIT 1),
            s AS (SELECT id AS segov FROM units WHERE acronym = 'SEGOV')
       INSERT INTO processes (id, number, number_digits, numbering, year, process_type_id, specification, access_level, origin_unit_id, created_by_id, created_at, updated_at)
       SELECT g, '10001.' || lpad(g::text, 6, '0') || '/2026-00', '10001' || lpad(g::text, 6, '0') || '202600', 'nup', 2026,
              k.types[1 + g % cardinality(k.types)], 'Processo de carga nº ' || g, 'public', s.segov, u.user_id, now() - (($1::int - g) * interval '1 minute'), now()
         FROM generate_series(1, $1::int) g, k, u, s`,
      [PROCESSES],
    );
    await step('sequence', `SELECT setval(pg_get_serial_sequence('processes', 'id'), $1::int)`, [PROCESSES]);
    await step(
      'process_units',
      `INSERT INTO process_units (process_id, unit_id, list, open, unread, arrived_at, received_at)
       SELECT p.id, p.origin_unit_id, 'created', p.id % 3 = 0, false, p.created_at, p.created_at FROM processes p`,
    );
    await step(
      'process_events',
      `INSERT INTO process_events (process_id, unit_id, user_id, kind, description, created_at)
       SELECT p.id, p.origin_unit_id, p.created_by_id, 'created', 'Processo gerado', p.created_at FROM processes p`,
    );
    const external = Math.min(PROCESSES, Math.floor(DOCUMENTS / 5));
    const internal = DOCUMENTS - external;
    await step(
      `file_contents (${external} distinct PDFs)`,
      `INSERT INTO file_contents (sha256, size, content)
       SELECT encode(sha256(c), 'hex'), length(c), c FROM (SELECT $1::bytea || convert_to('%' || g || E'\\n', 'UTF8') AS c FROM generate_series(1, $2::int) g) x`,
      [pdf, external],
    );
    await step(
      `documents (${internal} internal)`,
      `WITH t AS (SELECT id FROM document_types WHERE name = 'Despacho'), u AS (SELECT id AS user_id FROM users LIMIT 1), s AS (SELECT id AS segov FROM units WHERE acronym = 'SEGOV')
       INSERT INTO documents (process_id, number, kind, document_type_id, unit_id, created_by, title, body_html, content_text, verification_code)
       SELECT 1 + (g - 1) % $2::int, g, 'internal', t.id, s.segov, u.user_id, 'Despacho', '<p>Despacho nº ' || g || ' — encaminhe-se à unidade competente para providências.</p>',
              'Despacho nº ' || g || ' encaminhe-se à unidade competente para providências', lpad((1000000000 + g)::text, 10, '0')
         FROM generate_series(1, $1::int) g, t, u, s`,
      [internal, PROCESSES],
    );
    await step(
      `documents (${external} external)`,
      `WITH t AS (SELECT id FROM document_types WHERE name = 'Anexo'), u AS (SELECT id AS user_id FROM users LIMIT 1), s AS (SELECT id AS segov FROM units WHERE acronym = 'SEGOV'),
            f AS (SELECT sha256, size, row_number() OVER (ORDER BY sha256) AS n FROM file_contents)
       INSERT INTO documents (process_id, number, kind, document_type_id, unit_id, created_by, title, file_sha256, file_name, file_mime, file_size, document_date, origin, verification_code)
       SELECT 1 + (f.n - 1) % $2::int, $1::int + f.n, 'external', t.id, s.segov, u.user_id, 'Anexo', f.sha256, 'oficio.pdf', 'application/pdf', f.size, current_date, 'digitalizado',
              lpad((2000000000 + f.n)::text, 10, '0')
         FROM f, t, u, s`,
      [internal, PROCESSES],
    );
    await seed.query('COMMIT');
    await seed.query(`VACUUM ANALYZE "${tenant.schema}".documents, "${tenant.schema}".processes, "${tenant.schema}".file_contents`);
    await seed.end();
    print(`2. Tenant ${slug} seeded in ${((performance.now() - s0) / 1000).toFixed(0)} s`);

    // 3. The export, timed by phase: the data (every table and file) with the processes listed but
    // without their PDFs (`--sem-pdf`), then the PDF of a sample of processes, extrapolated.
    const file = path.join(out, `${slug}.zip`);
    const phases = new Map<ExportPhase, number>();
    let current: ExportPhase | null = null;
    let since = performance.now();
    const e0 = performance.now();
    const manifest = await exportTenant({ sequelize: db.sequelize, config, url: db.url }, slug, file, (phase) => {
      if (phase === current) return;
      const now = performance.now();
      if (current) phases.set(current, now - since);
      current = phase;
      since = now;
    }, { processPdfs: false });
    const total = performance.now() - e0;
    if (current) phases.set(current, performance.now() - since);
    const size = fs.statSync(file).size;
    print(`3. Export without the process PDFs: ${(total / 1000).toFixed(1)} s (target ≤ 30 s), archive ${(size / 1048576).toFixed(1)} MB`);
    for (const [phase, ms] of phases) print(`   ${phase}: ${(ms / 1000).toFixed(1)} s`);
    const docs = manifest.tables.find((t) => t.name === 'documents')?.rows ?? 0;
    print(`   ${manifest.tables.length} tables (${docs} documents), ${manifest.files.length} files, ${manifest.processes.length} processes listed, schema.sql: ${manifest.pgDump.file ?? `none (${manifest.pgDump.reason})`}`);

    // 4. The process PDFs (the existing builder, as exportTenant calls it) for a sample.
    const sample = Math.min(PDF_SAMPLE, PROCESSES);
    const [author] = await db.sequelize.query<{ user_id: string; name: string; unit_id: string }>(
      `SELECT u.id AS user_id, u.name, un.id AS unit_id FROM "${tenant.schema}".users u, "${tenant.schema}".units un WHERE un.acronym = 'SEGOV' LIMIT 1`,
      { type: QueryTypes.SELECT },
    );
    const p0 = performance.now();
    let pdfBytes = 0;
    for (let id = 1; id <= sample; id++) {
      const made = await runWithTenant(tenant, () => buildProcessPdf(config, { userId: String(author.user_id), name: author.name, unitId: String(author.unit_id), unitAcronym: 'SEGOV' }, String(id)));
      pdfBytes += made.bytes.length;
    }
    const perPdf = (performance.now() - p0) / sample;
    print(`4. Process PDFs: ${perPdf.toFixed(0)} ms each (${sample} sampled, ${(pdfBytes / sample / 1024).toFixed(0)} KB each) → ${((perPdf * PROCESSES) / 1000).toFixed(0)} s for ${PROCESSES.toLocaleString('pt-BR')} processes;`);
    print(`   export with the PDFs ≈ ${((total + perPdf * PROCESSES) / 1000).toFixed(0)} s, archive ≈ ${((size + (pdfBytes / sample) * PROCESSES) / 1048576).toFixed(0)} MB`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
