import { expect } from 'chai';
import { Tenant } from '../../../server/models';
import formatDateTime from '../../../server/helpers/formatDateTime';
import { prepareSpareSchemas } from '../../../server/tenancy/provisioning';
import { tenantUrl } from '../../../server/tenancy/urls';
import { applicant, discardQueuedApplicantMail, fileRequest, operatorAgent } from '../../support/adhesion';
import { testEnv } from '../../support/environment';
import { $, agentFor, csrfFrom } from '../../support/http';
import { createTestTenant } from '../../support/tenants';

/** What the operator reads once a request is approved (issue 19: points 3, 4 and 14). */
describe('Integration - console after an approval', () => {
  after(discardQueuedApplicantMail);

  it('links to the new tenant with the port, flags no duplicate of the tenant the request created, and lists it from when it went into service', async () => {
    const { config } = testEnv();
    const { agent } = await operatorAgent();
    const { request, input } = await fileRequest(applicant({ uf: 'AP' }));
    const page = await agent.get(`/admin/pedidos/${request.id}`).expect(200);
    await agent.post(`/admin/pedidos/${request.id}/aprovar`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    const approved = $((await agent.get(`/admin/pedidos/${request.id}`).expect(200)).text);
    const link = tenantUrl(config, input.slug);
    expect(link).to.contain(`:${config.PORT}/`);
    expect(approved(`a[href="${link}"]`).text()).to.equal(link);
    const checks = approved('[data-testid="checks"]').text();
    expect(checks).to.contain('Nenhuma duplicidade encontrada').and.not.contain('já usa o PEN Nuvem');
    const tenant = await Tenant.findOne({ where: { slug: input.slug } });
    expect(tenant?.openedAt).to.be.instanceOf(Date);
    const list = $((await agent.get(`/admin/entes?q=${input.slug}`).expect(200)).text);
    const header = list('[data-testid="tenants"] thead th').map((_, el) => list(el).text()).get();
    expect(header).to.include('No ar desde').and.not.include('Criado em');
  });

  it('shows a tenant built on a spare schema from when it went into service, the schema\'s age apart', async () => {
    const { sequelize } = testEnv();
    const { agent } = await operatorAgent();
    const { request, input } = await fileRequest(applicant({ uf: 'RR' }));
    // A spare schema the worker prepared days before the request.
    await prepareSpareSchemas(sequelize, 1);
    await sequelize.query("UPDATE platform.tenants SET created_at = '2026-01-10T12:00:00Z' WHERE status = 'spare'");
    const page = await agent.get(`/admin/pedidos/${request.id}`).expect(200);
    await agent.post(`/admin/pedidos/${request.id}/aprovar`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    const tenant = (await Tenant.findOne({ where: { slug: input.slug } }))!;
    expect(tenant.createdAt.toISOString()).to.equal('2026-01-10T12:00:00.000Z');
    expect(Date.now() - tenant.openedAt!.getTime()).to.be.lessThan(60_000);
    const list = $((await agent.get(`/admin/entes?q=${input.slug}`).expect(200)).text);
    const cell = list(`tr[data-slug="${input.slug}"] [data-testid="opened-at"]`).text();
    expect(cell).to.match(new RegExp(`^${formatDateTime(tenant.openedAt).replace(/[/]/g, '\\/')}`));
    expect(cell).to.contain('esquema preparado em 10/01/2026 09:00');
  });

  it('lets an operator set the article of the ente\'s name, which its texts use at once', async () => {
    const { agent } = await operatorAgent();
    const t = await createTestTenant({ name: 'Paraty Turismo', kind: 'orgao', ibgeCode: null });
    const before = $((await agentFor(t.host).get('/conferir-autenticidade').expect(200)).text);
    expect(before('main').text()).to.contain('documento do Paraty Turismo');
    const list = await agent.get(`/admin/entes?q=${t.definition.slug}`).expect(200);
    const bad = await agent.post(`/admin/entes/${t.tenant.id}/artigo`).type('form').send({ _csrf: csrfFrom(list.text), article: 'x' });
    expect(bad.status).to.equal(422);
    const res = await agent.post(`/admin/entes/${t.tenant.id}/artigo`).type('form').send({ _csrf: csrfFrom(list.text), article: 'a' }).expect(303);
    expect(res.headers.location).to.equal('/admin/entes');
    expect($((await agent.get(res.headers.location).expect(200)).text)('[data-testid="notice"]').text()).to.contain('Artigo do nome do ente salvo');
    const after = $((await agentFor(t.host).get('/conferir-autenticidade').expect(200)).text);
    expect(after('main').text()).to.contain('documento da Paraty Turismo');
    const page = $((await agent.get(`/admin/entes?q=${t.definition.slug}`).expect(200)).text);
    expect(page(`#article-${t.tenant.id} option:selected`).val()).to.equal('a');
  });
});
