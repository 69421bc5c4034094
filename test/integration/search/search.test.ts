import { expect } from 'chai';
import { createExternalDocument, createInternalDocument, saveDocumentBody } from '../../../server/documents/service';
import { signDocument } from '../../../server/signatures/service';
import { FailureThrottle } from '../../../server/auth/failureThrottle';
import { PAGE_SIZE, search } from '../../../server/search/service';
import { docWorld, inWorld, newProcess, passThrough, type DocWorld } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { samplePdf } from '../../support/files';
import { $ } from '../../support/http';
import { tenantQuery } from '../../support/processes';
import { createTestTenant, TEST_PASSWORD } from '../../support/tenants';
import { todayInSaoPaulo } from '../../../server/processes/dates';
import { loggedInAs } from '../../support/fixtures';

describe('Integration - search', () => {
  let w: DocWorld;
  let throttle: FailureThrottle;
  const ids: Record<string, { process: string; number: string; doc: string }> = {};

  async function signedDoc(label: string, body: string, opts: { restricted?: boolean; sign?: boolean; party?: { name: string; document?: string } } = {}) {
    const p = await newProcess(w, opts.party ? { parties: [opts.party] } : {});
    let legalBasisId: string | null = null;
    if (opts.restricted) legalBasisId = String((await tenantQuery<{ id: string }>(w.tt, 'SELECT id FROM legal_bases ORDER BY id LIMIT 1'))[0].id);
    const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: opts.restricted ? 'restricted' : 'public', legalBasisId }));
    await inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), body));
    if (opts.sign !== false) await inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, throttle));
    ids[label] = { process: p.id, number: p.number, doc: String(d.id) };
  }

  before(async () => {
    w = await docWorld(await createTestTenant());
    throttle = new FailureThrottle(testEnv().sequelize, 'search-test', 5, 60);
    await signedDoc('licitacao', '<p>Abertura de licitação para reforma da escola municipal.</p>', { party: { name: 'Construtora Ávila', document: '11444777000161' } });
    await signedDoc('contratos', '<p>Renovação dos contratos de limpeza urbana.</p>');
    await signedDoc('restrito', '<p>Licitação sigilosa de equipamentos de saúde.</p>', { restricted: true });
    await signedDoc('minuta', '<p>Minuta sobre licitação que ninguém de fora pode ver.</p>', { sign: false });
    const p = await newProcess(w);
    const pdf = await samplePdf('Edital de concorrência para pavimentação asfáltica');
    const d = await inWorld(w, () => createExternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Anexo'], complement: null, documentDate: '2026-01-10', origin: 'nato_digital', sender: null, accessLevel: 'public', legalBasisId: null, file: { buffer: pdf, originalname: 'edital.pdf' } }));
    ids.pdf = { process: p.id, number: p.number, doc: String(d.id) };
    // The other unit (SMS) has seen none of these processes.
  });

  const docIds = (hits: { documentId: string | null }[]) => hits.map((h) => h.documentId);

  it('finds "licitacao" written without accent, and plural/stem variants, ranked with highlighted snippets', async () => {
    const { hits } = await inWorld(w, () => search(w.clerk, { text: 'licitacao' }));
    expect(docIds(hits)).to.include.members([ids.licitacao.doc, ids.restrito.doc, ids.minuta.doc]);
    const hit = hits.find((h) => h.documentId === ids.licitacao.doc)!;
    expect(hit.snippet).to.contain('<mark>licitação</mark>');
    const plural = await inWorld(w, () => search(w.clerk, { text: 'licitações' }));
    expect(docIds(plural.hits)).to.include(ids.licitacao.doc);
    const contrato = await inWorld(w, () => search(w.clerk, { text: 'contrato' }));
    expect(docIds(contrato.hits)).to.deep.equal([ids.contratos.doc]);
  });

  it('searches the text of uploaded PDFs', async () => {
    const { hits } = await inWorld(w, () => search(w.clerk, { text: 'pavimentacao asfaltica' }));
    expect(docIds(hits)).to.deep.equal([ids.pdf.doc]);
  });

  it('respects access: another unit finds neither restricted content nor minutas, only public signed documents', async () => {
    const { hits } = await inWorld(w, () => search(w.other, { text: 'licitação' }));
    expect(docIds(hits)).to.deep.equal([ids.licitacao.doc]);
    await passThrough(w, ids.restrito.process, w.other.unitId);
    const after = await inWorld(w, () => search(w.other, { text: 'licitação' }));
    expect(docIds(after.hits)).to.have.members([ids.licitacao.doc, ids.restrito.doc]);
  });

  it('finds a process by its number with or without punctuation; a restricted one is found but marked unreadable', async () => {
    const digits = ids.contratos.number.replace(/\D/g, '');
    for (const n of [ids.contratos.number, digits]) {
      const { hits } = await inWorld(w, () => search(w.clerk, { number: n }));
      expect(hits.map((h) => h.processId)).to.deep.equal([ids.contratos.process]);
    }
    const { hits } = await inWorld(w, () => search({ ...w.other, unitId: w.ids.units.PMT }, { number: ids.restrito.number }));
    expect(hits).to.have.length(1);
    expect(hits[0].readable).to.equal(false);
  });

  it('finds by interessado name (accent-insensitive) or CNPJ with punctuation', async () => {
    const byName = await inWorld(w, () => search(w.clerk, { party: 'construtora avila' }));
    expect(byName.hits.map((h) => h.processId)).to.deep.equal([ids.licitacao.process]);
    const byCnpj = await inWorld(w, () => search(w.clerk, { party: '11.444.777/0001-61' }));
    expect(byCnpj.hits.map((h) => h.processId)).to.deep.equal([ids.licitacao.process]);
  });

  it('filters by date range and unit', async () => {
    const today = todayInSaoPaulo(); // the filter's dates are Brasília dates
    const inRange = await inWorld(w, () => search(w.clerk, { text: 'licitação', from: today, to: today, unitId: w.clerk.unitId }));
    expect(inRange.hits.length).to.be.greaterThan(0);
    const before = await inWorld(w, () => search(w.clerk, { text: 'licitação', to: '2020-01-01' }));
    expect(before.hits).to.have.length(0);
    const otherUnit = await inWorld(w, () => search(w.clerk, { text: 'licitação', unitId: w.other.unitId }));
    expect(otherUnit.hits).to.have.length(0);
  });

  async function draft(body: string): Promise<string> {
    const p = await newProcess(w);
    const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    await inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), body));
    return String(d.id);
  }

  it('ranks by the words searched: the document where they stand together comes first, whatever its age', async () => {
    const filler = 'cronograma de execução física e financeira conforme plano de trabalho aprovado pela secretaria'.repeat(3);
    const together = await draft(`<p>Vistoria da ponte estadual sobre o rio. ${filler}</p>`);
    const apart = await draft(`<p>Vistoria da ponte sobre o rio. ${filler} Rodovia estadual.</p>`);
    const { hits } = await inWorld(w, () => search(w.clerk, { text: 'ponte estadual' }));
    // Newer documents win ties (id descending): the older one first proves the rank decided.
    expect(docIds(hits)).to.deep.equal([together, apart]);
  });

  it('pages through the ranked matches: 20 per page, and a next page only while matches remain', async () => {
    const made: string[] = [];
    for (let i = 0; i < PAGE_SIZE + 1; i++) made.push(await draft(`<p>Relatório ${i} sobre o quiosque da praça.</p>`));
    const first = await inWorld(w, () => search(w.clerk, { text: 'quiosque' }));
    expect(first.hits).to.have.length(PAGE_SIZE);
    expect(first.more).to.equal(true);
    expect(first.capped).to.equal(false);
    const second = await inWorld(w, () => search(w.clerk, { text: 'quiosque', page: 2 }));
    expect(second.hits).to.have.length(1);
    expect(second.more).to.equal(false);
    expect([...docIds(first.hits), ...docIds(second.hits)]).to.have.members(made);
    const third = await inWorld(w, () => search(w.clerk, { text: 'quiosque', page: 3 }));
    expect(third).to.deep.include({ hits: [], more: false });
  });

  it('keeps the search vector in the row (migration 0303), so testing it reads no TOAST', async () => {
    const words = 'orçamento empenho liquidação pagamento fornecedor cotação adjudicação homologação aditivo reajuste rescisão multa ' +
      'convênio repasse prestação contas auditoria parecer jurídico procuradoria despacho portaria decreto nomeação';
    const list = words.split(' ');
    const body = Array.from({ length: 24 }, (_, i) => `<p>Item ${i}: ${[...list.slice(i), ...list.slice(0, i)].join(' ')} código${i * 7919}.</p>`).join('');
    const id = await draft(body);
    const [storage] = await tenantQuery<{ attstorage: string }>(w.tt, "SELECT attstorage FROM pg_attribute WHERE attrelid = 'documents'::regclass AND attname = 'search'");
    expect(storage.attstorage).to.equal('m');
    const [row] = await tenantQuery<{ size: number; toasted: string | null }>(
      w.tt,
      'SELECT pg_column_size(search) AS size, pg_column_toast_chunk_id(search)::text AS toasted FROM documents WHERE id = $1',
      [id],
    );
    expect(row.size).to.be.greaterThan(2000, `vector of ${row.size} bytes`); // a vector that EXTENDED storage would have moved out of the row
    expect(row.toasted).to.equal(null);
  });

  it('renders the search page with escaped snippets (no HTML from document text gets through)', async () => {
    const p = await newProcess(w);
    const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    await inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), '<p>Pregão &lt;img src=x onerror=alert(1)&gt; eletrônico</p>'));
    const agent = await loggedInAs(w.tt, 'clerk');
    const res = await agent.get('/pesquisa?q=pregao').expect(200);
    const results = $(res.text)('[data-testid="results"]');
    expect(results.find('img')).to.have.length(0);
    expect(results.find('mark').first().text()).to.equal('Pregão');
    const byNumber = await agent.get(`/pesquisa?q=${encodeURIComponent(ids.contratos.number)}`).expect(200);
    expect($(byNumber.text)('[data-testid="results"]').text()).to.contain(ids.contratos.number);
  });
});
