import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { AdhesionRequest, AdhesionToken } from '../../../server/models';
import { applicant, discardQueuedApplicantMail, fileRequest, lastMail, linkIn, makeCnpj, post, PLATFORM, stepForms } from '../../support/adhesion';
import { testEnv } from '../../support/environment';
import { $, agentFor } from '../../support/http';
import { createTestTenant } from '../../support/tenants';

async function draftOf(email: string): Promise<AdhesionRequest> {
  return (await AdhesionRequest.findOne({ where: { managerEmail: email }, order: [['id', 'DESC']] }))!;
}

async function requestCount(): Promise<number> {
  const [row] = await testEnv().sequelize.query<{ n: string }>('SELECT count(*) AS n FROM platform.adhesion_requests', { type: QueryTypes.SELECT });
  return Number(row.n);
}

describe('Integration - adhesion/wizard', () => {
  after(discardQueuedApplicantMail);

  it('saves each step as a draft and shows it again when the applicant comes back to it', async () => {
    const a = applicant();
    const agent = agentFor(PLATFORM);
    const forms = stepForms(a);
    let res = await post(agent, '/adesao/ente', forms.ente);
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal('/adesao/orgao');
    res = await post(agent, '/adesao/orgao', forms.orgao);
    expect(res.headers.location).to.equal('/adesao/gestor');
    const back = await agent.get('/adesao/orgao').expect(200);
    expect($(back.text)('#officialName').val()).to.equal(a.officialName);
    const c = a.cnpj;
    expect($(back.text)('#cnpj').val()).to.equal(`${c.slice(0, 2)}.${c.slice(2, 5)}.${c.slice(5, 8)}/${c.slice(8, 12)}-${c.slice(12)}`);
    const first = await agent.get('/adesao/ente').expect(200);
    expect($(first.text)('#kind-orgao').attr('checked')).to.not.equal(undefined);
    expect($(first.text)('#orgName').val()).to.equal(a.orgName);
    const row = await AdhesionRequest.findOne({ where: { cnpj: a.cnpj } });
    expect(row?.status).to.equal('draft');
    expect(row?.completedStep).to.equal(2);
    expect(row?.data.organ?.officialName).to.equal(a.officialName);
  });

  it('suggests the official name, the address and the root unit of a state from the IBGE list', async () => {
    const agent = agentFor(PLATFORM);
    const res = await post(agent, '/adesao/ente', { kind: 'estado', uf: 'BA' });
    expect(res.status).to.equal(303);
    const organ = $((await agent.get('/adesao/orgao').expect(200)).text);
    expect(organ('#officialName').val()).to.equal('Governo do Estado da Bahia');
    const a = applicant({ kind: 'estado', uf: 'BA', officialName: 'Governo do Estado da Bahia' });
    const forms = stepForms(a);
    await post(agent, '/adesao/orgao', forms.orgao);
    await post(agent, '/adesao/gestor', forms.gestor);
    const setup = $((await agent.get('/adesao/configuracao').expect(200)).text);
    expect(setup('#slug').val()).to.equal('bahia');
    expect(setup('#rootAcronym').val()).to.equal('GEB');
    expect(setup('#protocolCode').val()).to.equal('29000');
    const row = await draftOf(a.email);
    expect(row.enteKey).to.equal('estado:BA');
    expect(row.ibgeCode).to.equal('29');
  });

  it('starts nothing when step 1 is invalid, and explains each field in Portuguese', async () => {
    const before = await requestCount();
    const agent = agentFor(PLATFORM);
    const res = await post(agent, '/adesao/ente', { kind: 'municipio', uf: 'RJ', ibgeCode: '3550308', orgName: '' });
    expect(res.status).to.equal(422);
    expect($(res.text)('#ibgeCode-error').text()).to.contain('O município escolhido não fica em RJ');
    const none = await post(agent, '/adesao/ente', {});
    expect(none.status).to.equal(422);
    expect($(none.text)('#kind-error').text()).to.contain('Escolha o tipo de ente');
    expect($(none.text)('#error-summary a[href="#kind"]').length).to.equal(1);
    expect(await requestCount()).to.equal(before);
  });

  it('refuses a CNPJ with wrong check digits next to the field, keeping what was typed and saving nothing of the step', async () => {
    const a = applicant();
    const agent = agentFor(PLATFORM);
    const forms = stepForms(a);
    await post(agent, '/adesao/ente', forms.ente);
    const res = await post(agent, '/adesao/orgao', { ...forms.orgao, cnpj: '11.222.333/0001-82' });
    expect(res.status).to.equal(422);
    const page = $(res.text);
    expect(page('#cnpj-error').text()).to.contain('CNPJ inválido: confira os dígitos verificadores.');
    expect(page('#cnpj').val()).to.equal('11.222.333/0001-82');
    expect(page('#officialName').val()).to.equal(a.officialName);
    const row = await AdhesionRequest.findOne({ where: { enteName: `${a.orgName} (RJ)` } });
    expect(row?.completedStep).to.equal(1);
    expect(row?.data.organ).to.equal(undefined);
  });

  it('accepts an alphanumeric CNPJ (July 2026 format), masked or not', async () => {
    const agent = agentFor(PLATFORM);
    const a = applicant({ cnpj: '12.abc.345/01de-35' });
    const forms = stepForms(a);
    await post(agent, '/adesao/ente', forms.ente);
    const res = await post(agent, '/adesao/orgao', forms.orgao);
    expect(res.status).to.equal(303);
    const row = await AdhesionRequest.findOne({ where: { enteName: `${a.orgName} (RJ)` } });
    expect(row?.cnpj).to.equal('12ABC34501DE35');
  });

  it('refuses a bad CPF, a bad e-mail and a bad phone next to each field, saving nothing of the step', async () => {
    const a = applicant();
    const agent = agentFor(PLATFORM);
    const forms = stepForms(a);
    await post(agent, '/adesao/ente', forms.ente);
    await post(agent, '/adesao/orgao', forms.orgao);
    const res = await post(agent, '/adesao/gestor', { ...forms.gestor, cpf: '529.982.247-26', email: 'helena@', phone: '123' });
    expect(res.status).to.equal(422);
    const page = $(res.text);
    expect(page('#cpf-error').text()).to.contain('CPF inválido');
    expect(page('#email-error').text()).to.contain('Informe um e-mail válido');
    expect(page('#phone-error').text()).to.contain('Informe o telefone com DDD');
    expect(page('#email').val()).to.equal('helena@');
    expect(page('#name').val()).to.equal(a.name);
    const row = await AdhesionRequest.findOne({ where: { cnpj: a.cnpj } });
    expect(row?.completedStep).to.equal(2);
    expect(row?.managerEmail).to.equal(null);
  });

  it('refuses a reserved, malformed or taken tenant address next to the field', async () => {
    const taken = await createTestTenant({ kind: 'orgao', ibgeCode: null });
    const a = applicant();
    const agent = agentFor(PLATFORM);
    const forms = stepForms(a);
    for (const step of ['ente', 'orgao', 'gestor'] as const) expect((await post(agent, `/adesao/${step}`, forms[step])).status).to.equal(303);
    for (const [slug, message] of [
      ['admin', 'palavra reservada'],
      ['Angra Dos Reis', 'Use só letras minúsculas'],
      [taken.definition.slug, 'já está em uso'],
    ]) {
      const res = await post(agent, '/adesao/configuracao', { ...forms.configuracao, slug });
      expect(res.status, slug).to.equal(422);
      expect($(res.text)('#slug-error').text(), slug).to.contain(message);
      expect($(res.text)('#unit-0-acronym').val()).to.equal('SEGOV');
    }
    expect((await draftOf(a.email)).slug).to.equal(null);
    const hint = await agent.get(`/api/adesao/endereco?slug=${taken.definition.slug}`).expect(200);
    expect(hint.body).to.include({ available: false });
    const free = await agent.get(`/api/adesao/endereco?slug=${a.slug}`).expect(200);
    expect(free.body).to.deep.equal({ slug: a.slug, available: true, message: `O endereço ${a.slug} está disponível.` });
  });

  it('refuses repeated unit acronyms and a NUP without a protocol code', async () => {
    const a = applicant();
    const agent = agentFor(PLATFORM);
    const forms = stepForms(a);
    for (const step of ['ente', 'orgao', 'gestor'] as const) await post(agent, `/adesao/${step}`, forms[step]);
    const res = await post(agent, '/adesao/configuracao', { ...forms.configuracao, 'unit-1-acronym': 'SEGOV', protocolCode: '12' });
    expect(res.status).to.equal(422);
    expect($(res.text)('#unit-1-acronym-error').text()).to.contain('a sigla SEGOV já foi usada');
    expect($(res.text)('#protocolCode-error').text()).to.contain('5 dígitos');
  });

  it('finds municipalities with accents ignored, with and without JavaScript', async () => {
    const agent = agentFor(PLATFORM);
    const json = await agent.get('/api/adesao/municipios?q=angra').expect(200);
    expect(json.body.municipalities.map((m: { ibgeCode: string }) => m.ibgeCode)).to.include('3300100');
    const full = await agent.get('/api/adesao/municipios?q=Angra%20dos%20Reis&uf=RJ').expect(200);
    expect(full.body.municipalities).to.deep.equal([{ ibgeCode: '3300100', name: 'Angra dos Reis', uf: 'RJ' }]);
    const page = await agent.get('/adesao/ente?uf=RJ&q=angra').expect(200);
    expect($(page.text)('#ibgeCode option[value="3300100"]').text()).to.contain('Angra dos Reis');
    const byUf = await post(agent, '/adesao/ente', { kind: 'municipio', uf: 'AC', q: '', nav: 'filter' });
    expect(byUf.status).to.equal(200);
    expect($(byUf.text)('#ibgeCode option').length).to.equal(23);
  });

  it('keeps what was typed when the applicant goes back from a step that is not valid yet', async () => {
    const a = applicant();
    const agent = agentFor(PLATFORM);
    const forms = stepForms(a);
    await post(agent, '/adesao/ente', forms.ente);
    const res = await post(agent, '/adesao/orgao', { ...forms.orgao, cnpj: '123', nav: 'back' });
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal('/adesao/ente');
    const again = await agent.get('/adesao/orgao').expect(200);
    expect($(again.text)('#cnpj').val()).to.equal('123');
    expect($(again.text)('#address').val()).to.equal(a.address);
  });

  it('does not open a later step before the earlier ones are done', async () => {
    const agent = agentFor(PLATFORM);
    const res = await agent.get('/adesao/termo').expect(302);
    expect(res.headers.location).to.equal('/adesao/ente');
  });

  it('resumes a draft in another browser from the e-mailed link; the token is stored hashed and expires', async () => {
    const a = applicant();
    const agent = agentFor(PLATFORM);
    const forms = stepForms(a);
    for (const step of ['ente', 'orgao', 'gestor'] as const) await post(agent, `/adesao/${step}`, forms[step]);
    const sent = await post(agent, '/adesao/continuar-depois', {}, '/adesao/gestor');
    expect(sent.status).to.equal(200);
    expect($(sent.text)('h1').text()).to.equal('Link enviado');
    const path = linkIn((await lastMail(a.email, 'adhesion-resume')).text, /\/adesao\/retomar/);
    const raw = new URL(`http://x${path}`).searchParams.get('token')!;
    expect(await AdhesionToken.count({ where: { tokenHash: raw } })).to.equal(0);

    const other = agentFor(PLATFORM);
    const res = await other.get(path).expect(302);
    expect(res.headers.location).to.equal('/adesao/configuracao');
    const page = await other.get('/adesao/gestor').expect(200);
    expect($(page.text)('#email').val()).to.equal(a.email);
    const setup = await other.get('/adesao/configuracao').expect(200);
    expect($(setup.text)('#slug').val()).to.match(/^consorcio-intermunicipal-/);

    await AdhesionToken.update({ expiresAt: new Date(Date.now() - 1000) }, { where: { requestId: (await draftOf(a.email)).id } });
    const expired = await agentFor(PLATFORM).get(path).expect(410);
    expect($(expired.text)('h1').text()).to.equal('Link inválido ou expirado');
  });

  it('does not submit before the e-mail is confirmed, and submits once it is', async () => {
    const a = applicant();
    const agent = agentFor(PLATFORM);
    const forms = stepForms(a);
    for (const step of ['ente', 'orgao', 'gestor', 'configuracao', 'termo'] as const) {
      expect((await post(agent, `/adesao/${step}`, forms[step])).status, step).to.equal(303);
    }
    const refused = await post(agent, '/adesao/revisao', {});
    expect(refused.status).to.equal(409);
    expect($(refused.text)('#error-summary').text()).to.contain(`Confirme o e-mail ${a.email}`);
    expect((await draftOf(a.email)).status).to.equal('draft');

    const confirm = linkIn((await lastMail(a.email, 'adhesion-confirm')).text, /\/adesao\/confirmar/);
    const confirmed = await agentFor(PLATFORM).get(confirm).expect(200);
    expect($(confirmed.text)('h1').text()).to.equal('E-mail confirmado');
    const ok = await post(agent, '/adesao/revisao', {});
    expect(ok.status).to.equal(303);
    const status = await agent.get('/adesao/situacao').expect(200);
    expect($(status.text)('[data-testid="adhesion-status"]').text()).to.contain('em análise');
    const row = await draftOf(a.email);
    expect(row.status).to.equal('submitted');
    expect(row.data.agreement?.acceptedName).to.equal(a.name);
  });

  it('asks for the gestor name, exactly, to accept the agreement', async () => {
    const a = applicant();
    const agent = agentFor(PLATFORM);
    const forms = stepForms(a);
    for (const step of ['ente', 'orgao', 'gestor', 'configuracao'] as const) await post(agent, `/adesao/${step}`, forms[step]);
    const res = await post(agent, '/adesao/termo', { acceptedName: 'Outra Pessoa' });
    expect(res.status).to.equal(422);
    expect($(res.text)('#acceptedName-error').text()).to.contain(a.name);
    expect((await post(agent, '/adesao/termo', { acceptedName: a.name.toUpperCase() })).status).to.equal(303);
  });

  it('shows the whole request on the review page with an "editar" link per step', async () => {
    const { agent, input } = await fileRequest(applicant({ cnpj: makeCnpj('12ABC34501DE') }), { submit: false });
    const res = await agent.get('/adesao/revisao').expect(200);
    const page = $(res.text);
    expect(page('.app-review a').map((_, el) => page(el).attr('href')).get()).to.deep.equal([
      '/adesao/ente',
      '/adesao/orgao',
      '/adesao/gestor',
      '/adesao/configuracao',
      '/adesao/termo',
    ]);
    expect(page('.app-review').text()).to.contain('12.ABC.345/01DE-35').and.contain(`${input.slug}.localhost`).and.contain('SMS — Secretaria de Saúde');
  });

  describe('one request per ente', () => {
    it('refuses a municipality that already has an active tenant, saying which', async () => {
      const existing = await createTestTenant({ ibgeCode: '3304557', uf: 'RJ', kind: 'municipio' });
      const agent = agentFor(PLATFORM);
      const res = await post(agent, '/adesao/ente', { kind: 'municipio', uf: 'RJ', ibgeCode: '3304557' });
      expect(res.status).to.equal(409);
      expect($(res.text)('#error-summary').text()).to.contain('Rio de Janeiro (RJ) já usa o PEN Nuvem').and.contain(existing.definition.slug);
    });

    it('refuses an ente with a request under review, saying so, even when the race is lost at submission', async () => {
      const first = await fileRequest(applicant({ kind: 'municipio', uf: 'PI', ibgeCode: '2211001', orgName: '' }), { submit: false });
      const second = await fileRequest(applicant({ kind: 'municipio', uf: 'PI', ibgeCode: '2211001', orgName: '' }), { submit: false });
      expect((await post(first.agent, '/adesao/revisao', {})).status).to.equal(303);
      const late = await post(second.agent, '/adesao/revisao', {});
      expect(late.status).to.equal(409);
      expect($(late.text)('#error-summary').text()).to.contain('Já existe um pedido de adesão de Teresina (PI) em análise pelo MGI');
      const third = await post(agentFor(PLATFORM), '/adesao/ente', { kind: 'municipio', uf: 'PI', ibgeCode: '2211001' });
      expect(third.status).to.equal(409);
      expect($(third.text)('#error-summary').text()).to.contain(`pedido nº ${first.request.id}`);
    });
  });
});
