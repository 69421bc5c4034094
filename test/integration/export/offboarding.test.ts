import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { ConflictError } from '../../../server/errors';
import { closeTenant, dropTenantSchema, RETENTION_DAYS } from '../../../server/export/offboarding';
import { testEnv } from '../../support/environment';
import { agentFor } from '../../support/http';
import { createTestTenant, type TestTenant } from '../../support/tenants';

const DAY = 86_400_000;
const system = { type: 'system' as const };

async function exportedAt(tt: TestTenant, at: Date): Promise<void> {
  await testEnv().sequelize.query(
    `INSERT INTO platform.tenant_exports (tenant_id, status, requested_by_type, file_path, size_bytes, sha256, finished_at)
     VALUES ($1, 'done', 'system', '/tmp/x.zip', 1, repeat('0', 64), $2)`,
    { bind: [tt.tenant.id, at] },
  );
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).to.be.instanceOf(ConflictError);
  return (err as Error).message;
}

async function schemaExists(tt: TestTenant): Promise<boolean> {
  const rows = await testEnv().sequelize.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', { bind: [tt.tenant.schema], type: QueryTypes.SELECT });
  return rows.length === 1;
}

describe('Integration - tenant offboarding', () => {
  it('refuses to close a tenant without an export, or with one older than a week', async () => {
    const { sequelize, registry } = testEnv();
    const tt = await createTestTenant();
    expect(await refusal(closeTenant(sequelize, registry, tt.definition.slug, system))).to.contain('Exporte os dados');
    await exportedAt(tt, new Date(Date.now() - 8 * DAY));
    expect(await refusal(closeTenant(sequelize, registry, tt.definition.slug, system))).to.contain('últimos 7 dias');
    const res = await agentFor(tt.host).get('/login');
    expect(res.status).to.equal(200);
  });

  it('closes after a recent export: the host answers the "encerrado" page; drop refuses during retention and drops after it', async () => {
    const { sequelize, registry } = testEnv();
    const tt = await createTestTenant();
    await exportedAt(tt, new Date(Date.now() - DAY));
    await closeTenant(sequelize, registry, tt.definition.slug, system);
    const res = await agentFor(tt.host).get('/login');
    expect(res.status).to.equal(410);
    expect(res.text).to.contain('Ente encerrado').and.contain(tt.definition.name);
    expect(await refusal(closeTenant(sequelize, registry, tt.definition.slug, system))).to.contain('já está encerrado');
    expect(await refusal(dropTenantSchema(sequelize, tt.definition.slug, system))).to.contain(`${RETENTION_DAYS} dias`);
    expect(await schemaExists(tt)).to.equal(true);
    await dropTenantSchema(sequelize, tt.definition.slug, system, new Date(Date.now() + (RETENTION_DAYS + 1) * DAY));
    expect(await schemaExists(tt)).to.equal(false);
    const audit = await sequelize.query<{ action: string }>("SELECT action FROM platform.audit_log WHERE tenant_id = $1 AND action LIKE 'tenant.%' ORDER BY id", { bind: [tt.tenant.id], type: QueryTypes.SELECT });
    expect(audit.map((a) => a.action)).to.include.members(['tenant.closed', 'tenant.schema_dropped']);
    expect(await refusal(dropTenantSchema(sequelize, tt.definition.slug, system, new Date(Date.now() + (RETENTION_DAYS + 2) * DAY)))).to.contain('já foi apagado');
  });

  it('drop refuses an active tenant, and a closed one whose last export is older than a week before closing', async () => {
    const { sequelize, registry } = testEnv();
    const tt = await createTestTenant();
    expect(await refusal(dropTenantSchema(sequelize, tt.definition.slug, system))).to.contain('encerrado');
    await exportedAt(tt, new Date(Date.now() - DAY));
    await closeTenant(sequelize, registry, tt.definition.slug, system);
    // The export that allowed the closing is gone from the record (e.g. removed by hand): no drop.
    await sequelize.query('DELETE FROM platform.tenant_exports WHERE tenant_id = $1', { bind: [tt.tenant.id] });
    await exportedAt(tt, new Date(Date.now() - 30 * DAY));
    expect(await refusal(dropTenantSchema(sequelize, tt.definition.slug, system, new Date(Date.now() + (RETENTION_DAYS + 1) * DAY)))).to.contain('exportação recente');
    expect(await schemaExists(tt)).to.equal(true);
  });
});
