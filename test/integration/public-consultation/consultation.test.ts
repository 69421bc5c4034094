import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../../server/app';
import { FailureThrottle } from '../../../server/auth/failureThrottle';
import { LoginThrottle } from '../../../server/auth/loginThrottle';
import { createInternalDocument, saveDocumentBody } from '../../../server/documents/service';
import { suspendProcess } from '../../../server/processes/actions';
import { signDocument } from '../../../server/signatures/service';
import { docWorld, inWorld, newProcess, type DocWorld } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { $ } from '../../support/http';
import { tenantQuery } from '../../support/processes';
import { createTestTenant, TEST_PASSWORD } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

const digitsOf = (n: string) => n.replace(/\D/g, '');

describe('Integration - public-consultation (consulta pública, anonymous, LAI levels)', () => {
  let w: DocWorld;
  let other: DocWorld;
  let pub: { id: string; number: string };
  let restr: { id: string; number: string };
  let secret: { id: string; number: string };
  let signedDoc: string;
  let minuta: string;
  let restrictedDoc: string;
  const throttle = () => new FailureThrottle(testEnv().sequelize, 'sign-test', 50, 60);
  const get = (path: string, host = w.tt.host) => request(testEnv().app).get(path).set('Host', host);

  async function internalDoc(world: DocWorld, processId: string, body: string, sign: boolean): Promise<string> {
    const d = await inWorld(world, () => createInternalDocument(world.clerk, processId, { documentTypeId: world.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    await inWorld(world, () => saveDocumentBody(world.clerk, String(d.id), `<p>${body}</p>`));
    if (sign) await inWorld(world, () => signDocument(world.clerk, String(d.id), { signerTitleId: world.titles.clerk, password: TEST_PASSWORD }, throttle()));
    return String(d.id);
  }

  before(async () => {
    w = await docWorld(await createTestTenant());
    other = await docWorld(await createTestTenant());
    pub = await newProcess(w, { specification: 'Reforma da praça central', parties: [{ name: 'Joana Pública', document: '52998224725' }] });
    restr = await newProcess(w, { processTypeId: w.ids.types['Pessoal: licença'], specification: 'Apuração disciplinar', accessLevel: 'restricted', legalBasisId: '1', parties: [{ name: 'Rita Restrita' }] });
    secret = await newProcess(w, { processTypeId: w.ids.types['Pessoal: licença'], specification: 'Investigação sigilosa', accessLevel: 'secret', legalBasisId: '1', secrecyGrade: 'secreto', parties: [{ name: 'Sônia Sigilosa' }] });
    signedDoc = await internalDoc(w, pub.id, 'Despacho público assinado', true);
    minuta = await internalDoc(w, pub.id, 'Minuta ainda não assinada', false);
    restrictedDoc = await internalDoc(w, restr.id, 'Conteúdo do processo restrito', true);
    await inWorld(w, () => suspendProcess(restr.id, w.clerk, 'Nota interna: aguardando laudo do servidor Fulano'));
    await newProcess(other, { specification: 'Processo do outro ente', parties: [{ name: 'Joana Pública', document: '52998224725' }] });
  });

  it('is linked from the login page that anonymous visitors land on', async () => {
    const res = await get('/').expect(302);
    const page = $((await get(res.headers.location).expect(200)).text);
    expect(page('a[href="/consulta-publica"]').length).to.be.greaterThan(0);
  });

  it('lists público and restrito processes by unit, never sigiloso, with CDN-friendly headers and no cookie', async () => {
    const res = await get(`/consulta-publica?unidade=${w.ids.units.SEGOV}`).expect(200);
    expect(res.headers['cache-control']).to.equal('public, max-age=60, stale-while-revalidate=60');
    expect(res.headers['set-cookie']).to.equal(undefined);
    const rows = $(res.text)('[data-testid="hit"]').map((_i, el) => $(res.text)(el).text().replace(/\s+/g, ' ')).get();
    expect(rows.some((r) => r.includes(pub.number) && r.includes('Público'))).to.equal(true);
    expect(rows.some((r) => r.includes(restr.number) && r.includes('Restrito'))).to.equal(true);
    expect(res.text).to.not.include(secret.number);
    expect(res.text).to.not.include('Apuração disciplinar');
  });

  it('finds a process by its NUP in any format, and never a sigiloso one', async () => {
    const formats = [pub.number, digitsOf(pub.number), digitsOf(pub.number).replace(/(\d{5})(\d{6})(\d{4})(\d{2})/, '$1 $2 $3 $4')];
    for (const numero of formats) {
      const res = await get(`/consulta-publica?numero=${encodeURIComponent(numero)}`).expect(200);
      expect($(res.text)('[data-testid="hit"]'), numero).to.have.length(1);
    }
    const hidden = await get(`/consulta-publica?numero=${encodeURIComponent(secret.number)}`).expect(200);
    expect($(hidden.text)('[data-testid="no-results"]')).to.have.length(1);
    const d = digitsOf(pub.number);
    const wrong = await get(`/consulta-publica?numero=${d.slice(0, -1)}${(Number(d.slice(-1)) + 1) % 10}`).expect(422);
    expect($(wrong.text)('#numero-error').text()).to.include('dígitos verificadores');
  });

  it('finds by interessado (name prefix or CPF) only processes that are público', async () => {
    const byName = await get('/consulta-publica?interessado=joana').expect(200);
    expect($(byName.text)('[data-testid="hit"]')).to.have.length(1);
    const byCpf = await get('/consulta-publica?interessado=529.982.247-25').expect(200);
    expect($(byCpf.text)('[data-testid="hit"]')).to.have.length(1);
    for (const name of ['Rita', 'Sônia']) {
      const res = await get(`/consulta-publica?interessado=${encodeURIComponent(name)}`).expect(200);
      expect($(res.text)('[data-testid="no-results"]'), name).to.have.length(1);
    }
  });

  it('shows a público process with metadata, interessados, signed documents only and its andamentos', async () => {
    const res = await get(`/consulta-publica/processos/${digitsOf(pub.number)}`).expect(200);
    const page = $(res.text);
    expect(page('h1').text()).to.equal(`Processo ${pub.number}`);
    expect(page('[data-testid="specification"]').text()).to.equal('Reforma da praça central');
    expect(page('[data-testid="parties"]').text()).to.equal('Joana Pública');
    expect(res.text).to.not.include('529.982.247-25');
    const docs = page('[data-testid="documents"] tbody tr');
    expect(docs).to.have.length(1);
    expect(docs.find('a').attr('href')).to.equal(`/consulta-publica/processos/${digitsOf(pub.number)}/documentos/${signedDoc}`);
    expect(page('[data-testid="events"]').text()).to.include('Processo');
    expect(res.headers['cache-control']).to.match(/^public, max-age=60/);
  });

  it('shows a restrito process only as existing: type, dates, andamentos without notes and the legal basis', async () => {
    const res = await get(`/consulta-publica/processos/${digitsOf(restr.number)}`).expect(200);
    const page = $(res.text);
    expect(page('[data-testid="restricted"]')).to.have.length(1);
    expect(page('[data-testid="legal-basis"]').text()).to.not.equal('');
    expect(page('[data-testid="events"]').text()).to.include('Processo sobrestado');
    for (const hidden of ['Apuração disciplinar', 'Rita Restrita', 'Nota interna', 'Fulano', 'Conteúdo do processo restrito']) expect(res.text, hidden).to.not.include(hidden);
    expect(page('[data-testid="documents"]')).to.have.length(0);
  });

  it('shows a signed público document with its verification block', async () => {
    const res = await get(`/consulta-publica/processos/${digitsOf(pub.number)}/documentos/${signedDoc}`).expect(200);
    const page = $(res.text);
    expect(page('[data-testid="document-body"]').text()).to.include('Despacho público assinado');
    expect(page('[data-testid="verification-code"]').text()).to.match(/^\d{10}$/);
    expect(page('[data-testid="crc"]').text()).to.match(/^[0-9A-F]{8}$/);
    expect(page('[data-testid="signatures"]').text()).to.include('Servidor de Teste');
  });

  it('answers every guessed URL outside the rules as not found', async () => {
    const pubDigits = digitsOf(pub.number);
    const guesses = [
      `/consulta-publica/processos/${digitsOf(secret.number)}`,
      `/consulta-publica/processos/${pubDigits}/documentos/${minuta}`,
      `/consulta-publica/processos/${digitsOf(restr.number)}/documentos/${restrictedDoc}`,
      `/consulta-publica/processos/${pubDigits}/documentos/${restrictedDoc}`,
      `/consulta-publica/processos/${pubDigits}/documentos/${signedDoc}/arquivo`,
      `/consulta-publica/processos/${pubDigits.slice(0, 16)}`,
      `/consulta-publica/processos/${pubDigits}/documentos/abc`,
      `/consulta-publica/processos/${pub.id}`,
    ];
    for (const path of guesses) {
      const res = await get(path);
      expect(res.status, path).to.equal(404);
      expect(res.text, path).to.not.include('Minuta ainda não assinada');
    }
  });

  it('keeps each tenant\'s processes on its own host', async () => {
    // Both tenants number from the same protocol code: the same NUP names a different process on each host.
    const there = await get(`/consulta-publica/processos/${digitsOf(pub.number)}`, other.tt.host).expect(200);
    expect($(there.text)('[data-testid="specification"]').text()).to.equal('Processo do outro ente');
    expect(there.text).to.not.include('Reforma da praça central');
    await get(`/consulta-publica/processos/${digitsOf(pub.number)}/documentos/${signedDoc}`, other.tt.host).expect(404);
    const res = await get('/consulta-publica?interessado=joana', other.tt.host).expect(200);
    const hits = $(res.text)('[data-testid="hit"]');
    expect(hits).to.have.length(1);
    await request(testEnv().app).get('/consulta-publica').set('Host', 'localhost').expect(404);
  });

  it('pages with a keyset cursor, without repeating or skipping a process', async () => {
    const tt = await createTestTenant();
    const world = await docWorld(tt);
    const created: string[] = [];
    for (let i = 0; i < 23; i += 1) created.push((await newProcess(world, { specification: `Processo ${i}` })).number);
    const first = await get('/consulta-publica?unidade=' + world.ids.units.SEGOV, tt.host).expect(200);
    const one = $(first.text)('[data-testid="hit"] a').map((_i, el) => $(first.text)(el).text()).get();
    expect(one).to.have.length(20);
    const next = $(first.text)('[data-testid="next-page"]').attr('href')!;
    expect(next).to.match(/depois=/);
    const second = await get(next, tt.host).expect(200);
    const two = $(second.text)('[data-testid="hit"] a').map((_i, el) => $(second.text)(el).text()).get();
    expect(two).to.have.length(3);
    expect($(second.text)('[data-testid="next-page"]')).to.have.length(0);
    expect([...one, ...two].sort()).to.deep.equal([...created].sort());
  });

  it('refuses bad input with 422 and a pt-BR message, never a 500', async () => {
    for (const query of ['tipo=abc', 'de=2026-02-30', 'de=2026-03-02&ate=2026-03-01', 'depois=bobagem', 'interessado=ab', 'numero=123', 'interessado=123.456.789-00']) {
      const res = await get(`/consulta-publica?${query}`);
      expect(res.status, query).to.equal(422);
      expect($(res.text)('#error-summary').text().trim(), query).to.not.equal('');
      expect(res.headers['cache-control'], query).to.equal('no-store');
    }
  });

  it('renders the same anonymous page for a logged-in visitor, without touching the session', async () => {
    const a = await loggedInAs(w.tt, 'clerk');
    const res = await a.get('/consulta-publica').expect(200);
    expect(res.headers['set-cookie']).to.equal(undefined);
    expect($(res.text)('[data-testid="logged-user"]')).to.have.length(0);
    await a.get('/').expect(200);
  });

  it('limits requests per IP', async () => {
    const limited = createApp(
      { ...testEnv(), config: { ...testEnv().config, PUBLIC_CONSULTATION_PER_MINUTE: 2 }, loginThrottle: new LoginThrottle(testEnv().sequelize) },
      testEnv().sessionPool,
    );
    await tenantQuery(w.tt, 'SELECT 1 AS x');
    await testEnv().sessionPool.query("DELETE FROM platform.rate_limits WHERE key LIKE 'public-consultation-ip:%'");
    await request(limited).get('/consulta-publica').set('Host', w.tt.host).expect(200);
    await request(limited).get('/consulta-publica').set('Host', w.tt.host).expect(200);
    const res = await request(limited).get('/consulta-publica').set('Host', w.tt.host).expect(429);
    expect(res.headers['retry-after']).to.equal('60');
    expect($(res.text)('[data-testid="failure"]').text()).to.include('Muitas consultas');
    await testEnv().sessionPool.query("DELETE FROM platform.rate_limits WHERE key LIKE 'public-consultation-ip:%'");
  });
});
