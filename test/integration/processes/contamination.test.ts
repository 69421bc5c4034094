import { expect } from 'chai';
import { createInternalDocument } from '../../../server/documents/service';
import { docWorld, inWorld, newProcess, type DocWorld } from '../../support/documents';
import { $ } from '../../support/http';
import { tenantQuery } from '../../support/processes';
import { createTestTenant } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

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
    const outsider = await loggedInAs(w.tt, 'admin');
    const page = $((await outsider.get(`/processos/${p.id}`).expect(200)).text);
    expect(page('[data-testid="restricted-notice"]').text()).to.contain('Processo restrito');
    expect(page('[data-testid="history"]').length).to.equal(0);
    // Still findable by its number, as a restricted process is.
    const found = await outsider.get(`/processos/numero?numero=${encodeURIComponent(p.number)}`).expect(302);
    expect(found.headers.location).to.equal(`/processos/${p.id}`);
    // The unit that created it still reads it.
    const clerk = await loggedInAs(w.tt, 'clerk');
    const own = $((await clerk.get(`/processos/${p.id}`).expect(200)).text);
    expect(own('[data-testid="restricted-notice"]').length).to.equal(0);
    expect(own('[data-testid="history"]').length).to.equal(1);
  });

  it('hides a public process holding a secret document from everyone without a credential, even by number', async () => {
    const p = await processWithDocument('secret');
    const outsider = await loggedInAs(w.tt, 'admin');
    await outsider.get(`/processos/${p.id}`).expect(404);
    await outsider.get(`/processos/numero?numero=${encodeURIComponent(p.number)}`).expect(404);
  });

  it('keeps processes.effective_level equal to the most restrictive level through every change (triggers of migration 0304)', async () => {
    const p = await newProcess(w);
    const level = async () => (await tenantQuery<{ e: string }>(w.tt, 'SELECT effective_level AS e FROM processes WHERE id = $1', [p.id]))[0].e;
    const computed = async () =>
      (
        await tenantQuery<{ e: string }>(
          w.tt,
          `SELECT CASE WHEN p.access_level = 'secret' OR bool_or(d.access_level = 'secret') THEN 'secret'
                       WHEN p.access_level = 'restricted' OR bool_or(d.access_level = 'restricted') THEN 'restricted' ELSE 'public' END AS e
             FROM processes p LEFT JOIN documents d ON d.process_id = p.id AND d.deleted_at IS NULL WHERE p.id = $1 GROUP BY p.id`,
          [p.id],
        )
      )[0].e;
    const expectLevel = async (expected: string) => {
      expect(await level()).to.equal(expected);
      expect(await computed()).to.equal(expected);
    };
    await expectLevel('public');
    const restricted = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'restricted', legalBasisId }));
    await expectLevel('restricted');
    const secret = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'secret', legalBasisId }));
    await expectLevel('secret');
    await tenantQuery(w.tt, 'UPDATE documents SET deleted_at = now() WHERE id = $1', [secret.id]);
    await expectLevel('restricted');
    await tenantQuery(w.tt, "UPDATE documents SET access_level = 'public', legal_basis_id = NULL WHERE id = $1", [restricted.id]);
    await expectLevel('public');
    await tenantQuery(w.tt, "UPDATE processes SET access_level = 'restricted', legal_basis_id = $2 WHERE id = $1", [p.id, legalBasisId]);
    await expectLevel('restricted');
    await tenantQuery(w.tt, 'UPDATE documents SET deleted_at = NULL WHERE id = $1', [secret.id]);
    await expectLevel('secret');
    await tenantQuery(w.tt, 'DELETE FROM documents WHERE id = $1', [secret.id]);
    await expectLevel('restricted');
  });
});
