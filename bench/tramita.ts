/**
 * Tramita benchmark (issue 14): N processes with `--docs` external documents of `--mb` MB each travel
 * from one government to another, `--concurrency` at a time: send → accepted per transfer (p50, p95),
 * transfers/s, and the bytes stored per transfer (platform.tramita_blobs, before and after the
 * worker's purge, and the receiver's file_contents). Then the return trip: the receiver sends every
 * process back to the origin (only components the origin lacks should travel); while the return trip
 * does not exist yet (the origin already holds the NUP) it says so and measures a send onward to a
 * third government instead. Figures are printed, never asserted. Runs the services the routes call
 * (sendToOtherGovernment, acceptTransfer, runTramitaJobs).
 *
 *   npx tsx bench/tramita.ts                                                  # 1,000 × 10 × 1 MB at 8 (long on 2 cores)
 *   npx tsx bench/tramita.ts --transfers 40 --docs 10 --mb 1 --concurrency 8  # short run
 *
 * Uses DATABASE_URL when set (a fresh database is created and dropped), else an embedded PostgreSQL.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createExternalDocument } from '../server/documents/service';
import { DocumentType, Unit, User } from '../server/models';
import { createProcess } from '../server/processes/create';
import { inTenant, runWithTenant, type TenantRef } from '../server/tenancy/context';
import { tenantDefinitionSchema } from '../server/tenancy/definition';
import { provisionTenant } from '../server/tenancy/provisioning';
import { setReceivingUnit, setSendMapping, setTramitaDefaults } from '../server/tramita/admin';
import { acceptTransfer } from '../server/tramita/receive';
import { cancelTransfer, sendToOtherGovernment } from '../server/tramita/send';
import { runTramitaJobs } from '../server/tramita/sync';
import type { Actor } from '../server/web/actor';
import { arg, pdfOf, runBench } from './lib/main';
import { openBenchDatabase } from './lib/database';
import { percentile } from './lib/load';
import { pool } from './lib/pool';

interface Government {
  tenant: TenantRef;
  actor: Actor;
  anexo: string;
}

async function government(sequelize: Sequelize, slug: string, name: string, uf: string, ibgeCode: string): Promise<Government> {
  const def = tenantDefinitionSchema.parse({
    slug,
    name,
    kind: 'municipio',
    uf,
    ibgeCode,
    root: { acronym: 'PM', name: 'Prefeitura', protocolCode: ibgeCode.slice(0, 5), children: [{ acronym: 'PROTOCOLO', name: 'Protocolo Geral' }] },
    users: [{ name: `Servidora de ${name}`, email: `servidora@${slug}.test`, units: [{ acronym: 'PROTOCOLO', role: 'basic' }] }],
  });
  const { tenant } = await provisionTenant(sequelize, undefined, def, { passwordHash: null });
  return runWithTenant(tenant, async () => {
    const { actor, anexo } = await inTenant(async () => {
      const user = (await User.findOne())!;
      const unit = (await Unit.findOne({ where: { acronym: 'PROTOCOLO' } }))!;
      const type = (await DocumentType.findOne({ where: { name: 'Anexo' } }))!;
      return { actor: { userId: String(user.id), name: user.name, unitId: String(unit.id), unitAcronym: unit.acronym }, anexo: String(type.id) };
    });
    await setReceivingUnit(actor.unitId, true);
    await setSendMapping(anexo, 179);
    await setTramitaDefaults({ defaultSendEspecie: null, defaultReceiveDocumentTypeId: anexo, defaultLegalBasisId: null, receivedProcessTypeId: null });
    return { tenant, actor, anexo };
  });
}

async function main(): Promise<void> {
  const transfers = arg('transfers', 1000);
  const docs = arg('docs', 10);
  const mb = arg('mb', 1);
  const concurrency = arg('concurrency', 8);
  const db = await openBenchDatabase();
  const sql = async (text: string, bind: unknown[] = []): Promise<number> => {
    const [row] = await db.sequelize.query<{ n: string }>(text, { bind, type: QueryTypes.SELECT });
    return Number(row.n);
  };
  const relSize = (schema: string, table: string) => sql('SELECT pg_total_relation_size($1::text::regclass)::text AS n', [`"${schema}"."${table}"`]);
  const blobBytes = () => sql('SELECT coalesce(sum(size), 0)::text AS n FROM platform.tramita_blobs');
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  try {
    const origin = await government(db.sequelize, 'bench-origem', 'Prefeitura de Origem', 'RJ', '3300100');
    const receiver = await government(db.sequelize, 'bench-destino', 'Prefeitura de Destino', 'MA', '2111300');
    const third = await government(db.sequelize, 'bench-terceiro', 'Prefeitura Terceira', 'PA', '1501402');
    const to = (g: Government) => ({ receiverTenantId: String(g.tenant.id), receiverUnitId: g.actor.unitId, message: null, keepOpen: false });

    // Setup (not measured): the processes with their documents at the origin.
    const t0 = performance.now();
    const processes = await pool(transfers, concurrency, (i) =>
      runWithTenant(origin.tenant, async () => {
        const typeId = await inTenant(async (t) => {
          const [row] = await db.sequelize.query<{ id: string }>("SELECT id FROM process_types WHERE active ORDER BY id LIMIT 1", { transaction: t, type: QueryTypes.SELECT });
          return String(row.id);
        });
        const p = await createProcess({ processTypeId: typeId, specification: `Processo de benchmark ${i}`, parties: [{ name: 'Empresa do Benchmark Ltda' }], accessLevel: 'public' }, origin.actor, 'nup');
        for (let d = 0; d < docs; d++) {
          await createExternalDocument(origin.actor, String(p.id), {
            documentTypeId: origin.anexo, complement: null, documentDate: '2026-12-01', origin: 'nato_digital', sender: null,
            accessLevel: 'public', legalBasisId: null, file: { buffer: pdfOf(mb * 1024 * 1024), originalname: `anexo-${d + 1}.pdf` },
          });
        }
        return String(p.id);
      }),
    );
    process.stdout.write(`setup: ${transfers} processes × ${docs} documents of ${mb} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s (load ${load()})\n`);

    /** One trip of every process: send from `from` → accept at `dest`, `concurrency` at once. */
    async function trip(label: string, from: Government, dest: Government, ids: string[]): Promise<string[]> {
      const blobsBefore = await blobBytes();
      const blobRelBefore = await relSize('platform', 'tramita_blobs');
      const filesBefore = await relSize(dest.tenant.schema, 'file_contents');
      const ms: number[] = [];
      const loadBefore = load();
      const started = performance.now();
      const received = await pool(ids.length, concurrency, async (i) => {
        const s = performance.now();
        const { transferId } = await runWithTenant(from.tenant, () => sendToOtherGovernment(ids[i], from.actor, to(dest)));
        const out = await runWithTenant(dest.tenant, () => acceptTransfer(dest.actor, transferId));
        if (out.outcome !== 'accepted') throw new Error(`transfer ${transferId} refused: ${out.code} ${out.reason}`);
        ms.push(performance.now() - s);
        return out.processId;
      });
      const seconds = (performance.now() - started) / 1000;
      const blobsPeak = await blobBytes();
      const blobRelPeak = await relSize('platform', 'tramita_blobs');
      const filesAfter = await relSize(dest.tenant.schema, 'file_contents');
      const jobs = await runTramitaJobs();
      const blobsAfterPurge = await blobBytes();
      const sorted = [...ms].sort((a, b) => a - b);
      const kb = (n: number) => Math.round(n / ids.length / 1024);
      process.stdout.write(
        `${JSON.stringify(
          {
            trip: label,
            transfers: ids.length,
            documentsPerProcess: docs,
            mbPerDocument: mb,
            concurrency,
            sendToAcceptedP50Ms: Math.round(percentile(sorted, 50)),
            sendToAcceptedP95Ms: Math.round(percentile(sorted, 95)),
            transfersPerSecond: Math.round((ids.length / seconds) * 100) / 100,
            platformBlobBytesPerTransferKb: kb(blobsPeak - blobsBefore),
            platformBlobRelationPerTransferKb: kb(blobRelPeak - blobRelBefore),
            platformBlobBytesAfterPurgeKb: Math.round(blobsAfterPurge / 1024),
            purgedBlobs: jobs.purged,
            receiverFileContentsPerTransferKb: kb(filesAfter - filesBefore),
            loadAverage: { before: loadBefore, after: load() },
          },
          null,
          2,
        )}\n`,
      );
      return received;
    }

    const atReceiver = await trip('first trip (origin → receiver)', origin, receiver, processes);

    // The return trip: back to the origin, which already holds every component by hash.
    let returned = false;
    try {
      const { transferId } = await runWithTenant(receiver.tenant, () => sendToOtherGovernment(atReceiver[0], receiver.actor, to(origin)));
      const out = await runWithTenant(origin.tenant, () => acceptTransfer(origin.actor, transferId)).catch(async (err: unknown) => {
        await runWithTenant(receiver.tenant, () => cancelTransfer(transferId, receiver.actor)).catch(() => undefined);
        throw err;
      });
      if (out.outcome !== 'accepted') {
        throw new Error(`refused ${out.code}: ${out.reason}`);
      }
      returned = true;
    } catch (err) {
      process.stdout.write(`return trip not measurable yet: sending back to the origin fails (${(err as Error).message.slice(0, 200)}); measuring a send onward to a third government instead\n`);
    }
    if (returned) {
      await trip('return trip (receiver → origin)', receiver, origin, atReceiver.slice(1));
    } else {
      await trip('onward trip (receiver → third government)', receiver, third, atReceiver);
    }
  } finally {
    await db.close();
  }
}

runBench(main);
