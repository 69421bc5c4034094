import { expect } from 'chai';
import { createInternalDocument } from '../../../server/documents/service';
import { docWorld, inWorld, newProcess, type DocWorld } from '../../support/documents';
import { $, agentFor, login } from '../../support/http';
import { tenantQuery } from '../../support/processes';
import { createTestTenant } from '../../support/tenants';

describe('Integration - processes/access: the most restrictive level among a process and its documents wins', () => {
  let w: DocWorld;
  let legalBasisId: string;

  before(async () => {
    w = await docWorld(await createTestTenant());
    [{ id: legalBasisId }] = await tenantQuery<{ id: string }>(w.tt, 'SELECT id::text FROM legal_bases ORDER BY id LIMIT 1');
  });

  async function processWithDocument(level: 'restricted' | 'secret'): Promise<{ id: string; number: string }> {
    const p = await newProcess(w);
    await inWorld(w, () =>
      createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: level, legalBasisId }),
    );
    return p;
  }

  it('keeps the content of a public process holding a restricted document from units it never passed through', async () => {
    const p = await processWithDocument('restricted');
    const outsider = agentFor(w.tt.host);
    await login(outsider, w.tt.admin.email, w.tt.admin.password);
    const page = $((await outsider.get(`/processos/${p.id}`).expect(200)).text);
    expect(page('[data-testid="restricted-notice"]').text()).to.contain('Processo restrito');
    expect(page('[data-testid="history"]').length).to.equal(0);
    // Still findable by its number, as a restricted process is.
    const found = await outsider.get(`/processos/numero?numero=${encodeURIComponent(p.number)}`).expect(302);
    expect(found.headers.location).to.equal(`/processos/${p.id}`);
    // The unit that created it still reads it.
    const clerk = agentFor(w.tt.host);
    await login(clerk, w.tt.clerk.email, w.tt.clerk.password);
    const own = $((await clerk.get(`/processos/${p.id}`).expect(200)).text);
    expect(own('[data-testid="restricted-notice"]').length).to.equal(0);
    expect(own('[data-testid="history"]').length).to.equal(1);
  });

  it('hides a public process holding a secret document from everyone without a credential, even by number', async () => {
    const p = await processWithDocument('secret');
    const outsider = agentFor(w.tt.host);
    await login(outsider, w.tt.admin.email, w.tt.admin.password);
    await outsider.get(`/processos/${p.id}`).expect(404);
    await outsider.get(`/processos/numero?numero=${encodeURIComponent(p.number)}`).expect(404);
  });
});
