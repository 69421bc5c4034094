import crypto from 'node:crypto';
import { hashPassword } from '../../server/auth/passwords';
import { tenantDefinitionSchema, type TenantDefinition, type TenantDefinitionInput } from '../../server/tenancy/definition';
import { provisionTenant } from '../../server/tenancy/provisioning';
import type { TenantRef } from '../../server/tenancy/context';
import { testEnv } from './environment';

export const TEST_PASSWORD = 'Senha-de-teste-1';
let hashed: Promise<string> | undefined;

export function uniqueSlug(prefix = 't'): string {
  return `${prefix}-${crypto.randomBytes(5).toString('hex')}`;
}

/** A small tenant definition (root, two secretarias, an admin and a clerk), with overrides. */
export function tenantDefinition(overrides: Partial<TenantDefinitionInput> = {}): TenantDefinition {
  const slug = overrides.slug ?? uniqueSlug();
  return tenantDefinitionSchema.parse({
    slug,
    name: `Prefeitura de Teste ${slug}`,
    kind: 'municipio',
    uf: 'RJ',
    ibgeCode: '3300100',
    root: {
      acronym: 'PMT',
      name: 'Prefeitura Municipal de Teste',
      protocolCode: '10001',
      children: [
        { acronym: 'SEGOV', name: 'Secretaria de Governo' },
        { acronym: 'SMS', name: 'Secretaria de Saúde' },
      ],
    },
    users: [
      { name: 'Administradora de Teste', email: `admin@${slug}.test`, units: [{ acronym: 'PMT', role: 'admin' }] },
      { name: 'Servidor de Teste', email: `servidor@${slug}.test`, units: [{ acronym: 'SEGOV', role: 'basic' }] },
    ],
    ...overrides,
  });
}

export interface TestTenant {
  tenant: TenantRef;
  host: string;
  definition: TenantDefinition;
  admin: { email: string; password: string };
  clerk: { email: string; password: string };
}

/** Provisions a fresh tenant through the real provisioning service; its users share TEST_PASSWORD. */
export async function createTestTenant(overrides: Partial<TenantDefinitionInput> = {}): Promise<TestTenant> {
  const { sequelize, registry, config } = testEnv();
  hashed ??= hashPassword(TEST_PASSWORD);
  const definition = tenantDefinition(overrides);
  const { tenant } = await provisionTenant(sequelize, registry, definition, { passwordHash: await hashed });
  const [admin, clerk] = definition.users;
  return {
    tenant,
    host: `${definition.slug}.${config.APP_DOMAIN}`,
    definition,
    admin: { email: admin?.email ?? '', password: TEST_PASSWORD },
    clerk: { email: clerk?.email ?? '', password: TEST_PASSWORD },
  };
}

/** Two small tenants for isolation tests: Angra (PMAR › SEGOV, Clara) and Maranhão (GEMA › SEFAZ, Raimundo). */
export async function createAngraAndMaranhao(): Promise<{ angra: TestTenant; maranhao: TestTenant }> {
  const angra = await createTestTenant({
    root: { acronym: 'PMAR', name: 'Prefeitura de Angra', children: [{ acronym: 'SEGOV', name: 'Secretaria de Governo' }] },
    users: [{ name: 'Clara de Angra', email: 'clara@angra.test', units: [{ acronym: 'SEGOV', role: 'basic' }] }],
  });
  const maranhao = await createTestTenant({
    kind: 'estado',
    uf: 'MA',
    ibgeCode: '21',
    root: { acronym: 'GEMA', name: 'Governo do Maranhão', children: [{ acronym: 'SEFAZ', name: 'Secretaria da Fazenda' }] },
    users: [{ name: 'Raimundo do Maranhão', email: 'raimundo@maranhao.test', units: [{ acronym: 'SEFAZ', role: 'basic' }] }],
  });
  return { angra, maranhao };
}
