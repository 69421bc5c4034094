import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import resolveSite from '../../../server/middleware/resolveSite';
import setUpRequestContext from '../../../server/middleware/setUpRequestContext';
import setUpViews from '../../../server/middleware/setUpViews';
import { Unit, User } from '../../../server/models';
import { inTenant, runWithTenant } from '../../../server/tenancy/context';
import { TenantContextError } from '../../../server/errors';
import { testEnv } from '../../support/environment';
import { createAngraAndMaranhao, type TestTenant } from '../../support/tenants';
import { $ } from '../../support/http';
import { signedIn } from '../../support/fixtures';

describe('Integration - tenant isolation', () => {
  let angra: TestTenant;
  let maranhao: TestTenant;

  before(async () => {
    ({ angra, maranhao } = await createAngraAndMaranhao());
  });

  it('answers 200 interleaved requests with each tenant\'s own schema and rows only', async () => {
    // The production middleware (host → tenant → CLS) in front of a route that reads inside the request.
    const app = express();
    setUpViews(app, false);
    app.use(resolveSite(testEnv().registry));
    app.use(setUpRequestContext());
    app.get('/probe', async (_req, res) => {
      const out = await inTenant(async () => {
        const [{ schema }] = await testEnv().sequelize.query<{ schema: string }>('SELECT current_schema() AS schema', { type: QueryTypes.SELECT });
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        const units = await Unit.findAll({ order: [['acronym', 'ASC']] });
        const users = await User.findAll();
        return { schema, units: units.map((u) => u.acronym), users: users.map((u) => u.email) };
      });
      res.json(out);
    });
    const hosts = Array.from({ length: 200 }, (_, i) => (i % 2 ? angra : maranhao));
    const responses = await Promise.all(hosts.map((t) => request(app).get('/probe').set('Host', t.host)));
    responses.forEach((res, i) => {
      const t = hosts[i];
      expect(res.status).to.equal(200);
      expect(res.body.schema).to.equal(t.tenant.schema);
      expect(res.body.units).to.deep.equal(t === angra ? ['PMAR', 'SEGOV'] : ['GEMA', 'SEFAZ']);
      expect(res.body.users).to.deep.equal(t === angra ? ['clara@angra.test'] : ['raimundo@maranhao.test']);
    });
  });

  it('shows each logged-in user only their own tenant\'s units, under concurrency, through the real app', async () => {
    const a = await signedIn(angra.host, 'clara@angra.test');
    const m = await signedIn(maranhao.host, 'raimundo@maranhao.test');
    const pages = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : m).get('/').expect(200)));
    pages.forEach((res, i) => {
      expect($(res.text)('[data-testid="current-unit"]').text()).to.equal(i % 2 ? 'SEGOV' : 'SEFAZ');
      expect(res.text).to.not.contain(i % 2 ? 'Maranhão' : 'Angra');
    });
  });

  it('fails closed: a tenant query outside any tenant context throws', async () => {
    let error: unknown;
    try {
      await Unit.findAll();
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(TenantContextError);
  });

  it('fails closed: a tenant query with a tenant but outside its transaction throws', async () => {
    let error: unknown;
    await runWithTenant(angra.tenant, async () => {
      try {
        await User.count();
      } catch (err) {
        error = err;
      }
    });
    expect(error).to.be.instanceOf(TenantContextError);
  });

  it('fails closed: inTenant without a tenant throws before touching the database', async () => {
    let error: unknown;
    try {
      await inTenant(async () => 1);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(TenantContextError);
  });

  it('leaves no tenant search path on pooled connections after a request', async () => {
    await runWithTenant(angra.tenant, () => inTenant(() => Unit.count()));
    const rows = await Promise.all(
      Array.from({ length: 20 }, () => testEnv().sequelize.query<{ sp: string }>('SHOW search_path', { type: QueryTypes.SELECT, plain: true })),
    );
    for (const r of rows) expect((r as unknown as { search_path: string }).search_path).to.not.contain('tenant_');
  });

  it('runs a prepared statement on a connection that served another tenant against the current tenant\'s tables', async () => {
    // One connection only, so the statement prepared for one tenant is the one reused for the other.
    const { createSequelize } = await import('../../../server/db/sequelize');
    const { preparedSelect } = await import('../../../server/db/sql');
    const { bindTenancy } = await import('../../../server/tenancy/context');
    const single = createSequelize({ url: testEnv().url, poolMax: 1, poolMaxUses: 1000 });
    bindTenancy(single);
    try {
      const sql = 'SELECT acronym, current_schema() AS schema, pg_backend_pid() AS pid FROM units ORDER BY acronym';
      const seen: { tenant: TestTenant; rows: { acronym: string; schema: string; pid: number }[] }[] = [];
      for (let i = 0; i < 12; i += 1) {
        const tenant = i % 2 ? angra : maranhao;
        seen.push({ tenant, rows: await runWithTenant(tenant.tenant, () => inTenant((t) => preparedSelect<{ acronym: string; schema: string; pid: number }>(t, sql, []))) });
      }
      expect(new Set(seen.map((s) => s.rows[0].pid)).size).to.equal(1);
      for (const { tenant, rows } of seen) {
        expect(rows.map((r) => r.acronym)).to.deep.equal(tenant === angra ? ['PMAR', 'SEGOV'] : ['GEMA', 'SEFAZ']);
        expect(rows[0].schema).to.equal(tenant.tenant.schema);
      }
    } finally {
      bindTenancy(testEnv().sequelize);
      await single.close();
    }
  });

  it('sets the tenant\'s search path in the same round trip as START TRANSACTION, and nowhere else', async () => {
    const { options } = testEnv().sequelize as unknown as { options: { logging: unknown } };
    const original = options.logging;
    const logged: string[] = [];
    options.logging = (sql: string) => logged.push(sql);
    try {
      expect(await runWithTenant(angra.tenant, () => inTenant(() => Unit.count()))).to.equal(2);
    } finally {
      options.logging = original;
    }
    expect(logged[0]).to.contain(`START TRANSACTION; SELECT set_config('search_path', '"${angra.tenant.schema}"', true);`);
    expect(logged.filter((l) => l.includes('set_config'))).to.have.length(1);
    expect(logged.at(-1)).to.contain('COMMIT');
  });
});
