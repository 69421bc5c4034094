import { expect } from 'chai';
import { $, csrfFrom, type Agent } from './http';
import { createTestTenant, type TestTenant } from './tenants';
import { signedIn } from './fixtures';

/** A tenant for the process screens: PMT (protocol 10001) with SEGOV, SMS and SEAD, two users each. */
export async function processTenant(overrides: Parameters<typeof createTestTenant>[0] = {}): Promise<TestTenant> {
  const slug = `p-${Math.random().toString(16).slice(2, 10)}`;
  return createTestTenant({
    slug,
    root: {
      acronym: 'PMT',
      name: 'Prefeitura Municipal de Teste',
      protocolCode: '10001',
      children: [
        { acronym: 'SEGOV', name: 'Secretaria de Governo' },
        { acronym: 'SMS', name: 'Secretaria de Saúde' },
        { acronym: 'SEAD', name: 'Secretaria de Administração' },
      ],
    },
    users: [
      { name: 'Administradora de Teste', email: `admin@${slug}.test`, units: [{ acronym: 'PMT', role: 'admin' }] },
      { name: 'Servidor de Teste', email: `servidor@${slug}.test`, units: [{ acronym: 'SEGOV', role: 'basic' }] },
      { name: 'Colega do Governo', email: `colega@${slug}.test`, units: [{ acronym: 'SEGOV', role: 'basic' }] },
      { name: 'Sofia da Saúde', email: `sofia@${slug}.test`, units: [{ acronym: 'SMS', role: 'basic' }] },
      { name: 'Samuel da Saúde', email: `samuel@${slug}.test`, units: [{ acronym: 'SMS', role: 'basic' }] },
      { name: 'Ana da Administração', email: `ana@${slug}.test`, units: [{ acronym: 'SEAD', role: 'basic' }] },
    ],
    ...overrides,
  });
}

export function emailOf(t: TestTenant, who: 'servidor' | 'colega' | 'sofia' | 'samuel' | 'ana' | 'admin'): string {
  return `${who}@${t.definition.slug}.test`;
}

/** One of the big tenant's users logged in (see signedIn). */
export async function loggedIn(t: TestTenant, who: Parameters<typeof emailOf>[1]): Promise<Agent> {
  return signedIn(t.host, emailOf(t, who));
}

/** Creates a process through "Iniciar processo" and returns its id and number. */
export async function createViaHttp(agent: Agent, fields: Record<string, string> = {}, typeId?: string): Promise<{ id: string; number: string }> {
  const form = await agent.get('/processos/novo').expect(200);
  const firstType = typeId ?? String($(form.text)('#processTypeId option').filter((_, el) => $(form.text)(el).text() === 'Licitação: pregão eletrônico').attr('value'));
  const res = await agent
    .post('/processos')
    .type('form')
    .send({
      _csrf: csrfFrom(form.text),
      processTypeId: firstType,
      specification: 'Compra de material de escritório',
      partyName0: 'Papelaria Central Ltda',
      partyDocument0: '',
      accessLevel: 'public',
      ...fields,
    });
  expect(res.status, res.text.slice(0, 3000)).to.equal(302);
  const id = String(res.headers.location).split('/').pop() as string;
  const page = await agent.get(`/processos/${id}`).expect(200);
  return { id, number: $(page.text)('[data-testid="process-number"]').text() };
}
