import { agentFor, login, type Agent } from './http';
import { createTestTenant, type TestTenant } from './tenants';

/** A client logged in to `t` as its administrator or its clerk (the small tenant of createTestTenant). */
export async function loggedInAs(t: TestTenant, who: 'admin' | 'clerk'): Promise<Agent> {
  const agent = agentFor(t.host);
  await login(agent, t[who].email, t[who].password);
  return agent;
}

/** The set-up most admin pages' tests start from: a fresh small tenant and its administrator logged in. */
export async function tenantWithAdmin(overrides: Parameters<typeof createTestTenant>[0] = {}): Promise<{ t: TestTenant; admin: Agent }> {
  const t = await createTestTenant(overrides);
  return { t, admin: await loggedInAs(t, 'admin') };
}
