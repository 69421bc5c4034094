import { expect } from 'chai';
import { FailureThrottle } from '../../../server/auth/failureThrottle';
import { createInternalDocument } from '../../../server/documents/service';
import { signDocument } from '../../../server/signatures/service';
import { hipotesesLegais } from '../../../server/tramita/especies';
import { docWorld, inWorld, newProcess, type DocWorld } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { $, csrfFrom, postForm, type Agent } from '../../support/http';
import { tenantQuery } from '../../support/processes';
import { createTestTenant, TEST_PASSWORD } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

/** Tramita's pages (issue 14): administration, sending, the banner, the received package, the receipt. */
describe('Integration - Tramita pages', function () {
  this.timeout(60_000);
  let origin: DocWorld;
  let receiver: DocWorld;
  let originClerk: Agent;
  let receiverClerk: Agent;
  let receiverAdmin: Agent;

  before(async () => {
    origin = await docWorld(await createTestTenant());
    receiver = await docWorld(await createTestTenant());
    originClerk = await loggedInAs(origin.tt, 'clerk');
    receiverClerk = await loggedInAs(receiver.tt, 'clerk');
    receiverAdmin = await loggedInAs(receiver.tt, 'admin');
  });

  it('lets the administrator mark the receiving units and set the defaults, and refuses it to a clerk', async () => {
    await receiverClerk.get('/administracao/tramita').expect(403);
    const res = await postForm(receiverAdmin, '/administracao/tramita', '/administracao/tramita', {
      receiving: [receiver.ids.units.SEGOV],
      defaultSendEspecie: '999',
      defaultReceiveDocumentTypeId: receiver.docTypes['Anexo'],
    });
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal('/administracao/tramita');
    const page = $((await receiverAdmin.get('/administracao/tramita').expect(200)).text);
    expect(page('[role="status"]').text()).to.contain('Alterações salvas.');
    expect(page(`#receiving-${receiver.ids.units.SEGOV}`).attr('checked')).to.not.equal(undefined);
    expect(page('#defaultSendEspecie option[selected]').attr('value')).to.equal('999');
    const [row] = await testEnv().sequelize.query<{ n: string }>('SELECT count(*) AS n FROM platform.tramita_receiving_units WHERE tenant_id = $1', {
      bind: [receiver.tt.tenant.id],
      type: 'SELECT' as never,
    });
    expect(Number(row.n)).to.equal(1);
  });

  it('maps espécies received and hipóteses legais both ways on the administration page, each refusal next to its field', async () => {
    const [fiscal] = await tenantQuery<{ id: string }>(receiver.tt, "SELECT id FROM legal_bases WHERE name = 'Sigilo fiscal'");
    const [bancario] = await tenantQuery<{ id: string }>(receiver.tt, "SELECT id FROM legal_bases WHERE name = 'Sigilo bancário'");
    const national = hipotesesLegais();
    const ctn = national.findIndex((h) => h.startsWith('Situação Econômico-Financeira'));
    const res = await postForm(receiverAdmin, '/administracao/tramita', '/administracao/tramita', {
      receiving: [receiver.ids.units.SEGOV],
      defaultReceiveDocumentTypeId: receiver.docTypes['Anexo'],
      novaEspecie: '42',
      novoTipo: receiver.docTypes['Despacho'],
      [`hipotese-${bancario.id}`]: String(ctn),
      [`base-${ctn}`]: fiscal.id,
      defaultSendHipotese: '',
      defaultReceiveLegalBasisId: fiscal.id,
      defaultSendEspecie: '999',
    });
    expect(res.status).to.equal(303);
    const page = $((await receiverAdmin.get('/administracao/tramita').expect(200)).text);
    expect(page('#recebe-42 option[selected]').attr('value')).to.equal(receiver.docTypes['Despacho']);
    expect(page(`#hipotese-${bancario.id} option[selected]`).text()).to.equal(national[ctn]);
    expect(page(`#base-${ctn} option[selected]`).attr('value')).to.equal(fiscal.id);
    expect(page('#defaultReceiveLegalBasisId option[selected]').attr('value')).to.equal(fiscal.id);
    // "Informação pessoal" has a national namesake: shown as the automatic choice.
    const [pessoal] = await tenantQuery<{ id: string }>(receiver.tt, "SELECT id FROM legal_bases WHERE name = 'Informação pessoal'");
    expect(page(`#hipotese-${pessoal.id} option[value=""]`).text()).to.contain('Informação Pessoal (Art. 31');
    const [rows] = await tenantQuery<{ send: string; receive: string; especie: string }>(
      receiver.tt,
      `SELECT (SELECT hipotese FROM tramita_legal_basis_send_map WHERE legal_basis_id = $1) AS send,
              (SELECT legal_basis_id::text FROM tramita_legal_basis_map WHERE hipotese = lower($2)) AS receive,
              (SELECT document_type_id::text FROM tramita_receive_map WHERE especie_code = 42) AS especie`,
      [bancario.id, national[ctn]],
    );
    expect(rows).to.deep.equal({ send: national[ctn], receive: fiscal.id, especie: receiver.docTypes['Despacho'] });

    // Removing the espécie's correspondence, and refusals next to their fields.
    const removed = await postForm(receiverAdmin, '/administracao/tramita', '/administracao/tramita', {
      receiving: [receiver.ids.units.SEGOV],
      'recebe-42': '',
      defaultSendEspecie: '999',
      defaultReceiveDocumentTypeId: receiver.docTypes['Anexo'],
    });
    expect(removed.status).to.equal(303);
    expect(await tenantQuery(receiver.tt, 'SELECT 1 FROM tramita_receive_map WHERE especie_code = 42')).to.have.length(0);
    const none = await postForm(receiverAdmin, '/administracao/tramita', '/administracao/tramita', { defaultSendEspecie: '999' });
    expect(none.status).to.equal(422);
    expect($(none.text)('#receiving-error').text()).to.contain('pelo menos uma unidade');
    const bad = await postForm(receiverAdmin, '/administracao/tramita', '/administracao/tramita', {
      receiving: [receiver.ids.units.SEGOV],
      novaEspecie: '42',
      [`hipotese-${bancario.id}`]: '99',
    });
    expect(bad.status).to.equal(422);
    const form = $(bad.text);
    expect(form('#novoTipo-error').text()).to.contain('Escolha o tipo de documento');
    expect(form(`#hipotese-${bancario.id}-error`).text()).to.contain('Escolha uma hipótese legal da lista nacional');
  });

  it('sends from the process page, shows the banner with the refusal reason on every action, and the receiver accepts; both download the receipt', async () => {
    const p = await newProcess(origin);
    const d = await inWorld(origin, () => createInternalDocument(origin.clerk, p.id, { documentTypeId: origin.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    const show = $((await originClerk.get(`/processos/${p.id}`).expect(200)).text);
    expect(show(`a[href="/processos/${p.id}/enviar-outro-orgao"]`)).to.have.length(1);

    // Prerequisites first: the unsigned minuta and the unmapped type, each with its message, nothing sent.
    const form = await originClerk.get(`/processos/${p.id}/enviar-outro-orgao?q=${encodeURIComponent(receiver.tt.tenant.name)}`).expect(200);
    const destino = `${receiver.tt.tenant.id}:${receiver.ids.units.SEGOV}`;
    // The send page's type-ahead reads the same directory as JSON.
    const typeahead = await originClerk.get(`/api/tramita/diretorio?q=${encodeURIComponent(receiver.tt.tenant.name)}`).expect(200);
    expect(typeahead.body).to.deep.equal([{ tenantId: receiver.tt.tenant.id, ente: receiver.tt.tenant.name, uf: typeahead.body[0].uf, unitId: receiver.ids.units.SEGOV, unit: 'SEGOV — Secretaria de Governo' }]);
    await originClerk.get(`/api/tramita/diretorio?q=${'x'.repeat(101)}`).expect(400);
    expect($(form.text)(`input[name="destino"][value="${destino}"]`)).to.have.length(1);
    const refused = await originClerk.post(`/processos/${p.id}/enviar-outro-orgao`).type('form').send({ _csrf: csrfFrom(form.text), destino });
    expect(refused.status).to.equal(422);
    const reasons = $(refused.text)('[data-testid="prerequisites"]').text();
    expect(reasons).to.contain('minuta não assinada');
    expect(reasons).to.contain('"Despacho"');

    await inWorld(origin, () => signDocument(origin.clerk, String(d.id), { signerTitleId: origin.titles.clerk, password: TEST_PASSWORD }, new FailureThrottle(testEnv().sequelize, `tp-${Date.now()}`, 5, 60)));
    await tenantQuery(origin.tt, 'INSERT INTO tramita_settings (id, default_send_especie) VALUES (true, 999) RETURNING id');
    const sent = await postForm(originClerk, `/processos/${p.id}/enviar-outro-orgao`, `/processos/${p.id}/enviar-outro-orgao`, { destino, message: 'Segue para análise' });
    expect(sent.status).to.equal(303);
    const banner = $((await originClerk.get(`/processos/${p.id}`).expect(200)).text);
    expect(banner('[data-testid="tramita-banner"]').text()).to.contain(`Em trâmite externo para ${receiver.tt.tenant.name}`);
    expect(banner(`form[action="/processos/${p.id}/concluir"]`)).to.have.length(0);
    const conclude = await originClerk.post(`/processos/${p.id}/concluir`).type('form').send({ _csrf: csrfFrom(banner.html()) });
    expect(conclude.status).to.equal(403);
    expect(conclude.text).to.contain('em trâmite externo para');

    const list = $((await receiverClerk.get('/tramita/recebidos').expect(200)).text);
    const link = list('[data-testid="received-transfers"] a').filter((_, a) => list(a).text() === p.number);
    expect(link).to.have.length(1);
    const pkgPath = link.attr('href')!;
    const pkg = $((await receiverClerk.get(pkgPath).expect(200)).text);
    expect(pkg('[data-testid="components"] .br-tag.success')).to.have.length(1);
    const transferId = pkgPath.split('/').pop()!;
    await receiverAdmin.get(pkgPath).expect(404);
    const accepted = await postForm(receiverClerk, pkgPath, `/tramita/recebidos/${transferId}/aceitar`, {});
    expect(accepted.status).to.equal(303);
    const newPath = accepted.headers.location as string;
    expect(newPath).to.match(/^\/processos\/[0-9]+$/);
    const arrived = $((await receiverClerk.get(newPath).expect(200)).text);
    expect(arrived('[data-testid="process-number"]').text()).to.equal(p.number);

    for (const [agent, path] of [[receiverClerk, newPath], [originClerk, `/processos/${p.id}`]] as const) {
      const page = $((await agent.get(path).expect(200)).text);
      expect(page(`a[href="/tramita/${transferId}/recibo.pdf"]`)).to.have.length(1);
      const pdf = await agent.get(`/tramita/${transferId}/recibo.pdf`).buffer(true).parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      }).expect(200);
      expect(pdf.headers['content-type']).to.contain('application/pdf');
      expect((pdf.body as Buffer).subarray(0, 5).toString()).to.equal('%PDF-');
    }
  });
});
