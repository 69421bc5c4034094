/**
 * Units bulk import: preview (parse + check every row against the tree) and the confirmed import
 * (one transaction) of a CSV of N units, a realistic tree several levels deep
 * (root → secretarias → departamentos → divisões → seções). Then the same file again (nothing to
 * change), a file renaming every unit, and the export.
 *
 *   npx tsx bench/units-import.ts [--units 1000] [--runs 3]
 *
 * Prints figures; asserts nothing. Uses a throwaway embedded PostgreSQL (fsync on) unless
 * DATABASE_URL is set (then a scratch database on that server, dropped at the end).
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { Actor } from '../server/audit/record';
import { openThrowawayDatabase } from '../server/db/throwaway';
import { migratePlatform } from '../server/db/migrator';
import { createSequelize } from '../server/db/sequelize';
import { initModels } from '../server/models';
import { bindTenancy, runWithTenant, type TenantRef } from '../server/tenancy/context';
import { tenantDefinitionSchema } from '../server/tenancy/definition';
import { provisionTenant } from '../server/tenancy/provisioning';
import { commitImport, exportCsv, previewImport } from '../server/units/csvImport';

const { values } = parseArgs({ options: { units: { type: 'string', default: '1000' }, runs: { type: 'string', default: '3' } } });
const UNITS = Number(values.units);
const RUNS = Number(values.runs);
const ROOT = 'PMB';

/** Secretarias with departamentos with divisões with seções, until `n` units (the root excluded). */
export function generateCsv(n: number, suffix = ''): string {
  const lines = ['sigla,nome,sigla_superior,codigo_protocolo'];
  let code = 10001;
  const add = (acronym: string, name: string, parent: string): void => {
    if (lines.length > n) return;
    // Every third unit has a protocol code.
    lines.push(`${acronym},"${name}${suffix}",${parent},${lines.length % 3 === 0 ? String(code++) : ''}`);
  };
  for (let s = 1; lines.length <= n; s++) {
    const sec = `SEC${s}`;
    add(sec, `Secretaria Municipal ${s}`, ROOT);
    for (let d = 1; d <= 6 && lines.length <= n; d++) {
      const dep = `${sec}-D${d}`;
      add(dep, `Departamento ${d} da Secretaria ${s}`, sec);
      for (let v = 1; v <= 3 && lines.length <= n; v++) {
        const div = `${dep}-V${v}`;
        add(div, `Divisão ${v} do Departamento ${d}`, dep);
        for (let c = 1; c <= 2 && lines.length <= n; c++) add(`${div}-S${c}`, `Seção ${c} da Divisão ${v}`, div);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const out = await fn();
  return [out, performance.now() - start];
}

/** Figures go to stdout (the lint rule keeps console out of the code base). */
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (x: number): string => `${(x / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const database = await openThrowawayDatabase({ serverUrl: process.env.DATABASE_URL, prefix: 'pen_bench' });
  const url = database.url;
  const sequelize = createSequelize({ url, poolMax: 4, poolMaxUses: 5000 });
  initModels(sequelize);
  bindTenancy(sequelize);
  try {
    await migratePlatform(sequelize);
    const csv = generateCsv(UNITS);
    const renamed = generateCsv(UNITS, ' (nova estrutura)');
    const actor: Actor = { userId: null, ip: null, requestId: 'bench' };
    out(`Importação de unidades: ${UNITS} unidades por arquivo (${(csv.length / 1024).toFixed(0)} KB), ${RUNS} rodadas, ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'PostgreSQL embutido (fsync ligado)'}`);
    const figures: Record<string, number[]> = { preview: [], commit: [], again: [], rename: [], export: [] };
    for (let run = 0; run < RUNS; run++) {
      const def = tenantDefinitionSchema.parse({
        slug: `bench-${crypto.randomBytes(4).toString('hex')}`,
        name: 'Prefeitura de Bancada',
        kind: 'municipio',
        uf: 'RJ',
        root: { acronym: ROOT, name: 'Prefeitura Municipal de Bancada' },
        users: [],
      });
      const { tenant } = await provisionTenant(sequelize, undefined, def);
      await runWithTenant(tenant as TenantRef, async () => {
        const [plan, preview] = await timed(() => previewImport(csv));
        if (!plan.valid) throw new Error(`arquivo gerado inválido: ${JSON.stringify(plan.rows.find((r) => r.errors.length))}`);
        const [, commit] = await timed(() => commitImport(actor, csv));
        const [, again] = await timed(() => commitImport(actor, csv));
        const [, rename] = await timed(() => commitImport(actor, renamed));
        const [exported, exp] = await timed(() => exportCsv());
        if (exported.trim().split('\n').length !== UNITS + 2) throw new Error('exportação incompleta');
        figures.preview.push(preview);
        figures.commit.push(commit);
        figures.again.push(again);
        figures.rename.push(rename);
        figures.export.push(exp);
      });
    }
    const row = (label: string, xs: number[]): void => out(`  ${label.padEnd(48)} mediana ${s(median(xs))}  (${xs.map(s).join(', ')})`);
    row('prévia (ler + conferir todas as linhas)', figures.preview);
    row('importação confirmada (confere de novo + grava)', figures.commit);
    row('prévia + importação', figures.preview.map((p, i) => p + figures.commit[i]));
    row('mesmo arquivo de novo (nada muda)', figures.again);
    row(`renomear todas as ${UNITS} unidades`, figures.rename);
    row('exportação CSV', figures.export);
  } finally {
    await sequelize.close();
    await database.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
