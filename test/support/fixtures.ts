import { expect } from 'chai';
import type { Express } from 'express';
import { agentFor, login, type Agent } from './http';
import { createTestTenant, TEST_PASSWORD, type TestTenant } from './tenants';

/**
 * The one logged-in set-up: a client of `host` (of the shared app, or of `app`) logged in as
 * `email`, the login checked to have succeeded (302), so a test starts from a session and not from
 * a login page it did not expect.
 */
export async function signedIn(host: string, email: string, { app, password = TEST_PASSWORD }: { app?: Express; password?: string } = {}): Promise<Agent> {
  const agent = agentFor(host, app);
  const res = await login(agent, email, password);
  expect(res.status, `login de ${email} em ${host}`).to.equal(302);
  return agent;
}

/** A client logged in to `t` as its administrator or its clerk (the small tenant of createTestTenant). */
export async function loggedInAs(t: TestTenant, who: 'admin' | 'clerk', app?: Express): Promise<Agent> {
  return signedIn(t.host, t[who].email, { app, password: t[who].password });
}

/** The set-up most admin pages' tests start from: a fresh small tenant and its administrator logged in. */
export async function tenantWithAdmin(overrides: Parameters<typeof createTestTenant>[0] = {}): Promise<{ t: TestTenant; admin: Agent }> {
  const t = await createTestTenant(overrides);
  return { t, admin: await loggedInAs(t, 'admin') };
}
