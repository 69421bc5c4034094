import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { SESSION_POOL_NAME } from '../../../server/db/database';
import { TenantAuditEntry } from '../../../server/models';
import { inTenant, runWithTenant } from '../../../server/tenancy/context';
import { LoginThrottle } from '../../../server/auth/loginThrottle';
import { testEnv } from '../../support/environment';
import { $, agentFor, csrfFrom, csrfToken, login } from '../../support/http';
import { createTestTenant, TEST_PASSWORD, type TestTenant } from '../../support/tenants';

function sessionCookie(res: request.Response): string {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const c = cookies.find((x) => x.startsWith('pen.sid='));
  if (!c) throw new Error('sem cookie de sessão');
  return c.split(';')[0];
}

async function loginEvents(t: TestTenant): Promise<number> {
  return runWithTenant(t.tenant, () => inTenant(() => TenantAuditEntry.count({ where: { action: 'user.login' } })));
}

describe('Integration - auth/sessions and login', () => {
  let angra: TestTenant;
  let maranhao: TestTenant;

  before(async () => {
    angra = await createTestTenant();
    maranhao = await createTestTenant();
  });

  describe('Session expiry', () => {
    it('rolls the stored expiry forward at most once a minute per web process, not on every page', async () => {
      const a = agentFor(angra.host);
      const cookie = sessionCookie(await login(a, angra.clerk.email, TEST_PASSWORD));
      const sid = decodeURIComponent(cookie.split('=')[1]).slice(2).split('.')[0];
      const expiry = async () =>
        (await testEnv().sessionPool.query<{ e: Date }>('SELECT expire AS e FROM platform.sessions WHERE sid = $1', [sid])).rows[0].e.getTime();
      const page = () => request(testEnv().app).get('/').set('Host', angra.host).set('Cookie', cookie).expect(200);
      await page(); // the first page may save the session (its CSRF token, the current unit)
      await testEnv().sessionPool.query("UPDATE platform.sessions SET expire = now() + interval '1 hour' WHERE sid = $1", [sid]);
      const marked = await expiry();
      // The process that has just written the session does not write its expiry again…
      for (let i = 0; i < 3; i += 1) await page();
      expect(await expiry()).to.equal(marked);
      // …another web process (no memory of it) does, once: 8 hours from now.
      const other = testEnv().buildApp();
      await request(other).get('/').set('Host', angra.host).set('Cookie', cookie).expect(200);
      const rolled = await expiry();
      expect(rolled - Date.now()).to.be.within(8 * 3600_000 - 60_000, 8 * 3600_000 + 1000);
    });
  });

  describe('Session store connections', () => {
    it('keeps serving, still logged in, after the database ends the session store\'s idle connections', async () => {
      const a = agentFor(angra.host);
      const cookie = sessionCookie(await login(a, angra.clerk.email, TEST_PASSWORD));
      const page = () => request(testEnv().app).get('/').set('Host', angra.host).set('Cookie', cookie);
      expect((await page()).status).to.equal(200);
      const pool = testEnv().sessionPool;
      expect(pool.idleCount).to.be.greaterThan(0);
      // As a restart or an administrator would: the server ends every idle connection of the pool.
      const { sequelize } = testEnv();
      const [ended] = await sequelize.query<{ n: string }>(
        'SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND state = $2',
        { bind: [SESSION_POOL_NAME, 'idle'], type: QueryTypes.SELECT },
      );
      expect(Number(ended.n)).to.be.greaterThan(0);
      // The pool hears of it (an 'error' event: unhandled, it would end this process) and drops them.
      for (let i = 0; i < 100 && pool.idleCount > 0; i += 1) await new Promise((r) => setTimeout(r, 20));
      expect(pool.idleCount).to.equal(0);
      const after = await page();
      expect(after.status).to.equal(200);
      expect(after.text).to.include('Controle de processos');
    });
  });

  describe('Session replay across hosts', () => {
    it('treats an Angra session cookie presented on Maranhão\'s host as anonymous', async () => {
      const a = agentFor(angra.host);
      const res = await login(a, angra.clerk.email, TEST_PASSWORD);
      expect(res.status).to.equal(302);
      const cookie = sessionCookie(res);
      await request(testEnv().app).get('/').set('Host', angra.host).set('Cookie', cookie).expect(200);
      const replay = await request(testEnv().app).get('/').set('Host', maranhao.host).set('Cookie', cookie).expect(302);
      expect(replay.headers.location).to.equal('/login?next=%2F');
    });

    it('keeps the original session valid on its own host after a replay attempt elsewhere', async () => {
      const a = agentFor(angra.host);
      const cookie = sessionCookie(await login(a, angra.clerk.email, TEST_PASSWORD));
      await request(testEnv().app).get('/').set('Host', maranhao.host).set('Cookie', cookie).expect(302);
      const home = await request(testEnv().app).get('/').set('Host', angra.host).set('Cookie', cookie).expect(200);
      expect($(home.text)('h1').text()).to.equal('Controle de processos');
    });

    it('treats a tenant session presented on the platform host as no operator', async () => {
      const cookie = sessionCookie(await login(agentFor(angra.host), angra.admin.email, TEST_PASSWORD));
      const res = await request(testEnv().app).get('/admin').set('Host', 'localhost').set('Cookie', cookie).expect(302);
      expect(res.headers.location).to.match(/^\/login/);
    });

    it('never resolves an Angra user id on Maranhão, even with the same host binding forged', async () => {
      // Same numeric user id exists in both tenants (both schemas start at 1).
      const cookie = sessionCookie(await login(agentFor(angra.host), angra.clerk.email, TEST_PASSWORD));
      const sid = decodeURIComponent(cookie.split('=')[1]).slice(2).split('.')[0];
      await testEnv().sequelize.query(
        `UPDATE platform.sessions SET sess = jsonb_set(sess::jsonb, '{boundHost}', to_jsonb($1::text))::json WHERE sid = $2`,
        { bind: [maranhao.host, sid] },
      );
      const res = await request(testEnv().app).get('/').set('Host', maranhao.host).set('Cookie', cookie).expect(302);
      expect(res.headers.location).to.match(/^\/login/);
    });

    it('regenerates the session id at login', async () => {
      const a = agentFor(angra.host);
      const page = await a.get('/login').expect(200);
      const before = sessionCookie(page);
      const res = await a.post('/login').type('form').send({ email: angra.clerk.email, password: TEST_PASSWORD, _csrf: csrfFrom(page.text) });
      expect(res.status).to.equal(302);
      expect(sessionCookie(res)).to.not.equal(before);
    });

    it('ends the session at logout', async () => {
      const a = agentFor(angra.host);
      await login(a, angra.clerk.email, TEST_PASSWORD);
      const home = await a.get('/').expect(200);
      await a.post('/logout').type('form').send({ _csrf: csrfFrom(home.text) }).expect(302);
      await a.get('/').expect(302);
    });
  });

  describe('Redirects', () => {
    it('sends a redirect only after the session it changed is stored, so the page it leads to reads the change', async () => {
      const t = await createTestTenant({
        users: [{ name: 'Servidora de Duas Unidades', email: 'duas@redirect.test', units: [{ acronym: 'SEGOV', role: 'basic' }, { acronym: 'SMS', role: 'basic' }] }],
      });
      const cookie = sessionCookie(await login(agentFor(t.host), 'duas@redirect.test', TEST_PASSWORD));
      const home = await request(testEnv().app).get('/').set('Host', t.host).set('Cookie', cookie).expect(200);
      const page = $(home.text);
      const other = page('#current-unit option:not([selected])').attr('value');
      expect(other, 'a unit to switch to').to.match(/^\d+$/);
      const sid = decodeURIComponent(cookie.split('=')[1]).slice(2).split('.')[0];

      // Another connection holds the session's row, so storing the switch has to wait for it.
      const holder = await testEnv().sessionPool.connect();
      const server = http.createServer(testEnv().app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM platform.sessions WHERE sid = $1 FOR UPDATE', [sid]);
        const body = new URLSearchParams({ _csrf: csrfFrom(home.text), unitId: other! }).toString();
        let answeredAt = 0;
        const answered = new Promise<http.IncomingMessage>((resolve, reject) => {
          const req = http.request(
            { port: (server.address() as AddressInfo).port, method: 'POST', path: '/unidade-atual', headers: { Host: t.host, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) } },
            (res) => {
              answeredAt = Date.now();
              res.resume();
              resolve(res);
            },
          );
          req.on('error', reject);
          req.end(body);
        });
        await new Promise((r) => setTimeout(r, 700));
        expect(answeredAt, 'no redirect (not even its head) while the session is not stored').to.equal(0);
        const releasedAt = Date.now();
        await holder.query('COMMIT');
        const res = await answered;
        expect(res.statusCode).to.equal(302);
        expect(answeredAt).to.be.at.least(releasedAt);
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        holder.release();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      const after = await request(testEnv().app).get('/').set('Host', t.host).set('Cookie', cookie).expect(200);
      expect($(after.text)('#current-unit option[selected]').attr('value')).to.equal(other);
    });

    it('sends a redirect that changed nothing in the session at once, without writing it', async () => {
      const cookie = sessionCookie(await login(agentFor(angra.host), angra.clerk.email, TEST_PASSWORD));
      const sid = decodeURIComponent(cookie.split('=')[1]).slice(2).split('.')[0];
      await request(testEnv().app).get('/').set('Host', angra.host).set('Cookie', cookie).expect(200);
      const stored = async () => (await testEnv().sessionPool.query<{ s: string }>('SELECT sess::text AS s FROM platform.sessions WHERE sid = $1', [sid])).rows[0].s;
      const before = await stored();
      const holder = await testEnv().sessionPool.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM platform.sessions WHERE sid = $1 FOR UPDATE', [sid]);
        // /login, for a user already logged in, sends them on; nothing waits for the held row.
        const res = await request(testEnv().app).get('/login').set('Host', angra.host).set('Cookie', cookie).timeout(5000);
        expect(res.status).to.equal(302);
      } finally {
        await holder.query('ROLLBACK');
        holder.release();
      }
      expect(await stored()).to.equal(before);
    });
  });

  describe('CSRF', () => {
    it('refuses a login POST without a token with 403 and logs nobody in', async () => {
      const a = agentFor(angra.host);
      await a.get('/login').expect(200);
      const before = await loginEvents(angra);
      const res = await a.post('/login').type('form').send({ email: angra.clerk.email, password: TEST_PASSWORD }).expect(403);
      expect($(res.text)('h1').text()).to.equal('Acesso negado');
      expect(await loginEvents(angra)).to.equal(before);
      await a.get('/').expect(302);
    });

    it('refuses a login POST with a wrong token with 403 and logs nobody in', async () => {
      const a = agentFor(angra.host);
      await a.get('/login').expect(200);
      const before = await loginEvents(angra);
      await a.post('/login').type('form').send({ email: angra.clerk.email, password: TEST_PASSWORD, _csrf: 'x'.repeat(128) }).expect(403);
      expect(await loginEvents(angra)).to.equal(before);
    });

    it('refuses a token taken from another tenant\'s session', async () => {
      const token = await csrfToken(agentFor(maranhao.host));
      const a = agentFor(angra.host);
      await a.get('/login').expect(200);
      await a.post('/login').type('form').send({ email: angra.clerk.email, password: TEST_PASSWORD, _csrf: token }).expect(403);
    });

    it('refuses a logout POST without a token, keeping the session', async () => {
      const a = agentFor(angra.host);
      await login(a, angra.clerk.email, TEST_PASSWORD);
      await a.post('/logout').type('form').send({}).expect(403);
      await a.get('/').expect(200);
    });
  });

  describe('Login answers', () => {
    it('answers a wrong password and an unknown e-mail with the same generic message', async () => {
      const wrong = await login(agentFor(angra.host), angra.clerk.email, 'senha-errada-123');
      const unknown = await login(agentFor(angra.host), 'ninguem@nada.test', 'senha-errada-123');
      expect(wrong.status).to.equal(401);
      expect(unknown.status).to.equal(401);
      expect($(wrong.text)('#error-summary').text().trim()).to.equal('E-mail ou senha incorretos.');
      expect($(unknown.text)('#error-summary').text().trim()).to.equal('E-mail ou senha incorretos.');
    });

    it('does not let an Angra user log in on Maranhão\'s host', async () => {
      const res = await login(agentFor(maranhao.host), angra.clerk.email, TEST_PASSWORD);
      expect(res.status).to.equal(401);
    });

    it('explains an empty form next to each field and keeps the e-mail typed', async () => {
      const a = agentFor(angra.host);
      const _csrf = await csrfToken(a);
      const res = await a.post('/login').type('form').send({ email: 'nao-e-email', password: '', _csrf }).expect(422);
      const page = $(res.text);
      expect(page('#email-error').text()).to.contain('e-mail válido');
      expect(page('#password-error').text()).to.contain('Informe a sua senha');
      expect(page('#email').val()).to.equal('nao-e-email');
      expect(page('#email').attr('aria-describedby')).to.contain('email-error');
    });

    it('never redirects outside the site after login', async () => {
      const a = agentFor(angra.host);
      const _csrf = await csrfToken(a);
      const res = await a.post('/login').type('form').send({ email: angra.clerk.email, password: TEST_PASSWORD, _csrf, next: '//evil.example/x' });
      expect(res.headers.location).to.equal('/');
    });
  });

  describe('Login rate limit', () => {
    it('blocks an account after repeated failures, even with the right password, with a 429 and a clear wait', async () => {
      const app = testEnv().buildApp({ loginThrottle: new LoginThrottle(testEnv().sequelize, { perAccount: 3, perIp: 100, windowSeconds: 60 }) });
      const a = agentFor(angra.host, app);
      for (let i = 0; i < 3; i++) expect((await login(a, angra.admin.email, 'errada-errada-1')).status).to.equal(401);
      const res = await login(a, angra.admin.email, TEST_PASSWORD);
      expect(res.status).to.equal(429);
      expect(res.headers['retry-after']).to.match(/^\d+$/);
      expect($(res.text)('#error-summary').text()).to.contain('Muitas tentativas');
      // Another account from the same IP is not blocked by this one.
      expect((await login(agentFor(angra.host, app), angra.clerk.email, TEST_PASSWORD)).status).to.equal(302);
    });

    it('blocks an IP that tries many accounts', async () => {
      const app = testEnv().buildApp({ loginThrottle: new LoginThrottle(testEnv().sequelize, { perAccount: 100, perIp: 4, windowSeconds: 60 }) });
      const t = await createTestTenant();
      for (let i = 0; i < 4; i++) await login(agentFor(t.host, app), `pessoa${i}@x.test`, 'errada-errada-1');
      const res = await login(agentFor(t.host, app), t.clerk.email, TEST_PASSWORD);
      expect(res.status).to.equal(429);
    });

    it('counts per tenant: the same e-mail blocked on one tenant still logs in on another', async () => {
      const app = testEnv().buildApp({ loginThrottle: new LoginThrottle(testEnv().sequelize, { perAccount: 2, perIp: 100, windowSeconds: 60 }) });
      const shared = `mesma-pessoa@${Date.now()}.test`;
      const t1 = await createTestTenant({ users: [{ name: 'Pessoa Um', email: shared, units: [{ acronym: 'SEGOV', role: 'basic' }] }] });
      const t2 = await createTestTenant({ users: [{ name: 'Pessoa Dois', email: shared, units: [{ acronym: 'SEGOV', role: 'basic' }] }] });
      for (let i = 0; i < 2; i++) await login(agentFor(t1.host, app), shared, 'errada-errada-1');
      expect((await login(agentFor(t1.host, app), shared, TEST_PASSWORD)).status).to.equal(429);
      expect((await login(agentFor(t2.host, app), shared, TEST_PASSWORD)).status).to.equal(302);
    });
  });
});
