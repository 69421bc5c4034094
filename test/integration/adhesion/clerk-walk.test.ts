import { expect } from 'chai';
import { applicant, discardQueuedApplicantMail, post, PLATFORM, stepForms } from '../../support/adhesion';
import { $, agentFor } from '../../support/http';

/** The wizard as a newcomer fills it (issue 19: points 10, 11 and 12). */
describe('Integration - adhesion wizard, read by a newcomer', () => {
  after(discardQueuedApplicantMail);

  const STEPS = ['ente', 'orgao', 'gestor', 'configuracao', 'termo'] as const;

  /** A municipality's draft filled up to the given step (Piraí, RJ: no other test files it). */
  async function draftUpTo(last: (typeof STEPS)[number]) {
    const a = applicant({ kind: 'municipio', uf: 'RJ', ibgeCode: '3304003', orgName: '', officialName: 'Prefeitura Municipal de Piraí', phone: '2424310000' });
    const agent = agentFor(PLATFORM);
    const forms = stepForms(a);
    for (const step of STEPS.slice(0, STEPS.indexOf(last) + 1)) {
      const res = await post(agent, `/adesao/${step}`, forms[step]);
      expect(res.status, step).to.equal(303);
    }
    return { a, agent };
  }

  it('says at once, on the next step, that a confirmation link was sent, shows it on the review and offers to send it again', async () => {
    const { a, agent } = await draftUpTo('gestor');
    const next = $((await agent.get('/adesao/configuracao').expect(200)).text);
    expect(next('[data-testid="email-state"]').text()).to.contain('Enviamos um link de confirmação para').and.contain(a.email);
    expect(next('[data-testid="email-state"] form[action="/adesao/reenviar-confirmacao"] button').text()).to.contain('Reenviar');
    await post(agent, '/adesao/configuracao', stepForms(a).configuracao);
    await post(agent, '/adesao/termo', stepForms(a).termo);
    const review = await agent.get('/adesao/revisao').expect(200);
    expect($(review.text)('[data-testid="email-state"]').text()).to.contain(a.email);
    const resent = await post(agent, '/adesao/reenviar-confirmacao', { back: 'revisao' }, '/adesao/revisao');
    expect(resent.status).to.equal(303);
    expect(resent.headers.location).to.equal('/adesao/revisao');
    expect($((await agent.get(resent.headers.location).expect(200)).text)('[data-testid="email-state"]').text()).to.contain('Enviamos um novo link');
  });

  it('writes CPF, phone and CNPJ formatted on the review and when going back to a step', async () => {
    const { a, agent } = await draftUpTo('termo');
    const review = $((await agent.get('/adesao/revisao').expect(200)).text);
    const manager = review('#review-manager').parent().text();
    const cpf = `${a.cpf.slice(0, 3)}.${a.cpf.slice(3, 6)}.${a.cpf.slice(6, 9)}-${a.cpf.slice(9)}`;
    expect(manager).to.contain(cpf).and.contain('(24) 2431-0000');
    const organ = $((await agent.get('/adesao/orgao').expect(200)).text);
    expect(organ('#cnpj').val()).to.match(/^\d{2}\.\d{3}\.\d{3}\/\d{4}-\d{2}$/);
    const manager2 = $((await agent.get('/adesao/gestor').expect(200)).text);
    expect(manager2('#cpf').val()).to.equal(cpf);
    expect(manager2('#phone').val()).to.equal('(24) 2431-0000');
  });

  it('gives the ente its article in the agreement ("e a Prefeitura…, representada por")', async () => {
    const { agent } = await draftUpTo('configuracao');
    const termo = $((await agent.get('/adesao/termo').expect(200)).text);
    const text = termo('main p').text();
    expect(text).to.contain('e a Prefeitura Municipal de Piraí').and.contain('representada por');
    expect(text).not.to.contain('(a)');
  });
});
