import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { testEnv } from '../../support/environment';
import { $, agentFor, postForm, type Agent } from '../../support/http';
import { createTestTenant, type TestTenant } from '../../support/tenants';
import { signedIn } from '../../support/fixtures';

async function rows<T extends object>(t: TestTenant, sql: string, bind: unknown[] = []): Promise<T[]> {
  return testEnv().sequelize.query<T>(sql.replaceAll('tenant.', `"${t.tenant.schema}".`), { bind, type: QueryTypes.SELECT });
}

describe('Integration - protocol/serviços ao cidadão (administration)', () => {
  let t: TestTenant;
  let admin: Agent;
  let ids: { unit: string; type: string; basis: string };

  before(async () => {
    t = await createTestTenant({
      users: [
        { name: 'Administradora de Teste', email: 'admin@svc.test', units: [{ acronym: 'PMT', role: 'admin' }] },
        { name: 'Agente de Protocolo', email: 'protocolo@svc.test', units: [{ acronym: 'SEGOV', role: 'protocol' }] },
      ],
    });
    admin = await signedIn(t.host, 'admin@svc.test');
    const [unit] = await rows<{ id: string }>(t, `SELECT id::text FROM tenant.units WHERE acronym = 'SMS'`);
    const [type] = await rows<{ id: string }>(t, `SELECT id::text FROM tenant.process_types WHERE name = 'Alvará de funcionamento'`);
    const [basis] = await rows<{ id: string }>(t, `SELECT id::text FROM tenant.legal_bases WHERE name = 'Informação pessoal'`);
    ids = { unit: unit.id, type: type.id, basis: basis.id };
  });

  const form = (over: Record<string, string> = {}): Record<string, string> => ({
    name: 'Alvará sanitário',
    guidanceHtml: '<p>Leia <strong>antes</strong>.</p><script>alert(1)</script><p onclick="x()">Fim</p>',
    receivingUnitId: ids.unit,
    processTypeId: ids.type,
    accessLevel: 'restricted',
    legalBasisId: ids.basis,
    field0Label: 'CNPJ',
    field0Kind: 'document',
    field0Required: 'sim',
    field1Label: 'Porte',
    field1Kind: 'choice',
    field1Options: 'Micro; Pequeno; Médio',
    attachment0Name: 'Planta baixa',
    attachment0Types: 'pdf, jpeg',
    attachment0MaxMb: '2,5',
    attachment0Required: 'sim',
    ...over,
  });

  it('seeds "Requerimento geral" published to the protocol unit of every new tenant', async () => {
    const [svc] = await rows<{ status: string; unit: string; access_level: string; basis: string }>(
      t,
      `SELECT s.status, u.acronym AS unit, s.access_level, b.name AS basis FROM tenant.citizen_services s JOIN tenant.units u ON u.id = s.receiving_unit_id
        JOIN tenant.legal_bases b ON b.id = s.legal_basis_id WHERE s.name = 'Requerimento geral'`,
    );
    expect(svc).to.deep.equal({ status: 'published', unit: 'SEGOV', access_level: 'restricted', basis: 'Informação pessoal' });
    const list = $((await admin.get('/administracao/servicos').expect(200)).text);
    expect(list('[data-testid="services"] tbody th').text()).to.contain('Requerimento geral');
  });

  it('lets the administrator require a gov.br level (prata or ouro), refusing any other value next to the field', async () => {
    const before = (await rows<{ n: string }>(t, 'SELECT count(*) AS n FROM tenant.citizen_services'))[0].n;
    const bad = await postForm(admin, '/administracao/servicos/novo', '/administracao/servicos', form({ name: 'Alvará nível', minTrustLevel: 'diamante' }), 422);
    expect($(bad.text)('#minTrustLevel-error').text()).to.contain('nível de conta gov.br');
    expect((await rows<{ n: string }>(t, 'SELECT count(*) AS n FROM tenant.citizen_services'))[0].n).to.equal(before);
    const res = await postForm(admin, '/administracao/servicos/novo', '/administracao/servicos', form({ name: 'Alvará nível', minTrustLevel: 'prata' }), 302);
    const id = /\/administracao\/servicos\/(\d+)/.exec(res.headers.location)![1];
    const [svc] = await rows<{ min_trust_level: string | null }>(t, 'SELECT min_trust_level FROM tenant.citizen_services WHERE id = $1', [id]);
    expect(svc.min_trust_level).to.equal('prata');
    const page = $((await admin.get(`/administracao/servicos/${id}`).expect(200)).text);
    expect(page('#minTrustLevel option[selected]').val()).to.equal('prata');
  });

  it('creates a draft with sanitised guidance, typed fields and attachments, and records it in the audit log', async () => {
    const res = await postForm(admin, '/administracao/servicos/novo', '/administracao/servicos', form(), 302);
    const id = /\/administracao\/servicos\/(\d+)/.exec(res.headers.location)![1];
    const [svc] = await rows<{ status: string; guidance_html: string; fields: unknown; attachments: unknown }>(t, 'SELECT status, guidance_html, fields, attachments FROM tenant.citizen_services WHERE id = $1', [id]);
    expect(svc.status).to.equal('draft');
    expect(svc.guidance_html).to.equal('<p>Leia <strong>antes</strong>.</p><p>Fim</p>');
    expect(svc.fields).to.deep.equal([
      { key: 'c1', label: 'CNPJ', kind: 'document', required: true, options: [] },
      { key: 'c2', label: 'Porte', kind: 'choice', required: false, options: ['Micro', 'Pequeno', 'Médio'] },
    ]);
    expect(svc.attachments).to.deep.equal([{ key: 'a1', name: 'Planta baixa', types: ['pdf', 'jpg'], maxBytes: Math.round(2.5 * 1024 * 1024), required: true }]);
    const audit = await rows<{ action: string }>(t, `SELECT action FROM tenant.audit_log WHERE entity = 'citizen_service' AND entity_id = $1`, [id]);
    expect(audit.map((a) => a.action)).to.deep.equal(['citizen_service.create']);
    const page = $((await admin.get(`/administracao/servicos/${id}`).expect(200)).text);
    expect(page('#field1Options').val()).to.equal('Micro; Pequeno; Médio');
    expect(page('[data-testid="service-status"]').text()).to.equal('Rascunho');
  });

  it('refuses bad input with a message next to each field and writes nothing', async () => {
    const before = await rows<{ n: string }>(t, 'SELECT count(*) AS n FROM tenant.citizen_services');
    const res = await postForm(admin, '/administracao/servicos/novo', '/administracao/servicos', form({
      name: 'x',
      legalBasisId: '',
      field1Options: 'Só uma',
      field2Label: 'Sem tipo',
      field2Kind: 'banana',
      attachment0Types: 'pdf, exe',
      attachment0MaxMb: '500',
      receivingUnitId: 'abc',
    }), 422);
    const page = $(res.text);
    expect(page('#name-error').text()).to.contain('pelo menos 3');
    expect(page('#field1Options-error').text()).to.contain('duas opções');
    expect(page('#field2Kind-error').text()).to.contain('tipo do campo');
    expect(page('#attachment0Types-error').text()).to.contain('exe');
    expect(page('#attachment0MaxMb-error').text()).to.contain('MB');
    expect(page('#receivingUnitId-error').text()).to.contain('unidade');
    expect(page('#error-summary a').length).to.be.greaterThan(4);
    const restricted = await postForm(admin, '/administracao/servicos/novo', '/administracao/servicos', form({ name: 'Outro serviço', legalBasisId: '' }), 422);
    expect($(restricted.text)('#legalBasisId-error').text()).to.contain('hipótese legal');
    const dup = await postForm(admin, '/administracao/servicos/novo', '/administracao/servicos', form({ name: 'REQUERIMENTO geral' }), 422);
    expect($(dup.text)('#name-error').text()).to.contain('Já existe');
    const after = await rows<{ n: string }>(t, 'SELECT count(*) AS n FROM tenant.citizen_services');
    expect(after[0].n).to.equal(before[0].n);
  });

  it('publishes and withdraws; a withdrawn service leaves the portal', async () => {
    const res = await postForm(admin, '/administracao/servicos/novo', '/administracao/servicos', form({ name: 'Licença para eventos' }), 302);
    const id = /\/administracao\/servicos\/(\d+)/.exec(res.headers.location)![1];
    const portal = agentFor(t.host);
    expect($((await portal.get('/protocolo').expect(200)).text)('[data-testid="service"]').text()).not.to.contain('Licença para eventos');
    await portal.get(`/protocolo/servicos/${id}`).expect(404);
    await postForm(admin, `/administracao/servicos/${id}`, `/administracao/servicos/${id}/publicar`, {}, 302);
    expect($((await portal.get('/protocolo').expect(200)).text)('[data-testid="service"]').text()).to.contain('Licença para eventos');
    await portal.get(`/protocolo/servicos/${id}`).expect(200);
    await postForm(admin, `/administracao/servicos/${id}`, `/administracao/servicos/${id}/retirar`, {}, 302);
    await portal.get(`/protocolo/servicos/${id}`).expect(404);
    const audit = await rows<{ action: string }>(t, `SELECT action FROM tenant.audit_log WHERE entity = 'citizen_service' AND entity_id = $1 ORDER BY id`, [id]);
    expect(audit.map((a) => a.action)).to.deep.equal(['citizen_service.create', 'citizen_service.publish', 'citizen_service.withdraw']);
  });

  it('is only for administrators, and ids in the URL are checked', async () => {
    const clerk = await signedIn(t.host, 'protocolo@svc.test');
    await clerk.get('/administracao/servicos').expect(403);
    await admin.get('/administracao/servicos/abc').expect(404);
    await admin.get('/administracao/servicos/99999999').expect(404);
  });
});
