import { parse } from 'csv-parse';
import type { Sequelize } from 'sequelize';
import { restoreCell } from '../csvCells';
import { execute, platformExecute, select } from '../db/sql';
import { loadMigrations } from '../db/migrator';
import { ValidationError } from '../errors';
import { tenantDefinitionSchema } from '../tenancy/definition';
import { provisionTenant } from '../tenancy/provisioning';
import type { TenantRegistry } from '../tenancy/registry';
import type { TenantRef } from '../tenancy/context';
import { inTenant } from '../tenancy/context';
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION, type Manifest, type ProgressFn } from './export';
import { sha256Hex } from '../documents/storage';
import { bytesOf, hashOf, openZip, type Zip } from './zip';
import { FILES_COLUMN, FILES_TABLE, quoteIdent, tenantTables } from './schema';

export interface ImportResult {
  tenant: TenantRef;
  rows: number;
  files: number;
}

/** Reads and checks the manifest of an export archive. */
export async function readManifest(zip: Zip): Promise<Manifest> {
  const manifest = JSON.parse((await bytesOf(await zip.open('manifest.json'))).toString('utf8')) as Manifest;
  if (manifest.format !== EXPORT_FORMAT || manifest.version !== EXPORT_FORMAT_VERSION) throw new ValidationError('Arquivo não é uma exportação do PEN Nuvem nesta versão do formato.');
  return manifest;
}

/**
 * `tenants:import`: checks every entry of the archive against the manifest's SHA-256 first (nothing
 * is written from a damaged archive), then creates the tenant through the provisioning service and,
 * inside its one transaction, replaces the default rows with the archive's tables (referenced tables
 * first, user triggers off so counters are taken as exported, identities moved past the loaded ids)
 * and the files' bytes, each checked again against its hash. A failure leaves no tenant behind.
 */
export async function importTenant(
  sequelize: Sequelize,
  registry: TenantRegistry | undefined,
  archivePath: string,
  opts: { slug?: string; onProgress?: ProgressFn } = {},
): Promise<ImportResult> {
  const onProgress = opts.onProgress ?? (() => {});
  const zip = await openZip(archivePath);
  try {
    const manifest = await readManifest(zip);
    const latest = loadMigrations('tenant').at(-1)?.name ?? null;
    if (manifest.schemaVersion !== latest) {
      throw new ValidationError(`A exportação está na versão de esquema ${manifest.schemaVersion ?? '-'}; esta instalação está na ${latest ?? '-'}. Importe numa instalação da mesma versão.`);
    }
    const checks = [
      ...manifest.tables.map((tb) => ({ path: tb.file, sha256: tb.sha256 })),
      ...manifest.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
      ...manifest.processes.filter((p) => p.file && p.sha256).map((p) => ({ path: p.file!, sha256: p.sha256! })),
      ...(manifest.pgDump.file ? [{ path: manifest.pgDump.file, sha256: manifest.pgDump.sha256 }] : []),
    ];
    let checked = 0;
    onProgress('arquivos', 0, checks.length);
    for (const c of checks) {
      const got = await hashOf(await zip.open(c.path));
      if (got !== c.sha256) throw new ValidationError(`${c.path}: SHA-256 ${got} não confere com o do manifesto (${c.sha256}).`);
      onProgress('arquivos', ++checked, checks.length);
    }

    const def = tenantDefinitionSchema.parse({
      slug: opts.slug ?? manifest.tenant.slug,
      name: manifest.tenant.name,
      kind: manifest.tenant.kind,
      uf: manifest.tenant.uf,
      ibgeCode: manifest.tenant.ibgeCode,
      numberingScheme: manifest.tenant.numberingScheme,
      domains: [],
      // Replaced by the archive's units below; provisioning needs a root to seed.
      root: { acronym: 'RAIZ', name: 'Unidade raiz (importação)' },
      users: [],
    });
    let rows = 0;
    const { tenant } = await provisionTenant(sequelize, registry, def, {
      useSpare: false,
      afterSeed: async (ref) => {
        await inTenant(async (t) => {
          const tables = await tenantTables(t);
          const byName = new Map(manifest.tables.map((tb) => [tb.name, tb]));
          const missing = tables.filter((tb) => !byName.has(tb.name)).map((tb) => tb.name);
          if (missing.length) throw new ValidationError(`A exportação não traz as tabelas: ${missing.join(', ')}.`);
          await execute(t, `TRUNCATE ${tables.map((tb) => quoteIdent(tb.name)).join(', ')} RESTART IDENTITY`);
          for (const tb of tables) await execute(t, `ALTER TABLE ${quoteIdent(tb.name)} DISABLE TRIGGER USER`);
          let done = 0;
          onProgress('tabelas', 0, tables.length);
          for (const tb of tables) {
            const entry = byName.get(tb.name)!;
            const live = new Set(tb.columns.filter((c) => !c.generated).map((c) => c.name));
            const cols = entry.columns.filter((c) => live.has(c.name)).map((c) => c.name);
            const withBytes = tb.name === FILES_TABLE;
            const insertCols = withBytes ? [...cols, FILES_COLUMN] : cols;
            const perBatch = Math.max(1, Math.floor(30_000 / insertCols.length));
            let batch: (string | Buffer | null)[][] = [];
            const flush = async (): Promise<void> => {
              if (!batch.length) return;
              const values = batch.map((r, i) => `(${r.map((_, j) => `$${i * insertCols.length + j + 1}`).join(', ')})`).join(', ');
              try {
                await execute(t, `INSERT INTO ${quoteIdent(tb.name)} (${insertCols.map(quoteIdent).join(', ')}) OVERRIDING SYSTEM VALUE VALUES ${values}`, batch.flat());
              } catch (err) {
                throw new Error(`Tabela ${tb.name}: ${String((err as { parent?: unknown }).parent ?? err)}`, { cause: err });
              }
              rows += batch.length;
              batch = [];
            };
            const parser = (await zip.open(entry.file)).pipe(
              parse({ columns: true, cast: (value, ctx) => (ctx.header ? value : ctx.quoting ? restoreCell(value) : value === '' ? null : restoreCell(value)) }),
            );
            for await (const record of parser as AsyncIterable<Record<string, string | null>>) {
              const values: (string | Buffer | null)[] = cols.map((c) => record[c] ?? null);
              if (withBytes) {
                const sha = record.sha256 ?? '';
                const bytes = await bytesOf(await zip.open(`files/${sha}`));
                if (sha256Hex(bytes) !== sha) throw new ValidationError(`files/${sha}: conteúdo não confere com o hash.`);
                values.push(bytes);
              }
              batch.push(values);
              if (batch.length >= (withBytes ? 16 : perBatch)) await flush();
            }
            await flush();
            onProgress('tabelas', ++done, tables.length);
          }
          for (const tb of tables) await execute(t, `ALTER TABLE ${quoteIdent(tb.name)} ENABLE TRIGGER USER`);
          // Identities continue after the loaded ids.
          for (const tb of tables) {
            for (const c of tb.columns) {
              const [seq] = await select<{ seq: string | null }>(t, 'SELECT pg_get_serial_sequence($1, $2) AS seq', [`${quoteIdent(ref.schema)}.${quoteIdent(tb.name)}`, c.name]);
              if (!seq?.seq) continue;
              await select(t, `SELECT setval($1, COALESCE((SELECT max(${quoteIdent(c.name)}) FROM ${quoteIdent(tb.name)}), 0) + 1, false)`, [seq.seq]);
            }
          }
          await platformExecute(sequelize, 'UPDATE platform.tenants SET article = $2 WHERE id = $1', [ref.id, manifest.tenant.article], t);
          const processes = manifest.tables.find((tb) => tb.name === 'processes')?.rows ?? 0;
          await platformExecute(sequelize, 'UPDATE platform.tenant_figures SET processes = $2 WHERE tenant_id = $1', [ref.id, processes], t);
        });
      },
    });
    return { tenant, rows, files: manifest.files.length };
  } finally {
    zip.close();
  }
}
