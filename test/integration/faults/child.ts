/**
 * The process a fault test kills: `node --import tsx child.ts <operation> '<json>'`. It opens the
 * database of DATABASE_URL the way the app does (one pool, models, tenancy), runs one real service
 * call and prints `RESULT <json>` when it returns. Nothing here waits on purpose: the test makes the
 * call block at the moment it wants (a lock it holds in PostgreSQL) and sends SIGKILL then.
 */
import path from 'node:path';
import { hashPassword } from '../../../server/auth/passwords';
import { loadMigrations, runMigrations } from '../../../server/db/migrator';
import { migratePlatform } from '../../../server/db/migrator';
import { createSequelize } from '../../../server/db/sequelize';
import { loadConfig } from '../../../server/config';
import { ExportWorker } from '../../../server/export/jobs';
import { createExternalDocument, createInternalDocument } from '../../../server/documents/service';
import { createTransport } from '../../../server/mail/transport';
import { OutboxWorker } from '../../../server/mail/worker';
import { initModels } from '../../../server/models';
import { createProcess, type NewProcessInput } from '../../../server/processes/create';
import { sendProcess } from '../../../server/processes/send';
import { tenantDefinitionSchema } from '../../../server/tenancy/definition';
import { provisionTenant } from '../../../server/tenancy/provisioning';
import { bindTenancy, runWithTenant, type TenantRef } from '../../../server/tenancy/context';
import { publishedService } from '../../../server/protocol/catalog';
import { saveDraft, submitDraft } from '../../../server/protocol/filing';
import type { CitizenIdentity } from '../../../server/protocol/identity';
import { checkAttachments } from '../../../server/protocol/requestValidation';
import { acceptTransfer, refuseTransfer } from '../../../server/tramita/receive';
import { sendToOtherGovernment } from '../../../server/tramita/send';
import { runUnpacking } from '../../../server/tramita/unpacking';
import { samplePdf, samplePng } from '../../support/files';

type Args = Record<string, unknown>;

/** The extra tenant migration the migration-run fault applies (fixture, never in migrations/). */
export const FAULT_MIGRATIONS_DIR = path.join(__dirname, 'migrations');

async function main(): Promise<void> {
  const [operation, json] = process.argv.slice(2);
  const args = JSON.parse(json ?? '{}') as Args;
  const sequelize = createSequelize({ url: process.env.DATABASE_URL!, poolMax: 4, poolMaxUses: 5000 });
  initModels(sequelize);
  bindTenancy(sequelize);
  const tenant = args.tenant as TenantRef;
  let result: unknown;
  switch (operation) {
    case 'platform':
      await migratePlatform(sequelize);
      result = 'ok';
      break;
    case 'provision': {
      const made: TenantRef[] = [];
      const passwordHash = await hashPassword('Senha-de-teste-1');
      for (const input of args.definitions as unknown[]) {
        const def = tenantDefinitionSchema.parse(input);
        made.push((await provisionTenant(sequelize, undefined, def, { passwordHash, useSpare: args.useSpare as boolean })).tenant);
      }
      result = made;
      break;
    }
    case 'migrate': {
      const report = await runMigrations(sequelize, {
        concurrency: 1,
        tenantMigrations: [...loadMigrations('tenant'), ...loadMigrations('tenant', FAULT_MIGRATIONS_DIR)],
      });
      result = { tenants: report.tenants, upToDate: report.upToDate, migrated: report.migrated.map((m) => m.slug), failed: report.failed.map((f) => f.slug) };
      break;
    }
    case 'upload': {
      const file = { buffer: await samplePdf(String(args.text)), originalname: 'oficio-recebido.pdf' };
      const doc = await runWithTenant(tenant, () =>
        createExternalDocument(args.actor as never, String(args.processId), {
          documentTypeId: String(args.documentTypeId),
          complement: null,
          accessLevel: 'public',
          legalBasisId: null,
          documentDate: '2026-03-02',
          origin: 'nato_digital',
          sender: 'Papelaria Central Ltda',
          file,
        }),
      );
      result = { id: String(doc.id), number: doc.number, sha256: doc.fileSha256 };
      break;
    }
    case 'document': {
      const doc = await runWithTenant(tenant, () =>
        createInternalDocument(args.actor as never, String(args.processId), { documentTypeId: String(args.documentTypeId), complement: null, accessLevel: 'public', legalBasisId: null }),
      );
      result = { id: String(doc.id), number: doc.number, typeNumber: doc.typeNumber };
      break;
    }
    case 'process':
      result = await runWithTenant(tenant, () => createProcess(args.input as NewProcessInput, args.actor as never, 'nup'));
      break;
    case 'send':
      result = await runWithTenant(tenant, () =>
        sendProcess(String(args.processId), args.viewer as never, { unitIds: args.unitIds as string[], keepOpen: false, expectedReturn: null, notify: true }, {
          processUrl: (id) => `http://${tenant.slug}.localhost/processos/${id}`,
          today: '2026-03-02',
        }),
      );
      break;
    case 'draft': {
      // A citizen's form with two attachments stored as a draft request (server/protocol/filing.ts).
      result = await runWithTenant(tenant, async () => {
        const service = await publishedService(String(args.serviceId));
        const uploads = [
          { fieldname: 'anexo_a1', originalname: 'rg.pdf', buffer: await samplePdf(String(args.text)) },
          { fieldname: 'anexo_a2', originalname: 'foto.png', buffer: await samplePng() },
        ];
        const checked = await checkAttachments(service.attachments, uploads);
        const answers = [
          { key: 'c1', label: 'Assunto', kind: 'text' as const, value: 'Poda de árvore' },
          { key: 'c2', label: 'Descrição do pedido', kind: 'longText' as const, value: String(args.text) },
        ];
        return { id: await saveDraft(String(args.serviceId), args.citizen as CitizenIdentity, answers, checked.files, null) };
      });
      break;
    }
    case 'submit': {
      const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: undefined, APP_DOMAIN: 'localhost', SMTP_URL: undefined });
      result = await runWithTenant(tenant, () => submitDraft(config, String(args.draftId), String(args.serviceId), args.citizen as CitizenIdentity, '127.0.0.1'));
      break;
    }
    case 'tramita-send':
      result = await runWithTenant(tenant, () => sendToOtherGovernment(String(args.processId), args.actor as never, args.input as never));
      break;
    case 'tramita-accept':
      result = await runWithTenant(tenant, () => acceptTransfer(args.actor as never, String(args.transferId)));
      break;
    case 'tramita-unpack':
      // The worker's acceptance step (large packages), as the worker runs it.
      result = { accepted: await runUnpacking(new Date()) };
      break;
    case 'tramita-refuse':
      result = await runWithTenant(tenant, () => refuseTransfer(args.actor as never, String(args.transferId), String(args.code), (args.reason as string | null) ?? null));
      break;
    case 'worker': {
      // Runs until killed: delivers the outbox to the SMTP peer of SMTP_URL.
      const worker = new OutboxWorker(sequelize, createTransport(process.env.SMTP_URL, '/nonexistent'), {
        from: 'PEN Nuvem <nao-responda@pen.gov.br>',
        leaseSeconds: Number(args.leaseSeconds ?? 120),
      });
      worker.start(100);
      process.stdout.write('WORKING\n');
      return;
    }
    case 'export-worker': {
      // Runs until killed: the console's export jobs, into args.dir.
      const config = loadConfig({ ...process.env, NODE_ENV: 'test', APP_DOMAIN: 'localhost', SMTP_URL: undefined });
      const worker = new ExportWorker({ sequelize, config, url: process.env.DATABASE_URL! }, { dir: String(args.dir), leaseSeconds: Number(args.leaseSeconds ?? 60) });
      worker.start(100);
      process.stdout.write('WORKING\n');
      return;
    }
    default:
      throw new Error(`operação desconhecida: ${operation}`);
  }
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  await sequelize.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
