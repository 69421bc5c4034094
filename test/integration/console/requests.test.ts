import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { AdhesionRequest, PlatformAuditEntry, Tenant } from '../../../server/models';
import { applicant, discardQueuedApplicantMail, fileRequest, lastMail, linkIn, operatorAgent, post, PLATFORM } from '../../support/adhesion';
import { testEnv } from '../../support/environment';
import { $, agentFor, csrfFrom } from '../../support/http';
import { createTestTenant, uniqueSlug } from '../../support/tenants';

async function schemaCount(): Promise<number> {
  const [row] = await testEnv().sequelize.query<{ n: string }>(
    "SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'",
    { type: QueryTypes.SELECT },
  );
  return Number(row.n);
}

describe('Integration - console/requests', () => {
  after(discardQueuedApplicantMail);

  it('lets only operators in: anonymous visitors (even with a valid form token) go to the login; a tenant admin has no console', async () => {
    const anonymous = await agentFor(PLATFORM).get('/admin').expect(302);
    expect(anonymous.headers.location).to.equal('/login?next=%2Fadmin');
    await agentFor(PLATFORM).get('/admin/entes').expect(302);
    const { request } = await fileRequest();
    const visitor = agentFor(PLATFORM);
    const approve = await visitor.get('/adesao/ente').expect(200);
    const res = await visitor.post(`/admin/pedidos/${request.id}/aprovar`).type('form').send({ _csrf: csrfFrom(approve.text) });
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.match(/^\/login\?next=/);
    expect((await AdhesionRequest.findByPk(request.id))?.status).to.equal('submitted');
    // A tenant user's session does not exist on the platform host at all.
    const t = await createTestTenant({ kind: 'orgao', ibgeCode: null });
    const tenantAgent = agentFor(t.host);
    await post(tenantAgent, '/login', { email: t.admin.email, password: t.admin.password }, '/login');
    await tenantAgent.get('/admin').expect(404);
  });

  it('lists requests by status, newest first, filtered by UF and kind, searched by name or CNPJ', async () => {
    const { agent } = await operatorAgent();
    const older = await fileRequest(applicant({ uf: 'SE' }));
    const newer = await fileRequest(applicant({ uf: 'SE', kind: 'municipio', ibgeCode: '2800308', orgName: '' }));
    const draft = await fileRequest(applicant({ uf: 'SE' }), { submit: false });
    const page = $((await agent.get('/admin?fila=analise&uf=SE').expect(200)).text);
    const ids = page('[data-testid="requests"] tbody td:first-child').map((_, el) => page(el).text()).get();
    expect(ids).to.deep.equal([String(newer.request.id), String(older.request.id)]);
    const municipios = $((await agent.get('/admin?fila=analise&uf=SE&tipo=municipio').expect(200)).text);
    expect(municipios('[data-testid="requests"] tbody td:first-child').text()).to.equal(String(newer.request.id));
    expect(municipios('[data-testid="requests"] tbody tr')).to.have.length(1);
    const byCnpj = $((await agent.get(`/admin?fila=analise&q=${encodeURIComponent(older.input.cnpj.slice(0, 2) + '.' + older.input.cnpj.slice(2, 5))}`).expect(200)).text);
    expect(byCnpj('[data-testid="requests"] tbody td:first-child').map((_, el) => byCnpj(el).text()).get()).to.include(String(older.request.id));
    const byName = $((await agent.get(`/admin?fila=analise&q=${encodeURIComponent(older.input.orgName.toUpperCase().replace('Ó', 'O'))}`).expect(200)).text);
    expect(byName('[data-testid="requests"] tbody tr')).to.have.length(1);
    const drafts = $((await agent.get('/admin?fila=rascunho&uf=SE').expect(200)).text);
    expect(drafts('[data-testid="requests"] tbody td:first-child').map((_, el) => drafts(el).text()).get()).to.include(String(draft.request.id));
  });

  it('shows the data, the checks and the history of a request', async () => {
    const { agent } = await operatorAgent();
    const { request, input } = await fileRequest(applicant({ uf: 'ES' }));
    const page = $((await agent.get(`/admin/pedidos/${request.id}`).expect(200)).text);
    const checks = page('[data-testid="checks"]').text();
    expect(checks).to.contain('CNPJ válido').and.contain('CPF válido').and.contain('E-mail confirmado').and.contain('Nenhuma duplicidade encontrada');
    expect(page('.app-review').text()).to.contain(input.officialName).and.contain(input.email);
    const history = page('[data-testid="history"] tbody th').map((_, el) => page(el).text()).get();
    expect(history[0]).to.equal('Rascunho criado');
    expect(history).to.include('E-mail confirmado').and.include('Termo de adesão aceito').and.include('Pedido enviado ao MGI');
  });

  it('approves: provisions the tenant from the request and invites the gestor as its first administrator', async () => {
    const { agent, operator } = await operatorAgent();
    const { request, input, agent: applicantAgent } = await fileRequest(applicant({ uf: 'TO', numberingScheme: 'nipe', protocolCode: '' }));
    const page = await agent.get(`/admin/pedidos/${request.id}`).expect(200);
    const res = await agent.post(`/admin/pedidos/${request.id}/aprovar`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    expect(res.headers.location).to.equal(`/admin/pedidos/${request.id}`);
    const after = await AdhesionRequest.findByPk(request.id);
    expect(after?.status).to.equal('approved');
    expect(String(after?.decidedBy)).to.equal(String(operator.id));
    const tenant = await Tenant.findOne({ where: { slug: input.slug } });
    expect(tenant?.numberingScheme).to.equal('nipe');
    expect(String(after?.tenantId)).to.equal(String(tenant?.id));
    const { sequelize } = testEnv();
    const schema = `tenant_${tenant!.id}`;
    const units = await sequelize.query<{ acronym: string; parent: string | null }>(
      `SELECT u.acronym, p.acronym AS parent FROM "${schema}".units u LEFT JOIN "${schema}".units p ON p.id = u.parent_id ORDER BY u.id`,
      { type: QueryTypes.SELECT },
    );
    expect(units).to.deep.equal([
      { acronym: 'CIV', parent: null },
      { acronym: 'SEGOV', parent: 'CIV' },
      { acronym: 'SMS', parent: 'CIV' },
    ]);
    const docTypes = (await sequelize.query<{ name: string }>(`SELECT name FROM "${schema}".document_types`, { type: QueryTypes.SELECT })).map((r) => r.name);
    expect(docTypes).to.include.members(['Ofício', 'Memorando', 'Despacho', 'Portaria', 'Requerimento', 'Parecer']);
    const [counts] = await sequelize.query<{ p: string; l: string }>(
      `SELECT (SELECT count(*) FROM "${schema}".process_types) AS p, (SELECT count(*) FROM "${schema}".legal_bases) AS l`,
      { type: QueryTypes.SELECT },
    );
    expect(Number(counts.p)).to.be.greaterThan(5);
    expect(Number(counts.l)).to.be.greaterThan(3);
    const roles = await sequelize.query<{ email: string; role: string; password_hash: string | null }>(
      `SELECT us.email, uu.role, us.password_hash FROM "${schema}".users us JOIN "${schema}".user_units uu ON uu.user_id = us.id ORDER BY uu.role`,
      { type: QueryTypes.SELECT },
    );
    expect(roles.map((r) => [r.email, r.role])).to.deep.equal([
      [input.email, 'admin'],
      [input.email, 'basic'],
    ]);
    expect(roles[0].password_hash).to.equal(null);
    await lastMail(input.email, 'password-link');
    const statusMail = await lastMail(input.email, 'adhesion-status');
    expect(statusMail.subject).to.contain('aprovado');
    expect(await PlatformAuditEntry.count({ where: { action: 'adhesion.approved', actorId: String(operator.id) } })).to.equal(1);
    const detail = $((await agent.get(res.headers.location).expect(200)).text);
    expect(detail('[data-testid="notice"]').text()).to.contain('Pedido aprovado: o ente foi criado e o gestor recebeu o convite.');
    expect(detail('[data-testid="request-status"]').text()).to.contain('aprovado').and.contain(operator.name);
    expect(detail('form[action$="/aprovar"]')).to.have.length(0);
    const status = $((await applicantAgent.get('/adesao/situacao').expect(200)).text);
    expect(status('[data-testid="adhesion-status"]').text()).to.contain('aprovado');
    expect(status('main a[href^="http://"]').attr('href')).to.equal(`http://${input.slug}.localhost:${testEnv().config.PORT}/`);
  });

  it('provisions once when two operators approve at the same moment', async () => {
    const [one, two] = [await operatorAgent(), await operatorAgent()];
    const { request, input } = await fileRequest(applicant({ uf: 'AP' }));
    const [p1, p2] = await Promise.all([one.agent.get(`/admin/pedidos/${request.id}`), two.agent.get(`/admin/pedidos/${request.id}`)]);
    const results = await Promise.all([
      one.agent.post(`/admin/pedidos/${request.id}/aprovar`).type('form').send({ _csrf: csrfFrom(p1.text) }),
      two.agent.post(`/admin/pedidos/${request.id}/aprovar`).type('form').send({ _csrf: csrfFrom(p2.text) }),
    ]);
    expect(results.map((r) => r.status).sort()).to.deep.equal([303, 409]);
    const loser = results.find((r) => r.status === 409)!;
    expect($(loser.text)('main').text()).to.match(/Nada foi feito: (outro operador está aprovando este pedido agora|este pedido já foi aprovado)/);
    expect(await Tenant.count({ where: { slug: input.slug } })).to.equal(1);
    expect((await AdhesionRequest.findByPk(request.id))?.status).to.equal('approved');
    const invitations = await testEnv().sequelize.query<{ n: string }>(
      "SELECT count(*) AS n FROM platform.outbox WHERE to_address = $1 AND template = 'password-link'",
      { bind: [input.email], type: QueryTypes.SELECT },
    );
    expect(Number(invitations[0].n)).to.equal(1);
  });

  it('shows a provisioning failure with "tentar novamente", leaves nothing half-made, and succeeds on retry', async () => {
    const { agent } = await operatorAgent();
    const { request, input } = await fileRequest(applicant({ uf: 'RR' }));
    // Someone takes the address through the command line between submission and approval.
    const squatter = await createTestTenant({ slug: input.slug, kind: 'orgao', ibgeCode: null });
    const schemasBefore = await schemaCount();
    const page = await agent.get(`/admin/pedidos/${request.id}`).expect(200);
    const res = await agent.post(`/admin/pedidos/${request.id}/aprovar`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    expect(res.headers.location).to.equal(`/admin/pedidos/${request.id}`);
    expect(await schemaCount()).to.equal(schemasBefore);
    expect(await Tenant.count({ where: { slug: input.slug } })).to.equal(1);
    const failed = await AdhesionRequest.findByPk(request.id);
    expect(failed?.status).to.equal('provisioning_failed');
    expect(failed?.provisioningError).to.contain(input.slug);
    const detail = $((await agent.get(res.headers.location).expect(200)).text);
    expect(detail('[data-testid="notice"]').text()).to.contain('A criação do ente falhou.');
    expect(detail('[data-testid="provisioning-error"]').text()).to.contain(`Já existe um ente com o endereço "${input.slug}"`);
    expect(detail('button:contains("Tentar novamente")')).to.have.length(1);
    expect(await PlatformAuditEntry.count({ where: { action: 'adhesion.provisioning_failed' } })).to.be.greaterThan(0);

    await Tenant.update({ slug: uniqueSlug('movido') }, { where: { id: squatter.tenant.id } });
    const retry = await agent
      .post(`/admin/pedidos/${request.id}/aprovar`)
      .type('form')
      .send({ _csrf: csrfFrom(detail.html()) })
      .expect(303);
    expect(retry.headers.location).to.equal(`/admin/pedidos/${request.id}`);
    expect($((await agent.get(retry.headers.location).expect(200)).text)('[data-testid="notice"]').text()).to.contain('Pedido aprovado');
    expect((await AdhesionRequest.findByPk(request.id))?.status).to.equal('approved');
    expect(await schemaCount()).to.equal(schemasBefore + 1);
  });

  it('refuses only with a reason, which the gestor reads on the status page', async () => {
    const { agent } = await operatorAgent();
    const { request, input, agent: applicantAgent } = await fileRequest(applicant({ uf: 'AL' }));
    const page = await agent.get(`/admin/pedidos/${request.id}`).expect(200);
    const empty = await agent.post(`/admin/pedidos/${request.id}/recusar`).type('form').send({ _csrf: csrfFrom(page.text), reason: ' ' }).expect(422);
    expect($(empty.text)('#reason-error').text()).to.contain('Informe o motivo da recusa.');
    expect((await AdhesionRequest.findByPk(request.id))?.status).to.equal('submitted');
    const reason = 'O CNPJ informado pertence à Câmara Municipal, não à Prefeitura.';
    await agent.post(`/admin/pedidos/${request.id}/recusar`).type('form').send({ _csrf: csrfFrom(page.text), reason }).expect(303);
    const refused = await AdhesionRequest.findByPk(request.id);
    expect(refused?.status).to.equal('refused');
    expect(refused?.refusalReason).to.equal(reason);
    expect(await Tenant.count({ where: { slug: input.slug } })).to.equal(0);
    const status = $((await applicantAgent.get('/adesao/situacao').expect(200)).text);
    expect(status('[data-testid="adhesion-status"]').text()).to.contain('recusado');
    expect(status('[data-testid="refusal-reason"]').text()).to.equal(reason);
    // The status link of the e-mail reaches the same page from another browser.
    const mail = await lastMail(input.email, 'adhesion-status');
    expect(mail.text).to.contain(reason);
    const other = agentFor(PLATFORM);
    await other.get(linkIn(mail.text, /\/adesao\/retomar/)).expect(302);
    expect($((await other.get('/adesao/situacao').expect(200)).text)('[data-testid="refusal-reason"]').text()).to.equal(reason);
    // A refused ente may file again, from the same browser too.
    const fresh = await post(applicantAgent, '/adesao/novo', {}, '/adesao/situacao');
    expect(fresh.headers.location).to.equal('/adesao/ente');
    const again = await post(applicantAgent, '/adesao/ente', { kind: 'orgao', uf: 'AL', orgName: input.orgName });
    expect(again.status).to.equal(303);
    expect(await AdhesionRequest.count({ where: { enteName: `${input.orgName} (AL)` } })).to.equal(2);
    // And a decided request cannot be decided again.
    const twice = await agent.post(`/admin/pedidos/${request.id}/aprovar`).type('form').send({ _csrf: csrfFrom(page.text) });
    expect(twice.status).to.equal(409);
  });
});
