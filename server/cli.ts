import { normaliseCpf } from './brazil/documents';
import { hashPassword } from './auth/passwords';
import { loadConfig } from './config';
import { openDatabase, type Database } from './db/database';
import { migrateAll } from './db/migrate';
import { Operator, Tenant } from './models';
import { readTenantDefinition } from './tenancy/definition';
import { provisionTenant } from './tenancy/provisioning';
import { TenantRegistry } from './tenancy/registry';
import { exportTenant, tenantBySlug } from './export/export';
import { importTenant } from './export/import';
import { closeTenant, dropTenantSchema, recordExport } from './export/offboarding';
import { exportProgress } from './export/progress';
import { sha256OfFile } from './export/files';

const USAGE = `Uso: npm run cli -- <comando>

  migrate                       migra o esquema platform e todos os entes
  tenants:list                  lista os entes
  tenants:create <slug>         cria o ente definido em tenants/<slug>/tenant.json
  tenants:export <slug> [--out arquivo.zip] [--sem-pdf]
                                exporta todos os dados do ente num arquivo zip
  tenants:import <arquivo.zip> [--slug novo-slug]
                                restaura uma exportação num ente novo
  tenants:close <slug>          encerra o ente (exige exportação recente)
  tenants:drop <slug>           apaga o esquema de um ente encerrado após a retenção
  operators:create <email> <nome>
                                cria um operador do MGI (senha em OPERATOR_PASSWORD; CPF para
                                entrar com gov.br em OPERATOR_CPF, opcional)
`;

const out = (s: string): boolean => process.stdout.write(`${s}\n`);
const option = (args: string[], name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

async function run(db: Database, command: string, args: string[]): Promise<number> {
  const config = loadConfig();
  switch (command) {
    case 'migrate': {
      const report = await migrateAll(db.sequelize, config);
      out(`${report.tenants} entes: ${report.upToDate} já atualizados, ${report.migrated.length} migrados, ${report.failed.length} com falha (${(report.totalMs / 1000).toFixed(1)} s)`);
      for (const f of report.failed) out(`  FALHA ${f.slug}: ${f.error}`);
      return report.failed.length ? 2 : 0;
    }
    case 'tenants:list': {
      const tenants = await Tenant.findAll({ order: [['id', 'ASC']] });
      for (const t of tenants) out([t.id, t.slug, t.status, t.kind, t.uf, t.schemaVersion ?? '-', t.migrationStatus ?? '-', t.name].join('\t'));
      return 0;
    }
    case 'tenants:create': {
      if (!args[0]) break;
      await migrateAll(db.sequelize, config);
      const { tenant, ms } = await provisionTenant(db.sequelize, new TenantRegistry(db.sequelize, config.APP_DOMAIN), readTenantDefinition(args[0]), {
        passwordHash: config.production ? null : await hashPassword(config.demoPassword),
      });
      out(`Ente ${tenant.slug} criado (id ${tenant.id}, esquema ${tenant.schema}) em ${ms.toFixed(0)} ms`);
      return 0;
    }
    case 'tenants:export': {
      const slug = args[0];
      if (!slug) break;
      const tenant = await tenantBySlug(db.sequelize, slug);
      if (!tenant) {
        out(`Ente "${slug}" não encontrado.`);
        return 1;
      }
      const file = option(args, '--out') ?? `${slug}-${new Date().toISOString().slice(0, 10)}.zip`;
      const progress = exportProgress('Exportando');
      const started = Date.now();
      const manifest = await exportTenant({ sequelize: db.sequelize, config, url: db.url }, slug, file, progress.onProgress, { processPdfs: !args.includes('--sem-pdf') }).finally(progress.stop);
      await recordExport(db.sequelize, String(tenant.id), { type: 'system' }, file, manifest, await sha256OfFile(file));
      if (manifest.pgDump.file === null) out(`Aviso: schema.sql não incluído: ${manifest.pgDump.reason}.`);
      out(`Ente ${slug} exportado em ${file}: ${manifest.tables.length} tabelas, ${manifest.files.length} arquivos, ${manifest.processes.length} processos (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return 0;
    }
    case 'tenants:import': {
      if (!args[0]) break;
      await migrateAll(db.sequelize, config);
      const progress = exportProgress('Importando');
      const result = await importTenant(db.sequelize, new TenantRegistry(db.sequelize, config.APP_DOMAIN), args[0], { slug: option(args, '--slug'), onProgress: progress.onProgress }).finally(progress.stop);
      out(`Ente ${result.tenant.slug} importado (id ${result.tenant.id}): ${result.rows} linhas, ${result.files} arquivos conferidos.`);
      return 0;
    }
    case 'tenants:close': {
      if (!args[0]) break;
      await closeTenant(db.sequelize, new TenantRegistry(db.sequelize, config.APP_DOMAIN), args[0], { type: 'system' });
      out(`Ente ${args[0]} encerrado.`);
      return 0;
    }
    case 'tenants:drop': {
      if (!args[0]) break;
      await dropTenantSchema(db.sequelize, args[0], { type: 'system' });
      out(`Esquema do ente ${args[0]} apagado.`);
      return 0;
    }
    case 'operators:create': {
      const [email, ...name] = args;
      const password = process.env.OPERATOR_PASSWORD;
      if (!email || !name.length || !password || password.length < 12) {
        out('Informe e-mail e nome, e a senha (12 caracteres ou mais) em OPERATOR_PASSWORD.');
        return 1;
      }
      const cpf = process.env.OPERATOR_CPF ? normaliseCpf(process.env.OPERATOR_CPF) : null;
      if (process.env.OPERATOR_CPF && !cpf) {
        out('OPERATOR_CPF inválido: confira os 11 dígitos.');
        return 1;
      }
      await migrateAll(db.sequelize, config);
      await Operator.create({ email: email.toLowerCase(), name: name.join(' '), passwordHash: await hashPassword(password), cpf });
      out(`Operador ${email} criado.`);
      return 0;
    }
  }
  out(USAGE);
  return 1;
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    out(USAGE);
    process.exit(1);
  }
  // Direct, not through a pooler: the migration runner holds a session advisory lock.
  const db = await openDatabase(loadConfig(), { direct: true });
  let code: number;
  try {
    code = await run(db, command, args);
  } finally {
    await db.close();
  }
  process.exit(code);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
