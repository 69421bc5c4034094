import { expect } from 'chai';
import type { ParsedMail } from 'mailparser';
import { createTransport } from '../../../server/mail/transport';
import { OutboxWorker } from '../../../server/mail/worker';
import { applicant, fileRequest, operatorAgent, post, PLATFORM, stepForms } from '../../support/adhesion';
import { testEnv } from '../../support/environment';
import { $, agentFor, csrfFrom } from '../../support/http';
import { SmtpPeer } from '../../support/smtp';

function link(mail: ParsedMail, path: string): string {
  const m = new RegExp(`https?://[^\\s"]*${path}[^\\s"]*`).exec(mail.text ?? '');
  expect(m, `link ${path} in "${mail.subject}"`).to.not.equal(null);
  const u = new URL(m![0]);
  return u.pathname + u.search;
}

describe('Integration - adhesion/mail through a real SMTP peer', () => {
  const peer = new SmtpPeer();
  let worker: OutboxWorker;

  before(async () => {
    await peer.start();
    worker = new OutboxWorker(testEnv().sequelize, createTransport(peer.url, '/tmp'), { from: 'PEN Nuvem <nao-responda@pen.gov.br>', batchSize: 100 });
  });
  after(async () => {
    await peer.stop();
  });

  async function deliver(): Promise<void> {
    while ((await worker.deliverDue()) > 0);
  }

  it('delivers the confirmation and resume links, whose links work from another browser', async () => {
    const a = applicant({ uf: 'MS' });
    const agent = agentFor(PLATFORM);
    const forms = stepForms(a);
    for (const step of ['ente', 'orgao', 'gestor'] as const) await post(agent, `/adesao/${step}`, forms[step]);
    await post(agent, '/adesao/continuar-depois', {}, '/adesao/gestor');
    await deliver();

    const confirmation = await peer.waitFor(a.email, /^Confirme o seu e-mail/);
    expect(confirmation.text).to.contain(a.name).and.contain(`${a.orgName} (MS)`);
    expect(confirmation.html).to.contain('Confirmar meu e-mail');
    const confirmed = await agentFor(PLATFORM).get(link(confirmation, '/adesao/confirmar')).expect(200);
    expect($(confirmed.text)('h1').text()).to.equal('E-mail confirmado');
    await agentFor(PLATFORM).get(link(confirmation, '/adesao/confirmar')).expect(410);

    const resume = await peer.waitFor(a.email, /^Continue o seu pedido/);
    const other = agentFor(PLATFORM);
    const res = await other.get(link(resume, '/adesao/retomar')).expect(302);
    expect(res.headers.location).to.equal('/adesao/configuracao');
    const page = await other.get('/adesao/gestor').expect(200);
    expect($(page.text)('[data-testid="email-state"]').text()).to.contain('confirmado');
  });

  it('delivers "recebido" on submission, then "aprovado" and the invitation on approval', async () => {
    const { input, request } = await fileRequest(applicant({ uf: 'MT' }));
    await deliver();
    const submitted = await peer.waitFor(input.email, /^Pedido de adesão recebido/);
    expect(submitted.text).to.contain('em análise');
    const other = agentFor(PLATFORM);
    await other.get(link(submitted, '/adesao/retomar')).expect(302);
    expect($((await other.get('/adesao/situacao').expect(200)).text)('[data-testid="adhesion-status"]').text()).to.contain('em análise');

    const { agent } = await operatorAgent();
    const page = await agent.get(`/admin/pedidos/${request.id}`).expect(200);
    await agent.post(`/admin/pedidos/${request.id}/aprovar`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    await deliver();
    const approved = await peer.waitFor(input.email, /^Pedido de adesão aprovado/);
    expect(approved.text).to.contain(`http://${input.slug}.localhost`);
    const invitation = await peer.waitFor(input.email, /^Convite para o processo eletrônico (da|do) /);
    expect(invitation.text).to.contain(input.officialName);
    const invite = link(invitation, '/definir-senha');
    const tenantAgent = agentFor(`${input.slug}.localhost`);
    const setPassword = await tenantAgent.get(invite).expect(200);
    expect($(setPassword.text)('h1').text()).to.equal('Defina a sua senha');
  });

  it('delivers "recusado" with the reason', async () => {
    const { input, request } = await fileRequest(applicant({ uf: 'PB' }));
    const { agent } = await operatorAgent();
    const page = await agent.get(`/admin/pedidos/${request.id}`).expect(200);
    const reason = 'Falta o ato de nomeação do gestor responsável.';
    await agent.post(`/admin/pedidos/${request.id}/recusar`).type('form').send({ _csrf: csrfFrom(page.text), reason }).expect(303);
    await deliver();
    const refused = await peer.waitFor(input.email, /^Pedido de adesão recusado/);
    expect(refused.text).to.contain(reason);
    expect(refused.html).to.contain(reason);
  });
});
