import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { SessionReadCache } from '../../../server/middleware/sessionReadCache';
import { testEnv } from '../../support/environment';
import { agentFor, csrfFrom, login } from '../../support/http';
import { createTestTenant, TEST_PASSWORD, type TestTenant } from '../../support/tenants';

function sessionCookie(res: request.Response): string {
  const c = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((x) => x.startsWith('pen.sid='));
  if (!c) throw new Error('sem cookie de sessão');
  return c.split(';')[0];
}
const sidOf = (cookie: string) => decodeURIComponent(cookie.split('=')[1]).slice(2).split('.')[0];

/** Polls `page` until it answers `status` (a NOTIFY arrives a moment after the commit), at most 2 s. */
async function eventually(page: () => Promise<request.Response>, status: number): Promise<request.Response> {
  let res = await page();
  for (let i = 0; i < 40 && res.status !== status; i += 1) {
    await new Promise((r) => setTimeout(r, 50));
    res = await page();
  }
  return res;
}

describe('Integration - auth/session read cache (sessions kept in memory while their changes are heard)', () => {
  let angra: TestTenant;
  let stops: (() => Promise<void>)[] = [];
  /** Two web processes, each with its own cache listening for session changes. */
  let first: Express;
  let second: Express;
  let secondCache: SessionReadCache;

  before(async () => {
    angra = await createTestTenant();
  });
  beforeEach(async () => {
    const firstCache = new SessionReadCache();
    secondCache = new SessionReadCache();
    stops = [await firstCache.listen(testEnv().url), await secondCache.listen(testEnv().url)];
    first = testEnv().buildApp({ sessionCache: firstCache });
    second = testEnv().buildApp({ sessionCache: secondCache });
  });
  afterEach(async () => {
    for (const stop of stops) await stop();
  });

  async function loggedIn(): Promise<{ cookie: string; page: (app: Express) => Promise<request.Response> }> {
    const cookie = sessionCookie(await login(agentFor(angra.host, first), angra.clerk.email, TEST_PASSWORD));
    const page = (app: Express) => request(app).get('/').set('Host', angra.host).set('Cookie', cookie);
    // The first page saves the session (its CSRF token): that change is announced and the copy dropped;
    // the second reads it again and keeps it.
    expect((await page(second)).status).to.equal(200);
    await new Promise((r) => setTimeout(r, 100));
    expect((await page(second)).status).to.equal(200);
    return { cookie, page };
  }

  it('serves a session it read from memory: a change the trigger does not announce (only the expiry) is not seen', async () => {
    const { cookie, page } = await loggedIn();
    await testEnv().sessionPool.query("UPDATE platform.sessions SET expire = now() - interval '1 minute' WHERE sid = $1", [sidOf(cookie)]);
    expect((await page(second)).status).to.equal(200);
    // Without a listening cache (as before, and whenever the listening connection is down) it is read again.
    expect((await page(testEnv().app)).status).to.equal(302);
  });

  it('logging out in one process ends the session in the other at once', async () => {
    const { cookie, page } = await loggedIn();
    const home = await page(first);
    expect(home.status).to.equal(200);
    await request(first).post('/logout').set('Host', angra.host).set('Cookie', cookie).type('form').send({ _csrf: csrfFrom(home.text) }).expect(302);
    const after = await eventually(() => page(second), 302);
    expect(after.status).to.equal(302);
    expect(after.headers.location).to.match(/^\/login/);
  });

  it('a session deleted or changed by plain SQL (ending a user\'s sessions, dropping their units) is read again', async () => {
    const { cookie, page } = await loggedIn();
    await testEnv().sessionPool.query("UPDATE platform.sessions SET sess = (sess::jsonb - 'memberships')::json WHERE sid = $1", [sidOf(cookie)]);
    // Read again (memberships reloaded by the next page) and still logged in.
    expect((await page(second)).status).to.equal(200);
    await testEnv().sessionPool.query('DELETE FROM platform.sessions WHERE sid = $1', [sidOf(cookie)]);
    expect((await eventually(() => page(second), 302)).status).to.equal(302);
  });

  it('fails closed: once it stops listening nothing is served from memory', async () => {
    const { cookie, page } = await loggedIn();
    await stops[1]();
    stops = [stops[0]];
    expect(secondCache.active).to.equal(false);
    await testEnv().sessionPool.query("UPDATE platform.sessions SET expire = now() - interval '1 minute' WHERE sid = $1", [sidOf(cookie)]);
    expect((await page(second)).status).to.equal(302);
  });
});
