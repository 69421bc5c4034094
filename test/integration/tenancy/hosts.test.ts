import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../../server/app';
import { LoginThrottle } from '../../../server/auth/loginThrottle';
import { createSequelize } from '../../../server/db/sequelize';
import { Tenant, TenantDomain } from '../../../server/models';
import { TenantRegistry } from '../../../server/tenancy/registry';
import { testEnv, freePort } from '../../support/environment';
import { $ } from '../../support/http';
import { createTestTenant, TEST_PASSWORD, type TestTenant } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

describe('Integration - tenancy/hosts', () => {
  let t: TestTenant;
  before(async () => {
    t = await createTestTenant();
  });

  it('serves the platform landing page on APP_DOMAIN', async () => {
    const res = await request(testEnv().app).get('/').set('Host', 'localhost').expect(200);
    expect($(res.text)('h1').text()).to.contain('Processo Eletrônico Nacional');
    expect(res.text).to.contain('lang="pt-BR"');
  });

  it('serves a tenant\'s login page on its subdomain with its name in the header', async () => {
    const res = await request(testEnv().app).get('/login').set('Host', t.host).expect(200);
    expect($(res.text)('.header-sign').text()).to.equal(t.definition.name);
    expect($(res.text)('title').text()).to.equal(`Entrar — ${t.definition.name} — PEN Nuvem`);
  });

  it('answers an unknown subdomain with a 404 page, never a default tenant', async () => {
    const res = await request(testEnv().app).get('/login').set('Host', 'nao-existe.localhost').expect(404);
    expect($(res.text)('h1').text()).to.equal('Endereço não encontrado');
    expect(res.text).to.not.contain(t.definition.name);
  });

  it('answers a host outside APP_DOMAIN with no mapping with 404', async () => {
    await request(testEnv().app).get('/').set('Host', 'exemplo.com.br').expect(404);
    await request(testEnv().app).get('/').set('Host', 'a.b.localhost').expect(404);
  });

  it('serves a tenant on a custom domain mapped to it', async () => {
    const custom = await createTestTenant({ domains: ['processos.exemplo-municipio.rj.gov.br'] });
    const res = await request(testEnv().app).get('/login').set('Host', 'processos.exemplo-municipio.rj.gov.br').expect(200);
    expect($(res.text)('.header-sign').text()).to.equal(custom.definition.name);
    expect(await TenantDomain.count({ where: { tenantId: custom.tenant.id } })).to.equal(1);
  });

  it('shows "temporariamente indisponível" for a suspended tenant, and its users cannot log in', async () => {
    const s = await createTestTenant();
    const a = await loggedInAs(s, 'clerk');
    await Tenant.update({ status: 'suspended', statusReason: 'teste' }, { where: { id: s.tenant.id } });
    await testEnv().registry.announceChange();
    const res = await a.get('/').expect(503);
    expect($(res.text)('h1').text()).to.equal('Temporariamente indisponível');
    await a.post('/login').type('form').send({ email: s.clerk.email, password: TEST_PASSWORD }).expect(503);
    await Tenant.update({ status: 'active' }, { where: { id: s.tenant.id } });
    await testEnv().registry.announceChange();
    await a.get('/').expect(200);
  });

  it('sees a change made by another process once it is announced (NOTIFY), not before the cache expires', async () => {
    const other = new TenantRegistry(testEnv().sequelize, 'localhost');
    const s = await createTestTenant();
    expect((await other.resolve(s.host)).type).to.equal('tenant');
    await Tenant.update({ status: 'suspended' }, { where: { id: s.tenant.id } });
    const cached = await other.resolve(s.host);
    expect(cached.type === 'tenant' && cached.tenant.status).to.equal('active');
    other.invalidate();
    const fresh = await other.resolve(s.host);
    expect(fresh.type === 'tenant' && fresh.tenant.status).to.equal('suspended');
  });

  describe('Health', () => {
    it('answers /healthz and /readyz on every host', async () => {
      for (const host of ['localhost', t.host, 'desconhecido.localhost']) {
        const h = await request(testEnv().app).get('/healthz').set('Host', host).expect(200);
        expect(h.body).to.deep.equal({ status: 'ok' });
        await request(testEnv().app).get('/readyz').set('Host', host).expect(200);
      }
    });

    it('answers /readyz with 503 when the database does not answer, while /healthz stays 200', async () => {
      const { config, sessionPool } = testEnv();
      const dead = createSequelize({ url: `postgres://x:y@127.0.0.1:${await freePort()}/none`, poolMax: 1, poolMaxUses: 10 });
      const app = createApp({ config, sequelize: dead, registry: new TenantRegistry(dead, 'localhost'), loginThrottle: new LoginThrottle(dead) }, sessionPool);
      await request(app).get('/healthz').set('Host', 'localhost').expect(200);
      const res = await request(app).get('/readyz').set('Host', 'localhost').expect(503);
      expect(res.body).to.deep.equal({ status: 'unavailable' });
      await dead.close();
    });
  });

  describe('Security headers', () => {
    it('sends a strict CSP with no inline script, and a request id', async () => {
      const res = await request(testEnv().app).get('/').set('Host', 'localhost').expect(200);
      const csp = res.headers['content-security-policy'];
      expect(csp).to.contain("script-src 'self'");
      expect(csp).to.not.contain('unsafe-inline');
      expect(csp).to.contain("frame-ancestors 'none'");
      expect(res.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
      expect($(res.text)('script:not([src])').length).to.equal(0);
    });

    it('keeps a well-formed request id given by the proxy', async () => {
      const res = await request(testEnv().app).get('/').set('Host', 'localhost').set('X-Request-Id', 'abc12345-proxy').expect(200);
      expect(res.headers['x-request-id']).to.equal('abc12345-proxy');
      const bad = await request(testEnv().app).get('/').set('Host', 'localhost').set('X-Request-Id', '<script>').expect(200);
      expect(bad.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
    });

    it('uses secure host-only cookies in production', async () => {
      const { sequelize, registry, sessionPool } = testEnv();
      const prod = { ...testEnv().config, production: true, sessionSecret: 'p'.repeat(40) };
      const app = createApp({ config: prod, sequelize, registry, loginThrottle: new LoginThrottle(sequelize) }, sessionPool);
      const res = await request(app).get('/login').set('Host', t.host).set('X-Forwarded-Proto', 'https').expect(200);
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).join(';');
      expect(cookie).to.contain('__Host-pen.sid=');
      expect(cookie).to.contain('Secure');
      expect(cookie).to.contain('HttpOnly');
      expect(cookie).to.not.match(/Domain=/i);
    });
  });
});
