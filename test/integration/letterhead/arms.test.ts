import { expect } from 'chai';
import { createInternalDocument } from '../../../server/documents/service';
import { docWorld, inWorld, newProcess, type DocWorld } from '../../support/documents';
import { samplePdf, samplePng } from '../../support/files';
import { $, agentFor, csrfFrom, type Agent } from '../../support/http';
import { tenantQuery } from '../../support/processes';
import { createTestTenant } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

/** The letterhead of generated documents (issue 19, point 16). */
describe('Integration - letterhead: brasão, ente, unit and address', () => {
  let w: DocWorld;
  let admin: Agent;
  let clerk: Agent;
  before(async () => {
    w = await docWorld(await createTestTenant({ name: 'Prefeitura Municipal de Piraí' }));
    admin = await loggedInAs(w.tt, 'admin');
    clerk = await loggedInAs(w.tt, 'clerk');
  });

  async function upload(agent: Agent, bytes: Buffer, filename: string) {
    const form = await agent.get('/administracao/brasao');
    return agent.post('/administracao/brasao').field('_csrf', csrfFrom(form.text)).attach('arquivo', bytes, { filename, contentType: 'image/png' });
  }

  it('serves the default brasão until the administrator uploads one, and then that image', async () => {
    const before = await agentFor(w.tt.host).get('/brasao').expect(302);
    expect(before.headers.location).to.equal('/static/app/brasao.svg');
    const png = await samplePng();
    const res = await upload(admin, png, 'brasao.png');
    expect(res.status).to.equal(303);
    const served = await agentFor(w.tt.host).get('/brasao').buffer(true).expect(200);
    expect(served.headers['content-type']).to.equal('image/png');
    expect(Buffer.compare(served.body as Buffer, png)).to.equal(0);
    const [audit] = await tenantQuery<{ action: string }>(w.tt, "SELECT action FROM audit_log WHERE action = 'tenant.arms_update'");
    expect(audit.action).to.equal('tenant.arms_update');
  });

  it('refuses what is not an image by its content, an image over 1 MB, and a user who is not an administrator', async () => {
    const pdf = await upload(admin, await samplePdf('não sou imagem'), 'brasao.png');
    expect(pdf.status).to.equal(422);
    expect($(pdf.text)('#arquivo-error').text()).to.contain('não é uma imagem PNG, JPEG, GIF ou WEBP');
    const png = await samplePng();
    const big = Buffer.concat([png, Buffer.alloc(1024 * 1024)]);
    const tooBig = await upload(admin, big, 'grande.png');
    expect(tooBig.status).to.equal(422);
    expect($(tooBig.text)('#arquivo-error').text()).to.contain('mais de 1 MB');
    const form = await clerk.get('/');
    const denied = await clerk.post('/administracao/brasao').field('_csrf', csrfFrom(form.text)).attach('arquivo', png, { filename: 'b.png' });
    expect(denied.status).to.equal(403);
  });

  it('prints the brasão, the ente, the unit and its address at the top of a generated document', async () => {
    const unitForm = await admin.get(`/administracao/unidades/${w.ids.units.SEGOV}`).expect(200);
    await admin
      .post(`/administracao/unidades/${w.ids.units.SEGOV}`)
      .type('form')
      .send({ _csrf: csrfFrom(unitForm.text), acronym: 'SEGOV', name: 'Secretaria de Governo', protocolCode: '', address: 'Rua Dr. Luiz Gama, 36 — Centro — Piraí/RJ — CEP 27175-000' })
      .expect(302);
    const p = await newProcess(w);
    const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Ofício'], complement: null, accessLevel: 'public', legalBasisId: null }));
    const page = $((await clerk.get(`/documentos/${d.id}`).expect(200)).text);
    const head = page('[data-testid="letterhead"]');
    expect(head.find('img').attr('src')).to.equal('/brasao');
    expect(head.find('.document-letterhead-ente').text()).to.equal('Prefeitura Municipal de Piraí');
    expect(head.find('.document-letterhead-unit').text()).to.equal('Secretaria de Governo');
    expect(head.find('.document-letterhead-address').text()).to.equal('Rua Dr. Luiz Gama, 36 — Centro — Piraí/RJ — CEP 27175-000');
  });
});
