import fs from 'node:fs';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { hashPassword } from '../server/auth/passwords';
import { Operator, Tenant, Unit } from '../server/models';
import { inTenant, runWithTenant } from '../server/tenancy/context';
import { listTenantDefinitions, readTenantDefinition, TENANTS_DIR } from '../server/tenancy/definition';
import { provisionTenant } from '../server/tenancy/provisioning';
import type { TenantRegistry } from '../server/tenancy/registry';
import { seedDemoProcesses, type DemoProcess } from './demo-processes';
import { protocolUnitOf, seedServices, type ServiceDefinition } from './tenant-defaults';

export const DEMO_OPERATOR = { name: 'Operadora de Demonstração do MGI', email: 'operador@mgi.gov.br' };

/** Creates, once, the demo operator and every tenant defined under `tenants/` (development only). */
export async function seedDemo(sequelize: Sequelize, registry: TenantRegistry | undefined, demoPassword: string): Promise<string[]> {
  const passwordHash = await hashPassword(demoPassword);
  await Operator.findOrCreate({ where: { email: DEMO_OPERATOR.email }, defaults: { ...DEMO_OPERATOR, passwordHash } });
  const created: string[] = [];
  for (const slug of listTenantDefinitions()) {
    if (await Tenant.findOne({ where: { slug } })) continue;
    const def = readTenantDefinition(slug);
    const { tenant } = await provisionTenant(sequelize, registry, def, { passwordHash });
    const servicesFile = path.join(TENANTS_DIR, slug, 'services.json');
    if (fs.existsSync(servicesFile)) {
      const services = JSON.parse(fs.readFileSync(servicesFile, 'utf8')) as ServiceDefinition[];
      await runWithTenant(tenant, () =>
        inTenant(async () => seedServices(services, new Map((await Unit.findAll()).map((u) => [u.acronym, String(u.id)])), protocolUnitOf(def))),
      );
    }
    const processesFile = path.join(TENANTS_DIR, slug, 'processes.json');
    if (fs.existsSync(processesFile)) {
      await seedDemoProcesses(tenant, def.numberingScheme, JSON.parse(fs.readFileSync(processesFile, 'utf8')) as DemoProcess[]);
    }
    created.push(slug);
  }
  return created;
}
