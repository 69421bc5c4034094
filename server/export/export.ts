import crypto from 'node:crypto';
import fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { once } from 'node:events';
import archiver from 'archiver';
import { neutraliseCell } from '../csvCells';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import { platformSelect, select, execute } from '../db/sql';
import { sha256Hex } from '../documents/storage';
import { buildProcessPdf } from '../process-pdf/service';
import { inTenant, runWithTenant, tenantRef } from '../tenancy/context';
import { findPgDump, spawnPgDump } from './pgDump';
import { csvColumns, FILES_COLUMN, FILES_TABLE, quoteIdent, tenantTables } from './schema';

export const EXPORT_FORMAT = 'pen-nuvem-export';
export const EXPORT_FORMAT_VERSION = 1;

export interface ManifestTable {
  name: string;
  file: string;
  columns: { name: string; type: string; generated: boolean }[];
  rows: number;
  sha256: string;
}

export interface Manifest {
  format: typeof EXPORT_FORMAT;
  version: number;
  exportedAt: string;
  schemaVersion: string | null;
  tenant: {
    slug: string;
    name: string;
    kind: string;
    uf: string;
    ibgeCode: string | null;
    numberingScheme: string;
    article: string | null;
    domains: string[];
  };
  csv: { nulls: string; header: true; encoding: 'utf-8' };
  tables: ManifestTable[];
  files: { sha256: string; size: number; path: string }[];
  processes: { id: string; number: string; file: string | null; sha256: string | null; error: string | null }[];
  pgDump: { file: string; sha256: string; pgDumpMajor: number } | { file: null; reason: string };
}

export type ExportPhase = 'tabelas' | 'arquivos' | 'processos' | 'esquema';
export type ProgressFn = (phase: ExportPhase, done: number, total: number) => void;

export interface ExportTarget {
  sequelize: Sequelize;
  config: Config;
  /** Connection URL for pg_dump (the server's own). */
  url: string;
}

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  kind: string;
  uf: string;
  ibge_code: string | null;
  numbering_scheme: string;
  article: string | null;
  schema_version: string | null;
}

export async function tenantBySlug(sequelize: Sequelize, slug: string): Promise<TenantRow | null> {
  const [row] = await platformSelect<TenantRow>(
    sequelize,
    'SELECT id, slug, name, kind, uf, ibge_code, numbering_scheme, article, schema_version FROM platform.tenants WHERE slug = $1',
    [slug],
  );
  return row ?? null;
}

const CURSOR_BATCH = 2000;
const FILE_BATCH = 16;

/** Adds one entry whose bytes come from `produce` writing into a stream; returns its SHA-256. */
async function addEntry(archive: archiver.Archiver, name: string, produce: (sink: PassThrough) => Promise<void>): Promise<string> {
  const sink = new PassThrough();
  const hash = crypto.createHash('sha256');
  sink.on('data', (chunk: Buffer) => hash.update(chunk));
  const added = once(archive, 'entry');
  archive.append(sink, { name });
  await produce(sink);
  sink.end();
  await added;
  return hash.digest('hex');
}

/** Writes and waits when the stream asks to (backpressure: nothing piles up in memory). */
async function write(stream: NodeJS.WritableStream & { write(chunk: unknown): boolean }, chunk: unknown): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

/**
 * One CSV line (RFC 4180, CRLF): NULL is an empty unquoted field and every value is quoted (as
 * PostgreSQL's COPY … CSV FORCE QUOTE *), so NULL and the empty text stay apart; cells pass through
 * neutraliseCell (server/csvCells.ts) like every CSV the app writes.
 */
function csvLine(values: (string | null | undefined)[]): string {
  return `${values.map((v) => (v === null || v === undefined ? '' : `"${neutraliseCell(v).replace(/"/g, '""')}"`)).join(',')}\r\n`;
}

async function pipeInto(source: Readable, sink: PassThrough): Promise<void> {
  for await (const chunk of source) await write(sink, chunk);
}

/**
 * `tenants:export`: one zip with `schema.sql` (pg_dump, plain SQL), `tables/<name>.csv` for every
 * table, `files/<sha256>` for every stored file, `processes/<number>.pdf` (the process PDF) and a
 * `manifest.json` with the columns, row counts and SHA-256 of every entry. Written to `<out>.partial`
 * and renamed when complete, so a file at `out` is always a whole export. Rows are read through
 * cursors and files in small batches, and every entry is streamed into the archive.
 */
export interface ExportOptions {
  /**
   * Each process's PDF (default true). The PDFs are most of an export's time (~0.2 s a process on
   * one core, bench/tenant-export.ts); without them every process is listed in the manifest with
   * `file: null` and the reason, and the data is all in the tables and files anyway.
   */
  processPdfs?: boolean;
}

export const NO_PDF_REASON = 'não gerado: exportação pedida sem os PDFs dos processos';

export async function exportTenant(target: ExportTarget, slug: string, out: string, onProgress: ProgressFn = () => {}, options: ExportOptions = {}): Promise<Manifest> {
  const row = await tenantBySlug(target.sequelize, slug);
  if (!row) throw new Error(`Ente "${slug}" não encontrado.`);
  const tenant = tenantRef(row);
  const domains = (await platformSelect<{ domain: string }>(target.sequelize, 'SELECT domain FROM platform.tenant_domains WHERE tenant_id = $1 ORDER BY domain', [tenant.id])).map((d) => d.domain);

  const partial = `${out}.partial`;
  const file = fs.createWriteStream(partial);
  const archive = archiver('zip', { zlib: { level: 6 } });
  const finished = once(file, 'close');
  let failure: unknown = null;
  archive.on('error', (err) => (failure = err));
  archive.on('warning', (err) => (failure = err));
  archive.pipe(file);

  const manifest: Manifest = {
    format: EXPORT_FORMAT,
    version: EXPORT_FORMAT_VERSION,
    exportedAt: new Date().toISOString(),
    schemaVersion: row.schema_version,
    tenant: { slug: row.slug, name: row.name, kind: row.kind, uf: row.uf, ibgeCode: row.ibge_code, numberingScheme: row.numbering_scheme, article: row.article, domains },
    csv: {
      nulls: 'campo vazio sem aspas é NULL; todo valor vem entre aspas (como COPY … CSV FORCE QUOTE * do PostgreSQL); valores que começam com = + - @ tab ou CR levam um apóstrofo na frente (proteção contra fórmulas), que a importação retira',
      header: true,
      encoding: 'utf-8',
    },
    tables: [],
    files: [],
    processes: [],
    pgDump: { file: null, reason: '' },
  };

  try {
    await runWithTenant(tenant, async () => {
      // 1. Every table as CSV, through a cursor, in one snapshot-consistent transaction.
      await inTenant(async (t) => {
        const tables = await tenantTables(t);
        let done = 0;
        onProgress('tabelas', 0, tables.length);
        for (const table of tables) {
          const cols = csvColumns(table);
          const list = cols.map((c) => `${quoteIdent(c.name)}::text`).join(', ');
          const order = table.key.length ? ` ORDER BY ${table.key.map(quoteIdent).join(', ')}` : '';
          await execute(t, `DECLARE export_rows NO SCROLL CURSOR FOR SELECT ${list} FROM ${quoteIdent(table.name)}${order}`);
          let rows = 0;
          const name = `tables/${table.name}.csv`;
          const sha = await addEntry(archive, name, async (sink) => {
            await write(sink, csvLine(cols.map((c) => c.name)));
            for (;;) {
              const batch = await select<Record<string, string | null>>(t, `FETCH ${CURSOR_BATCH} FROM export_rows`);
              if (batch.length) await write(sink, batch.map((r) => csvLine(cols.map((c) => r[c.name]))).join(''));
              rows += batch.length;
              if (batch.length < CURSOR_BATCH) break;
            }
          });
          await execute(t, 'CLOSE export_rows');
          manifest.tables.push({ name: table.name, file: name, columns: cols, rows, sha256: sha });
          onProgress('tabelas', ++done, tables.length);
        }
      });

      // 2. Every stored file's bytes under its SHA-256, checked on the way out.
      await inTenant(async (t) => {
        const [{ n }] = await select<{ n: string }>(t, `SELECT count(*) AS n FROM ${FILES_TABLE}`);
        const total = Number(n);
        onProgress('arquivos', 0, total);
        await execute(t, `DECLARE export_files NO SCROLL CURSOR FOR SELECT sha256, ${FILES_COLUMN} AS content FROM ${FILES_TABLE} ORDER BY sha256`);
        for (;;) {
          const batch = await select<{ sha256: string; content: Buffer }>(t, `FETCH ${FILE_BATCH} FROM export_files`);
          for (const f of batch) {
            if (sha256Hex(f.content) !== f.sha256) throw new Error(`Conteúdo do arquivo ${f.sha256} não confere com o seu hash`);
            const path = `files/${f.sha256}`;
            const added = once(archive, 'entry');
            archive.append(f.content, { name: path, store: true });
            await added;
            manifest.files.push({ sha256: f.sha256, size: f.content.length, path });
            onProgress('arquivos', manifest.files.length, total);
          }
          if (batch.length < FILE_BATCH) break;
        }
        await execute(t, 'CLOSE export_files');
      });

      // 3. Every process as its PDF, as its author sees it in its origin unit.
      const processes = await inTenant((t) =>
        select<{ id: string; number: string; user_id: string; user_name: string; unit_id: string; acronym: string }>(
          t,
          `SELECT p.id, p.number, u.id AS user_id, u.name AS user_name, un.id AS unit_id, un.acronym
             FROM processes p JOIN users u ON u.id = p.created_by_id JOIN units un ON un.id = p.origin_unit_id ORDER BY p.id`,
        ),
      );
      onProgress('processos', 0, processes.length);
      for (const p of processes) {
        if (options.processPdfs === false) {
          manifest.processes.push({ id: p.id, number: p.number, file: null, sha256: null, error: NO_PDF_REASON });
          onProgress('processos', manifest.processes.length, processes.length);
          continue;
        }
        const path = `processes/${p.number.replace(/[^0-9A-Za-z.-]+/g, '_')}-${p.id}.pdf`;
        try {
          const pdf = await buildProcessPdf(target.config, { userId: p.user_id, name: p.user_name, unitId: p.unit_id, unitAcronym: p.acronym }, p.id);
          const added = once(archive, 'entry');
          archive.append(pdf.bytes, { name: path });
          await added;
          manifest.processes.push({ id: p.id, number: p.number, file: path, sha256: sha256Hex(pdf.bytes), error: null });
        } catch (err) {
          manifest.processes.push({ id: p.id, number: p.number, file: null, sha256: null, error: err instanceof Error ? err.message : String(err) });
        }
        onProgress('processos', manifest.processes.length, processes.length);
      }
    });

    // 4. The schema as plain SQL, when a pg_dump able to read this server is at hand.
    onProgress('esquema', 0, 1);
    const [{ v }] = await platformSelect<{ v: string }>(target.sequelize, "SELECT current_setting('server_version_num') AS v");
    const serverMajor = Math.floor(Number(v) / 10000);
    const pgDump = findPgDump(serverMajor);
    if (!pgDump) {
      manifest.pgDump = { file: null, reason: `nenhum pg_dump ${serverMajor} ou mais novo encontrado (PG_DUMP_PATH, pacote do PostgreSQL embutido, /usr/lib/postgresql, PATH)` };
    } else {
      const child = spawnPgDump(pgDump.bin, target.url, tenant.schema, [FILES_TABLE]);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = once(child, 'close') as Promise<[number | null]>;
      const sha = await addEntry(archive, 'schema.sql', (sink) => pipeInto(child.stdout, sink));
      const [code] = await exited;
      if (code !== 0) throw new Error(`pg_dump terminou com código ${code}: ${stderr.trim()}`);
      manifest.pgDump = { file: 'schema.sql', sha256: sha, pgDumpMajor: pgDump.major };
    }
    onProgress('esquema', 1, 1);

    archive.append(JSON.stringify(manifest, null, 2), { name: 'manifest.json' });
    await archive.finalize();
    await finished;
    if (failure) throw failure;
    await fs.promises.rename(partial, out);
    return manifest;
  } catch (err) {
    archive.abort();
    file.destroy();
    await fs.promises.rm(partial, { force: true });
    throw err;
  }
}
