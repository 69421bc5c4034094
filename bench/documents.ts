/**
 * Documents benchmark: full-text search over many documents in one tenant (p50/p95), signature and
 * upload throughput, and the PDF of a 200-document process. Figures are printed, never asserted.
 *
 *   npx tsx bench/documents.ts                 # 1,000,000 documents (several minutes on 2 cores)
 *   npx tsx bench/documents.ts --docs 100000   # quicker
 *
 * Uses DATABASE_URL when set (a fresh database is created and dropped), else an embedded PostgreSQL
 * in a temporary directory.
 */
import { performance } from 'node:perf_hooks';
import { QueryTypes } from 'sequelize';
import { hashPassword } from '../server/auth/passwords';
import { loadConfig } from '../server/config';
import { openThrowawayDatabase } from '../server/db/throwaway';
import { migratePlatform } from '../server/db/migrator';
import { createSequelize } from '../server/db/sequelize';
import type { Actor } from '../server/web/actor';
import { createExternalDocument, createInternalDocument } from '../server/documents/service';
import { initModels, DocumentType, UserPosition, Unit, User, ProcessType } from '../server/models';
import { buildProcessPdf } from '../server/process-pdf/service';
import { pdfJobDownload, startPdfJob } from '../server/process-pdf/jobs';
import { createProcess } from '../server/processes/create';
import { search } from '../server/search/service';
import { signDocument } from '../server/signatures/service';
import { FailureThrottle } from '../server/auth/failureThrottle';
import { bindTenancy, inTenant, runWithTenant } from '../server/tenancy/context';
import { tenantDefinitionSchema } from '../server/tenancy/definition';
import { provisionTenant } from '../server/tenancy/provisioning';
import PDFDocument from 'pdfkit';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DOCS = arg('docs', 1_000_000);
const QUERIES = arg('queries', 200);
const out = (s: string) => process.stdout.write(`${s}\n`);

const WORDS = (
  'licitação contrato pregão obra reforma escola saúde hospital merenda transporte pavimentação rua avenida ' +
  'servidor férias licença aposentadoria nomeação exoneração portaria decreto lei ofício memorando parecer ' +
  'despacho orçamento empenho pagamento nota fiscal fornecedor empresa cidadão requerimento alvará funcionamento ' +
  'iluminação pública limpeza urbana coleta lixo saneamento água esgoto ponte estrada vicinal convênio estado ' +
  'união repasse emenda parlamentar prestação contas tribunal auditoria controle interno procuradoria jurídico ' +
  'recurso administrativo prazo intimação notificação audiência pública conselho municipal educação cultura ' +
  'esporte lazer turismo meio ambiente licenciamento ambiental fiscalização tributo imposto taxa cobrança dívida ' +
  'ativa certidão negativa cadastro imobiliário planta genérica valores patrimônio bens móveis imóveis doação ' +
  'cessão uso comodato locação aluguel reajuste aditivo prorrogação rescisão penalidade multa advertência'
).split(' ');

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function pdfOf(text: string, pages: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument();
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    for (let i = 0; i < pages; i++) {
      if (i) doc.addPage();
      doc.text(`${text} — página ${i + 1}. ${WORDS.slice(0, 120).join(' ')}`);
    }
    doc.end();
  });
}

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  // fsync off on the embedded server: loading a million documents is the slow part, not what is measured.
  const database = await openThrowawayDatabase({ serverUrl: process.env.DATABASE_URL, prefix: 'pen_bench', fast: true });
  const url = database.url;
  const stop = database.close;
  const sequelize = createSequelize({ url, poolMax: 10, poolMaxUses: 5000 });
  initModels(sequelize);
  bindTenancy(sequelize);
  try {
    await migratePlatform(sequelize);
    const def = tenantDefinitionSchema.parse({
      slug: 'bench-docs',
      name: 'Prefeitura de Bancada',
      kind: 'municipio',
      uf: 'RJ',
      ibgeCode: '3300100',
      root: { acronym: 'PMB', name: 'Prefeitura', protocolCode: '10001', children: [{ acronym: 'SEGOV', name: 'Secretaria de Governo' }] },
      users: [{ name: 'Servidora de Bancada', email: 'bench@bench.test', units: [{ acronym: 'SEGOV', role: 'basic' }] }],
    });
    const password = 'Bancada-2026-x';
    const { tenant } = await provisionTenant(sequelize, undefined, def, { passwordHash: await hashPassword(password) });
    await runWithTenant(tenant, async () => {
      const { actor, titleId, types, processTypeId } = await inTenant(async (t) => {
        const user = (await User.findOne({ transaction: t }))!;
        const unit = (await Unit.findOne({ where: { acronym: 'SEGOV' }, transaction: t }))!;
        const title = await UserPosition.create({ userId: String(user.id), title: 'Analista' }, { transaction: t });
        const docTypes = await DocumentType.findAll({ transaction: t });
        const pt = (await ProcessType.findOne({ transaction: t }))!;
        const a: Actor = { userId: String(user.id), name: user.name, unitId: String(unit.id), unitAcronym: unit.acronym };
        return { actor: a, titleId: String(title.id), types: Object.fromEntries(docTypes.map((d) => [d.name, String(d.id)])), processTypeId: String(pt.id) };
      });
      const newProcess = () => createProcess({ processTypeId, specification: 'Processo de bancada', parties: [{ name: 'Interessado de Bancada' }], accessLevel: 'public' }, actor, 'nup');

      // 1. Bulk documents for full-text search: 100 documents per process, random Portuguese words.
      out(`Gerando ${DOCS.toLocaleString('pt-BR')} documentos…`);
      let start = performance.now();
      const processes = Math.max(1, Math.ceil(DOCS / 100));
      await inTenant(async (t) => {
        await sequelize.query(
          `INSERT INTO processes (number, number_digits, numbering, year, process_type_id, specification, access_level, origin_unit_id, created_by_id)
           SELECT 'B' || g, lpad(g::text, 17, '0'), 'informed', 2026, $1, 'Processo de bancada ' || g, 'public', $2, $3 FROM generate_series(1, $4) g`,
          { bind: [processTypeId, actor.unitId, actor.userId, processes], transaction: t },
        );
        await sequelize.query(`INSERT INTO process_units (process_id, unit_id, list) SELECT id, $1, 'created' FROM processes WHERE number LIKE 'B%'`, {
          bind: [actor.unitId],
          transaction: t,
        });
      });
      const batch = 50_000;
      for (let done = 0; done < DOCS; done += batch) {
        const n = Math.min(batch, DOCS - done);
        await inTenant((t) =>
          sequelize.query(
            `WITH w AS (SELECT $1::text[] AS words),
                  p AS (SELECT array_agg(id ORDER BY id) AS ids FROM processes WHERE number LIKE 'B%')
             INSERT INTO documents (process_id, number, kind, document_type_id, unit_id, created_by, title, body_html, content_text, verification_code)
             SELECT p.ids[1 + ((g - 1) / 100)], 1000000 + g, 'internal', $2, $3, $4, 'Despacho ' || g, '<p>…</p>',
                    x.txt || ' termo' || floor(random() * 100000)::int, lpad((5000000000 + g)::text, 10, '0')
               FROM generate_series($5::int + 1, $5::int + $6::int) g CROSS JOIN p
               CROSS JOIN LATERAL (
                 SELECT string_agg(w.words[1 + floor(random() * cardinality(w.words))::int], ' ') AS txt
                   FROM generate_series(1, 80 + (g % 2)) k CROSS JOIN w
               ) x`,
            { bind: [WORDS, types['Despacho'], actor.unitId, actor.userId, done, n], transaction: t },
          ),
        );
        out(`  ${(done + n).toLocaleString('pt-BR')} documentos (${((performance.now() - start) / 1000).toFixed(0)} s)`);
      }
      out(`Carga: ${((performance.now() - start) / 1000).toFixed(1)} s`);
      // What autovacuum does to a table in production, finished now rather than during the measurements:
      // it works through the table on its own schedule during and after a million inserts, and a round
      // that overlaps the searches competes with them for the 2 cores. VACUUM also merges the GIN
      // index's pending list (fastupdate), which every search otherwise reads in full, and sets the
      // visibility map; ANALYZE gives the planner its statistics.
      start = performance.now();
      await sequelize.query(`VACUUM (ANALYZE) "${tenant.schema}".documents, "${tenant.schema}".processes, "${tenant.schema}".process_units`);
      out(`VACUUM ANALYZE: ${((performance.now() - start) / 1000).toFixed(1)} s`);

      const queries = [
        { kind: 'palavra rara (termo único)', make: () => `termo${Math.floor(Math.random() * 100000)}` },
        { kind: 'duas palavras comuns (E)', make: () => `${WORDS[Math.floor(Math.random() * WORDS.length)]} ${WORDS[Math.floor(Math.random() * WORDS.length)]}` },
        { kind: 'palavra comum sem acento', make: () => WORDS[Math.floor(Math.random() * WORDS.length)].normalize('NFD').replace(/[\u0300-\u036f]/g, '') },
      ];
      for (const q of queries) {
        const times: number[] = [];
        for (let i = 0; i < QUERIES; i++) {
          const t0 = performance.now();
          await search(actor, { text: q.make() });
          times.push(performance.now() - t0);
        }
        out(`Pesquisa — ${q.kind}: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms (${QUERIES} consultas, 20 resultados por página)`);
      }

      // 2. Signatures (argon2 verification dominates), 4 at a time.
      const p1 = await newProcess();
      const toSign = [];
      for (let i = 0; i < 40; i++) toSign.push(await createInternalDocument(actor, p1.id, { documentTypeId: types['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
      const throttle = new FailureThrottle(sequelize, 'bench-sign', 1000, 60);
      start = performance.now();
      for (let i = 0; i < toSign.length; i += 4) {
        await Promise.all(toSign.slice(i, i + 4).map((d) => runWithTenant(tenant, () => signDocument(actor, String(d.id), { signerTitleId: titleId, password }, throttle))));
      }
      out(`Assinaturas: ${(toSign.length / ((performance.now() - start) / 1000)).toFixed(1)} por segundo (${toSign.length}, 4 em paralelo)`);

      // 3. Uploads of 1 MB-ish PDFs (type check, text extraction, SHA-256, storage in the transaction).
      const p2 = await newProcess();
      const pdfs = await Promise.all(Array.from({ length: 20 }, (_, i) => pdfOf(`Anexo ${i}`, 40)));
      const bytes = pdfs.reduce((s, b) => s + b.length, 0);
      start = performance.now();
      for (const [i, buffer] of pdfs.entries()) {
        await createExternalDocument(actor, p2.id, { documentTypeId: types['Anexo'], complement: null, documentDate: '2026-01-01', origin: 'nato_digital', sender: null, accessLevel: 'public', legalBasisId: null, file: { buffer, originalname: `anexo-${i}.pdf` } });
      }
      const secs = (performance.now() - start) / 1000;
      out(`Uploads: ${(pdfs.length / secs).toFixed(1)} arquivos/s, ${(bytes / 1024 / 1024 / secs).toFixed(1)} MB/s (${pdfs.length} PDFs de 40 páginas, ${(bytes / 1024 / pdfs.length).toFixed(0)} KB em média)`);

      // 4. PDF of a 200-document process: 150 signed internal documents and 50 uploaded PDFs.
      const p3 = await newProcess();
      for (let i = 0; i < 150; i++) {
        const d = await createInternalDocument(actor, p3.id, { documentTypeId: types['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null });
        if (i % 3 === 0) await signDocument(actor, String(d.id), { signerTitleId: titleId, password }, throttle);
      }
      for (let i = 0; i < 50; i++) {
        await createExternalDocument(actor, p3.id, { documentTypeId: types['Anexo'], complement: null, documentDate: '2026-01-01', origin: 'nato_digital', sender: null, accessLevel: 'public', legalBasisId: null, file: { buffer: pdfs[i % pdfs.length], originalname: `a${i}.pdf` } });
      }
      start = performance.now();
      const result = await buildProcessPdf(config, actor, p3.id);
      out(`PDF de processo com 200 documentos: ${((performance.now() - start) / 1000).toFixed(1)} s, ${(result.bytes.length / 1024 / 1024).toFixed(1)} MB`);
      // The same through the job: row, throttled progress writes, the PDF stored in the job row; then read back in chunks.
      start = performance.now();
      const job = await startPdfJob(config, actor, p3.id);
      await job.settled;
      out(`O mesmo pelo job (progresso e PDF gravados no banco): ${((performance.now() - start) / 1000).toFixed(1)} s`);
      const download = await pdfJobDownload(actor, p3.id, job.id);
      start = performance.now();
      let read = 0;
      for await (const chunk of download.open()) read += (chunk as Buffer).length;
      out(`Leitura do PDF do job em blocos de 512 KB (SHA-256 conferido): ${(performance.now() - start).toFixed(0)} ms para ${(read / 1024 / 1024).toFixed(1)} MB`);
      const [size] = await sequelize.query<{ s: string }>(`SELECT pg_size_pretty(pg_total_relation_size('"${tenant.schema}".documents')) AS s`, { type: QueryTypes.SELECT });
      out(`Tamanho da tabela documents (com índices): ${size.s}`);
    });
  } finally {
    await sequelize.close();
    await stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).message} ${JSON.stringify((err as { parent?: unknown }).parent ?? {})}\n${(err as Error).stack}\n`);
    process.exit(1);
  },
);
