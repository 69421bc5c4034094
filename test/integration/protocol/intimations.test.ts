import { expect } from 'chai';
import { deadlineDay, endOfDay } from '../../../server/calendar/businessDays';
import { testEnv } from '../../support/environment';
import { sha256Hex } from '../../../server/documents/storage';
import { OutboxMessage } from '../../../server/models';
import { recordTacitAcknowledgements } from '../../../server/protocol/intimations';
import { runProtocolJobs } from '../../../server/protocol/jobs';
import { answerRequest } from '../../../server/protocol/triage';
import { runWithTenant } from '../../../server/tenancy/context';
import { samplePdf, samplePng } from '../../support/files';
import { $, agentFor, csrfFrom, postForm, type Agent } from '../../support/http';
import { clearProtocolLimits, CPFS, fileGeneralRequest, tenantRows } from '../../support/protocol';
import { createTestTenant, type TestTenant } from '../../support/tenants';
import { signedIn } from '../../support/fixtures';

const count = async (t: TestTenant, sql: string, bind: unknown[] = []): Promise<number> => Number((await tenantRows<{ n: string }>(t, sql, bind))[0].n);
const SVG_AS_PDF = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

interface Intimation {
  id: string;
  status: string;
  acknowledged_at: Date | null;
  acknowledged_how: string | null;
  deadline_at: Date;
  deadline_day: string;
  sent_at: Date;
  tacit_days: number;
  process_id: string | null;
}

describe('Integration - protocol/intimations (ciência, tácita, documents, intercurrent filing)', () => {
  let t: TestTenant;
  let staff: Agent;
  let n = 0;

  before(async () => {
    t = await createTestTenant({
      users: [
        { name: 'Administradora de Teste', email: 'admin@intim.test', units: [{ acronym: 'PMT', role: 'admin' }] },
        { name: 'Paulo do Protocolo', email: 'protocolo@intim.test', units: [{ acronym: 'SEGOV', role: 'protocol' }, { acronym: 'SEGOV', role: 'basic' }] },
        { name: 'Sara da Saúde', email: 'sara@intim.test', units: [{ acronym: 'SMS', role: 'basic' }] },
      ],
    });
    staff = await signedIn(t.host, 'protocolo@intim.test');
  });
  beforeEach(clearProtocolLimits);
  after(clearProtocolLimits);

  async function file(): Promise<{ id: string; number: string; email: string; citizen: Agent }> {
    const email = `intimado${++n}@intim.test`;
    const citizen = agentFor(t.host);
    const { number } = await fileGeneralRequest(citizen, t, { name: `Cidadã Intimada ${n}`, cpf: CPFS[n % 3], email });
    const [row] = await tenantRows<{ id: string }>(t, 'SELECT id::text FROM tenant.citizen_requests WHERE number = $1', [number]);
    return { id: row.id, number, email, citizen };
  }
  const intimationsOf = (requestId: string): Promise<Intimation[]> =>
    tenantRows<Intimation>(t, "SELECT id::text, status, acknowledged_at, acknowledged_how, deadline_at, to_char(deadline_day, 'YYYY-MM-DD') AS deadline_day, sent_at, tacit_days, process_id::text FROM tenant.citizen_intimations WHERE request_id = $1 ORDER BY id", [requestId]);
  const holidays = async (): Promise<Set<string>> => new Set((await tenantRows<{ day: string }>(t, "SELECT to_char(day, 'YYYY-MM-DD') AS day FROM tenant.holidays")).map((r) => r.day));

  /** The answer form is multipart: text and documents. */
  async function answer(id: string, text: string, docs: { bytes: Buffer; name: string }[], status: number) {
    const page = await staff.get(`/triagem/${id}`).expect(200);
    let req = staff.post(`/triagem/${id}/responder`).field('_csrf', csrfFrom(page.text)).field('resposta', text);
    for (const d of docs) req = req.attach('documentos', d.bytes, d.name);
    return req.expect(status);
  }

  it('answers with documents; the citizen sees neither until opening it, and opening records ciência once (date, time, how)', async () => {
    const r = await file();
    const [pdf, png] = [await samplePdf('Parecer técnico'), await samplePng()];
    const refused = await answer(r.id, 'A poda foi autorizada.', [{ bytes: pdf, name: 'parecer.pdf' }, { bytes: SVG_AS_PDF, name: 'mapa.pdf' }], 422);
    expect($(refused.text)('#documentos-error').text()).to.contain('mapa.pdf');
    expect(await count(t, 'SELECT count(*) AS n FROM tenant.citizen_intimations WHERE request_id = $1', [r.id])).to.equal(0);
    expect((await tenantRows<{ status: string }>(t, 'SELECT status FROM tenant.citizen_requests WHERE id = $1', [r.id]))[0].status).to.equal('in_review');

    await answer(r.id, 'A poda foi autorizada para o dia 10.', [{ bytes: pdf, name: 'parecer.pdf' }, { bytes: png, name: 'mapa.png' }], 303);
    const [sent] = await intimationsOf(r.id);
    expect(sent).to.include({ status: 'pending', acknowledged_at: null, tacit_days: 10 });
    expect(sent.deadline_at.getTime()).to.equal(endOfDay(deadlineDay(sent.sent_at, 10, await holidays())).getTime());
    const mail = await OutboxMessage.findOne({ where: { toAddress: r.email }, order: [['id', 'DESC']] });
    expect(mail?.subject).to.contain('para ciência');
    expect(mail?.text).to.contain(sent.deadline_day.split('-').reverse().join('/'));

    const closed = $((await r.citizen.get('/protocolo/acompanhar/solicitacao').expect(200)).text);
    expect(closed('[data-testid="intimation-pending"]').text()).to.contain('ciência');
    expect(closed.html()).not.to.contain('autorizada');
    expect(closed('[data-testid="intimation-files"]').length).to.equal(0);
    const [{ id: fileId }] = await tenantRows<{ id: string }>(t, 'SELECT id::text FROM tenant.citizen_intimation_files WHERE intimation_id = $1 ORDER BY id', [sent.id]);
    const fileUrl = `/protocolo/acompanhar/intimacoes/${sent.id}/documentos/${fileId}/arquivo`;
    await r.citizen.get(fileUrl).expect(404);

    const page = await r.citizen.get('/protocolo/acompanhar/solicitacao').expect(200);
    await r.citizen.post(`/protocolo/acompanhar/intimacoes/${sent.id}/ciencia`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    const [read] = await intimationsOf(r.id);
    expect(read).to.include({ status: 'read', acknowledged_how: 'consulta' });
    expect(Date.now() - read.acknowledged_at!.getTime()).to.be.lessThan(60_000);
    const open = $((await r.citizen.get('/protocolo/acompanhar/solicitacao').expect(200)).text);
    expect(open('[data-testid="answer"]').text()).to.contain('autorizada para o dia 10');
    expect(open('[data-testid="intimation-ack"]').text()).to.contain('Cumprida por consulta');
    expect(open('[data-testid="intimation-files"] a').toArray().map((a) => open(a).text())).to.deep.equal(['parecer.pdf', 'mapa.png']);
    const got = await r.citizen.get(fileUrl).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(sha256Hex(got.body as Buffer)).to.equal(sha256Hex(pdf));
    // Another browser without number + code gets nothing; opening again records nothing more.
    await agentFor(t.host).get(fileUrl).expect(404);
    await r.citizen.post(`/protocolo/acompanhar/intimacoes/${sent.id}/ciencia`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    expect((await intimationsOf(r.id))[0].acknowledged_at!.getTime()).to.equal(read.acknowledged_at!.getTime());
    expect(await count(t, "SELECT count(*) AS n FROM tenant.citizen_request_events WHERE request_id = $1 AND kind = 'intimation_read'", [r.id])).to.equal(1);
    const triage = $((await staff.get(`/triagem/${r.id}`).expect(200)).text);
    expect(triage('[data-testid="triage-intimations"] [data-testid="intimation-status"]').text()).to.equal('Cumprida por consulta');
  });

  it('records ciência tácita when the 10 business-day period ends unopened, once however often the worker runs', async () => {
    const r = await file();
    await answer(r.id, 'O pedido foi indeferido por falta de documentos.', [], 303);
    const [sent] = await intimationsOf(r.id);
    const end = sent.deadline_at.getTime();
    const tacit = (at: number) => runWithTenant(t.tenant, () => recordTacitAcknowledgements(new Date(at)));
    expect(await tacit(end - 1)).to.equal(0);
    expect((await intimationsOf(r.id))[0].status).to.equal('pending');
    expect(await tacit(end + 1)).to.equal(1);
    expect(await tacit(end + 2)).to.equal(0);
    await runProtocolJobs(new Date(end + 86_400_000));
    const [done] = await intimationsOf(r.id);
    expect(done).to.include({ status: 'tacit', acknowledged_how: 'decurso' });
    expect(done.acknowledged_at!.getTime()).to.equal(end);
    expect(await count(t, "SELECT count(*) AS n FROM tenant.citizen_request_events WHERE request_id = $1 AND kind = 'intimation_tacit'", [r.id])).to.equal(1);
    // Opening it afterwards shows it, and keeps the tacit ciência.
    const page = $((await r.citizen.get('/protocolo/acompanhar/solicitacao').expect(200)).text);
    expect(page('[data-testid="intimation-ack"]').text()).to.contain('Cumprida por decurso do prazo');
    expect(page('[data-testid="answer"]').text()).to.contain('indeferido');
  });

  it('computes the deadline once: day 1 after a holiday and a weekend, the period of the process type, an end on a weekend and on a holiday moved on', async () => {
    const r = await file();
    const [{ type }] = await tenantRows<{ type: string }>(t, 'SELECT s.process_type_id::text AS type FROM tenant.citizen_services s JOIN tenant.citizen_requests r ON r.service_id = s.id WHERE r.id = $1', [r.id]);
    const [protocolUser] = await tenantRows<{ id: string; unit: string }>(t, "SELECT u.id::text, un.id::text AS unit FROM tenant.users u JOIN tenant.units un ON un.acronym = 'SEGOV' WHERE u.email = 'protocolo@intim.test'");
    await tenantRows(t, 'UPDATE tenant.process_types SET tacit_days = 13 WHERE id = $1 RETURNING id', [type]);
    await tenantRows(t, "INSERT INTO tenant.holidays (day, name, scope) VALUES ('2026-12-07', 'Feriado local de teste', 'local') RETURNING day");
    try {
      // Thursday 19/11/2026, 15h in Brasília; 20/11 is a national holiday, 21–22 a weekend: day 1 is Monday 23/11.
      // 13 days end on Saturday 05/12 → Monday 07/12, a local holiday → Tuesday 08/12.
      const sentAt = new Date('2026-11-19T18:00:00Z');
      await runWithTenant(t.tenant, () =>
        answerRequest(testEnv().config, { userId: protocolUser.id, name: 'Paulo do Protocolo', unitId: protocolUser.unit, unitAcronym: 'SEGOV' }, { userId: protocolUser.id, ip: null, requestId: null }, r.id, 'Resposta com prazo calculado.', [], sentAt),
      );
      const [sent] = await intimationsOf(r.id);
      expect(sent).to.include({ tacit_days: 13, deadline_day: '2026-12-08' });
      expect(sent.deadline_at.toISOString()).to.equal('2026-12-09T03:00:00.000Z');
      // Stored when sent: removing the holiday later does not move it.
      await tenantRows(t, "DELETE FROM tenant.holidays WHERE day = '2026-12-07' RETURNING day");
      expect((await intimationsOf(r.id))[0].deadline_day).to.equal('2026-12-08');
    } finally {
      await tenantRows(t, 'UPDATE tenant.process_types SET tacit_days = NULL WHERE id = $1 RETURNING id', [type]);
      await tenantRows(t, "DELETE FROM tenant.holidays WHERE day = '2026-12-07' RETURNING day");
    }
  });

  it('intimates the interessado of a decision from the converted process; the process shows the intimações; the citizen files documents into it (peticionamento intercorrente)', async () => {
    const r = await file();
    await postForm(staff, `/triagem/${r.id}`, `/triagem/${r.id}/converter`, { destino: 'novo', especificacao: 'Alvará da Rua B' }, 303);
    const [{ process_id: processId }] = await tenantRows<{ process_id: string }>(t, 'SELECT process_id::text FROM tenant.citizen_requests WHERE id = $1', [r.id]);

    const form = await staff.get(`/processos/${processId}/intimar`).expect(200);
    const empty = await staff.post(`/processos/${processId}/intimar`).field('_csrf', csrfFrom(form.text)).field('decisao', '').expect(422);
    expect($(empty.text)('#decisao-error').text()).to.contain('decisão');
    expect(await count(t, 'SELECT count(*) AS n FROM tenant.citizen_intimations WHERE request_id = $1', [r.id])).to.equal(0);
    const decision = await samplePdf('Decisão: deferido');
    await staff.post(`/processos/${processId}/intimar`).field('_csrf', csrfFrom(form.text)).field('decisao', 'Deferido o alvará.').attach('documentos', decision, 'decisao.pdf').expect(303);
    const [sent] = await intimationsOf(r.id);
    expect(sent).to.include({ status: 'pending', process_id: processId });
    const processPage = $((await staff.get(`/processos/${processId}`).expect(200)).text);
    expect(processPage('[data-testid="process-intimations"] [data-testid="intimation-status"]').text()).to.equal('Pendente');
    expect(processPage('[data-testid="history"]').text()).to.contain('Intimação de');
    // A user of a unit the process never passed through does not see the restrito process's intimações.
    const other = await signedIn(t.host, 'sara@intim.test');
    expect([403, 404]).to.include((await other.get(`/processos/${processId}/intimar`)).status);

    const status = await r.citizen.get('/protocolo/acompanhar/solicitacao').expect(200);
    await r.citizen.post(`/protocolo/acompanhar/intimacoes/${sent.id}/ciencia`).type('form').send({ _csrf: csrfFrom(status.text) }).expect(303);
    const docs = () => count(t, 'SELECT count(*) AS n FROM tenant.documents WHERE process_id = $1', [processId]);
    const before = await docs();
    const page = await r.citizen.get('/protocolo/acompanhar/solicitacao').expect(200);
    expect($(page.text)('[data-testid="intercurrent-form"]').length).to.equal(1);
    const none = await r.citizen.post('/protocolo/acompanhar/peticionar').field('_csrf', csrfFrom(page.text)).field('descricao', 'Comprovante').expect(422);
    expect($(none.text)('#documentos-error').text()).to.contain('pelo menos um');
    const disguised = await r.citizen.post('/protocolo/acompanhar/peticionar').field('_csrf', csrfFrom(page.text)).attach('documentos', SVG_AS_PDF, 'comprovante.pdf').expect(422);
    expect($(disguised.text)('#documentos-error').text()).to.contain('comprovante.pdf');
    expect(await docs()).to.equal(before);

    const receipt = await samplePdf('Comprovante de pagamento da taxa');
    const mailsBefore = await OutboxMessage.count({ where: { toAddress: 'protocolo@intim.test' } });
    await r.citizen.post('/protocolo/acompanhar/peticionar').field('_csrf', csrfFrom(page.text)).field('descricao', 'Comprovante de pagamento').attach('documentos', receipt, 'comprovante.pdf').expect(303);
    expect(await docs()).to.equal(before + 1);
    const [doc] = await tenantRows<{ kind: string; sender: string; created_by: string | null; file_sha256: string; access_level: string; acronym: string }>(
      t,
      'SELECT d.kind, d.sender, d.created_by, d.file_sha256, d.access_level, u.acronym FROM tenant.documents d JOIN tenant.units u ON u.id = d.unit_id WHERE d.process_id = $1 ORDER BY d.id DESC LIMIT 1',
      [processId],
    );
    expect(doc).to.deep.equal({ kind: 'external', sender: `Cidadã Intimada ${n}`, created_by: null, file_sha256: sha256Hex(receipt), access_level: 'restricted', acronym: 'SEGOV' });
    expect(await count(t, 'SELECT count(*) AS n FROM tenant.file_contents WHERE sha256 = $1', [sha256Hex(receipt)])).to.equal(1);
    expect(await count(t, "SELECT count(*) AS n FROM tenant.process_events WHERE process_id = $1 AND kind = 'citizen_intercurrent_filing' AND user_id IS NULL", [processId])).to.equal(1);
    expect(await OutboxMessage.count({ where: { toAddress: 'protocolo@intim.test' } })).to.equal(mailsBefore + 1);
    expect((await intimationsOf(r.id))[0].status).to.equal('responded');
    const after = $((await r.citizen.get('/protocolo/acompanhar/solicitacao').expect(200)).text);
    expect(after('[data-testid="flash"]').text()).to.contain('1 documento(s) juntado(s)');
  });

  it('offers no intercurrent filing on a request that is not a process, and refuses one posted anyway', async () => {
    const r = await file();
    const page = await r.citizen.get('/protocolo/acompanhar/solicitacao').expect(200);
    expect($(page.text)('[data-testid="intercurrent-form"]').length).to.equal(0);
    const before = await count(t, 'SELECT count(*) AS n FROM tenant.documents');
    const token = csrfFrom((await r.citizen.get('/protocolo/acompanhar').expect(200)).text);
    await r.citizen.post('/protocolo/acompanhar/peticionar').field('_csrf', token).attach('documentos', await samplePdf('Intruso'), 'x.pdf').expect(403);
    expect(await count(t, 'SELECT count(*) AS n FROM tenant.documents')).to.equal(before);
  });
});
