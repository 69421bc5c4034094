import archiver from 'archiver';
import { expect } from 'chai';
import { FailureThrottle } from '../../../server/auth/failureThrottle';
import { sha256Hex } from '../../../server/documents/storage';
import { createInternalDocument } from '../../../server/documents/service';
import { bytesOf, openZip } from '../../../server/export/zip';
import { signDocument } from '../../../server/signatures/service';
import { setReceivingUnit, setSendMapping, setTramitaDefaults } from '../../../server/tramita/admin';
import { MANIFEST, PACKAGE_FORMAT, readPackageFile, type PackageManifest } from '../../../server/tramita/packageFile';
import { MAX_COMPONENT_BYTES } from '../../../server/tramita/send';
import { attachPdf, type DocWorld, docWorld, inWorld, newProcess } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { samplePdf } from '../../support/files';
import { $, binaryBody, csrfFrom, postForm, type Agent } from '../../support/http';
import { platformQuery, tenantQuery } from '../../support/processes';
import { createTestTenant, TEST_PASSWORD } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

/** The entries of a ZIP, by name. */
async function entriesOf(zipBytes: Buffer): Promise<Map<string, Buffer>> {
  const zip = await openZip(zipBytes);
  const out = new Map<string, Buffer>();
  for (const name of zip.entries.keys()) out.set(name, await bytesOf(await zip.open(name)));
  zip.close();
  return out;
}

/** A ZIP of these entries (how a test builds a tampered package). */
async function zipOf(entries: Map<string, Buffer>): Promise<Buffer> {
  const archive = archiver('zip', { store: true });
  const parts: Buffer[] = [];
  archive.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  for (const [name, bytes] of entries) archive.append(bytes, { name });
  await archive.finalize();
  await done;
  return Buffer.concat(parts);
}

/**
 * Tramita outside the deployment (issue 14, docs/tramita-package.md): the package as a ZIP file,
 * exported by one tenant and imported by another's receiving unit, with the same verification,
 * refusal codes and receipt as a transfer inside PEN Nuvem.
 */
describe('Integration - Tramita package file: export and import', function () {
  this.timeout(60_000);
  let origin: DocWorld;
  let receiver: DocWorld;
  let originClerk: Agent;
  let receiverClerk: Agent;
  let throttle: FailureThrottle;

  before(async () => {
    origin = await docWorld(await createTestTenant());
    receiver = await docWorld(await createTestTenant());
    throttle = new FailureThrottle(testEnv().sequelize, `tramita-file-${Date.now()}`, 50, 60);
    await inWorld(receiver, () => setReceivingUnit(receiver.ids.units.SEGOV, true));
    await inWorld(receiver, () => setTramitaDefaults({ defaultSendEspecie: null, defaultReceiveDocumentTypeId: receiver.docTypes['Anexo'], defaultLegalBasisId: null, receivedProcessTypeId: null }));
    await inWorld(origin, () => setSendMapping(origin.docTypes['Despacho'], 42));
    await inWorld(origin, () => setSendMapping(origin.docTypes['Anexo'], 179));
    originClerk = await loggedInAs(origin.tt, 'clerk');
    receiverClerk = await loggedInAs(receiver.tt, 'clerk');
  });

  /** A process with a signed despacho and a PDF, ready to travel. */
  async function readyProcess(): Promise<{ id: string; number: string; pdfSha: string }> {
    const p = await newProcess(origin);
    const d = await inWorld(origin, () => createInternalDocument(origin.clerk, p.id, { documentTypeId: origin.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    await inWorld(origin, () => signDocument(origin.clerk, String(d.id), { signerTitleId: origin.titles.clerk, password: TEST_PASSWORD }, throttle));
    const pdf = await samplePdf(`Planilha ${p.number}`);
    await attachPdf(origin, p.id, pdf, { fileName: 'planilha.pdf' });
    return { ...p, pdfSha: sha256Hex(pdf) };
  }

  const exportFile = async (processId: string): Promise<Buffer> => {
    const res = await originClerk.get(`/processos/${processId}/exportar-tramite`).buffer(true).parse(binaryBody).expect(200);
    expect(res.headers['content-type']).to.contain('application/zip');
    return res.body as Buffer;
  };

  const importFile = async (bytes: Buffer, agent: Agent = receiverClerk) => {
    const page = await agent.get('/tramita/recebidos').expect(200);
    return agent.post('/tramita/recebidos/importar').field('_csrf', csrfFrom(page.text)).attach('arquivo', bytes, { filename: 'pacote.zip', contentType: 'application/zip' });
  };

  const transferOf = async (location: string) => {
    const id = /\/tramita\/recebidos\/(\d+)$/.exec(location)?.[1];
    expect(id, location).to.be.a('string');
    const [row] = await platformQuery<{ id: string; state: string; refusal_code: string | null; refusal_reason: string | null; origin_tenant_id: string | null; external_origin: string | null }>(
      'SELECT id, state, refusal_code, refusal_reason, origin_tenant_id, external_origin FROM platform.tramita_transfers WHERE id = $1',
      [id],
    );
    return row;
  };

  const transferCount = async () => Number((await platformQuery<{ n: string }>('SELECT count(*) AS n FROM platform.tramita_transfers'))[0].n);

  it('exports the package as a ZIP with the manifest and every component under its hash, records it, and blocks nothing', async () => {
    const p = await readyProcess();
    const before = await transferCount();
    const file = await exportFile(p.id);
    const { manifest, components } = await readPackageFile(file, MAX_COMPONENT_BYTES);
    expect(manifest.format).to.equal(PACKAGE_FORMAT);
    expect(manifest.process.nup).to.equal(p.number);
    expect(manifest.process.origin.ente).to.equal(origin.tt.tenant.name);
    expect(components.map((c) => c.status)).to.deep.equal(['ok', 'ok']);
    expect(components.map((c) => c.line.document.especieCode)).to.deep.equal([42, 179]);
    // The external document travels as its stored bytes; the signed despacho as its PDF with the signature block.
    expect(components[1].line.sha256).to.equal(p.pdfSha);
    expect(components[0].line.mime).to.equal('application/pdf');
    expect(await transferCount()).to.equal(before);
    const [event] = await tenantQuery<{ description: string }>(origin.tt, "SELECT description FROM process_events WHERE process_id = $1 AND kind = 'tramita.exported'", [p.id]);
    expect(event.description).to.contain('2 componente(s)');
    // Still open and editable at the origin: its page offers the actions, with no transit banner.
    const show = $((await originClerk.get(`/processos/${p.id}`).expect(200)).text);
    expect(show('[data-testid="tramita-banner"]')).to.have.length(0);
  });

  it('refuses to export a process that fails a prerequisite, on the send page with the reason', async () => {
    const p = await newProcess(origin);
    const d = await inWorld(origin, () => createInternalDocument(origin.clerk, p.id, { documentTypeId: origin.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    const res = await originClerk.get(`/processos/${p.id}/exportar-tramite`).expect(422);
    const prerequisites = $(res.text)('[data-testid="prerequisites"]').text();
    expect(prerequisites).to.contain('não pode ser exportado');
    expect(prerequisites).to.contain(`(${d.number})`);
    const [n] = await tenantQuery<{ n: string }>(origin.tt, "SELECT count(*) AS n FROM process_events WHERE process_id = $1 AND kind = 'tramita.exported'", [p.id]);
    expect(Number(n.n)).to.equal(0);
  });

  it('imports it at a receiving unit: verified component by component, accepted keeping the NUP and the hashes, with its receipt', async () => {
    const p = await readyProcess();
    const file = await exportFile(p.id);
    const res = await importFile(file);
    expect(res.status).to.equal(303);
    const transfer = await transferOf(res.headers.location);
    expect(transfer.state).to.equal('componentes_enviados');
    expect(transfer.origin_tenant_id).to.equal(null);
    expect(transfer.external_origin).to.equal(origin.tt.tenant.name);

    const page = $((await receiverClerk.get(res.headers.location).expect(200)).text);
    expect(page('[data-testid="imported"]').text()).to.contain('fora do PEN Nuvem');
    expect(page('[data-testid="package-header"]').text()).to.contain(`${origin.tt.tenant.name} (fora do PEN Nuvem)`);
    expect(page('[data-testid="components"] tbody tr').map((_, tr) => page(tr).find('td').last().text().trim()).get()).to.deep.equal(['Íntegro', 'Íntegro']);
    const [audit] = await tenantQuery<{ after: { nup: string; components: number } }>(receiver.tt, "SELECT after FROM audit_log WHERE action = 'tramita.package_imported' AND entity_id = $1", [transfer.id]);
    expect(audit.after).to.include({ nup: p.number, components: 2 });

    const accepted = await postForm(receiverClerk, res.headers.location, `/tramita/recebidos/${transfer.id}/aceitar`, {});
    expect(accepted.status).to.equal(303);
    const [proc] = await tenantQuery<{ id: string; number: string }>(receiver.tt, 'SELECT id, number FROM processes WHERE number = $1', [p.number]);
    expect(accepted.headers.location).to.equal(`/processos/${proc.id}`);
    const docs = await tenantQuery<{ file_sha256: string }>(receiver.tt, 'SELECT file_sha256 FROM documents WHERE process_id = $1 ORDER BY number', [proc.id]);
    const { manifest } = await readPackageFile(file, MAX_COMPONENT_BYTES);
    expect(docs.map((d) => d.file_sha256)).to.deep.equal(manifest.components.map((c) => c.sha256));
    expect((await transferOf(res.headers.location)).state).to.equal('recebido');
    const receipt = await receiverClerk.get(`/tramita/${transfer.id}/recibo.pdf`).buffer(true).parse(binaryBody).expect(200);
    expect((receipt.body as Buffer).subarray(0, 5).toString()).to.equal('%PDF-');

    // The same file again: a second transfer, and accepting it adds no document twice.
    const again = await importFile(file);
    const second = await transferOf(again.headers.location);
    await postForm(receiverClerk, again.headers.location, `/tramita/recebidos/${second.id}/aceitar`, {});
    const [count] = await tenantQuery<{ n: string }>(receiver.tt, 'SELECT count(*) AS n FROM documents WHERE process_id = $1', [proc.id]);
    expect(Number(count.n)).to.equal(2);
  });

  it('refuses by itself with 02 a component whose bytes do not match its hash, and stores none of them', async () => {
    const p = await readyProcess();
    const entries = await entriesOf(await exportFile(p.id));
    const manifest = JSON.parse(entries.get(MANIFEST)!.toString('utf8')) as PackageManifest;
    const target = manifest.components[1];
    const flipped = Buffer.from(entries.get(target.entry)!);
    flipped[flipped.length - 20] ^= 0x01;
    entries.set(target.entry, flipped);
    const res = await importFile(await zipOf(entries));
    expect(res.status).to.equal(303);
    const transfer = await transferOf(res.headers.location);
    expect(transfer).to.include({ state: 'recusado', refusal_code: '02' });
    expect(transfer.refusal_reason).to.contain(target.sha256);
    expect(await platformQuery('SELECT 1 FROM platform.tramita_blobs WHERE sha256 = $1', [sha256Hex(flipped)])).to.have.length(0);
    const page = $((await receiverClerk.get(res.headers.location).expect(200)).text);
    expect(page('[role="status"], [role="alert"]').text()).to.contain('02');
    expect(page('form[action$="/aceitar"]')).to.have.length(0);
  });

  it('refuses by itself with 03 a component the manifest lists and the file lacks', async () => {
    const p = await readyProcess();
    const entries = await entriesOf(await exportFile(p.id));
    const manifest = JSON.parse(entries.get(MANIFEST)!.toString('utf8')) as PackageManifest;
    entries.delete(manifest.components[0].entry);
    const res = await importFile(await zipOf(entries));
    const transfer = await transferOf(res.headers.location);
    expect(transfer).to.include({ state: 'recusado', refusal_code: '03' });
    expect(transfer.refusal_reason).to.contain(manifest.components[0].sha256);
  });

  it('says next to the field, and writes nothing, for a file that is not a package of this format and version', async () => {
    const before = await transferCount();
    const notZip = await importFile(Buffer.from('não é um zip'));
    expect(notZip.status).to.equal(422);
    expect($(notZip.text)('#arquivo-error').text()).to.contain('não é um ZIP legível');

    const entries = await entriesOf(await exportFile((await readyProcess()).id));
    const manifest = JSON.parse(entries.get(MANIFEST)!.toString('utf8')) as PackageManifest;
    entries.set(MANIFEST, Buffer.from(JSON.stringify({ ...manifest, version: 2 })));
    const newer = await importFile(await zipOf(entries));
    expect(newer.status).to.equal(422);
    expect($(newer.text)('#arquivo-error').text()).to.contain('versão 1');

    entries.set(MANIFEST, Buffer.from(JSON.stringify({ ...manifest, components: manifest.components.map((c) => ({ ...c, sha256: 'x' })) })));
    const malformed = await importFile(await zipOf(entries));
    expect(malformed.status).to.equal(422);
    expect($(malformed.text)('#arquivo-error').text()).to.contain('components.0.sha256');

    const none = await receiverClerk.post('/tramita/recebidos/importar').field('_csrf', csrfFrom((await receiverClerk.get('/tramita/recebidos')).text));
    expect(none.status).to.equal(422);
    expect($(none.text)('#arquivo-error').text()).to.contain('Escolha o arquivo');
    expect(await transferCount()).to.equal(before);
  });

  it('lets only a receiving unit import (the form is not offered elsewhere, and the POST is refused)', async () => {
    const clerk = await loggedInAs(origin.tt, 'clerk');
    const page = $((await clerk.get('/tramita/recebidos').expect(200)).text);
    expect(page('form[action="/tramita/recebidos/importar"]')).to.have.length(0);
    const before = await transferCount();
    const res = await importFile(await exportFile((await readyProcess()).id), clerk);
    expect(res.status).to.equal(403);
    expect(await transferCount()).to.equal(before);
  });
});
