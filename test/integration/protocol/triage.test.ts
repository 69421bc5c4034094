import { expect } from 'chai';
import { runProtocolJobs } from '../../../server/protocol/jobs';
import { deadlineDay, endOfDay } from '../../../server/calendar/businessDays';
import { expireAmendments } from '../../../server/protocol/triage';
import { runWithTenant } from '../../../server/tenancy/context';
import { sha256Hex } from '../../../server/documents/storage';
import { OutboxMessage } from '../../../server/models';
import { testEnv } from '../../support/environment';
import { samplePdf, samplePng } from '../../support/files';
import { $, agentFor, csrfFrom, postForm, type Agent } from '../../support/http';
import { clearProtocolLimits, CPFS, fileGeneralRequest, linkFromOutbox, tenantRows } from '../../support/protocol';
import { createTestTenant, type TestTenant } from '../../support/tenants';
import { signedIn } from '../../support/fixtures';

const count = async (t: TestTenant, sql: string, bind: unknown[] = []): Promise<number> => Number((await tenantRows<{ n: string }>(t, sql, bind))[0].n);

describe('Integration - protocol/triage (Protocolo users of the receiving unit)', () => {
  let t: TestTenant;
  const seededHolidays = async (): Promise<string[]> => (await tenantRows<{ day: string }>(t, "SELECT to_char(day, 'YYYY-MM-DD') AS day FROM tenant.holidays")).map((r) => r.day);
  let staff: Agent;
  let citizenN = 0;

  before(async () => {
    t = await createTestTenant({
      users: [
        { name: 'Administradora de Teste', email: 'admin@triage.test', units: [{ acronym: 'PMT', role: 'admin' }] },
        { name: 'Paulo do Protocolo', email: 'protocolo@triage.test', units: [{ acronym: 'SEGOV', role: 'protocol' }, { acronym: 'SEGOV', role: 'basic' }] },
        { name: 'Sara da Saúde', email: 'sara@triage.test', units: [{ acronym: 'SMS', role: 'protocol' }, { acronym: 'SMS', role: 'basic' }] },
        { name: 'Bruno Básico', email: 'bruno@triage.test', units: [{ acronym: 'SEGOV', role: 'basic' }] },
      ],
    });
    staff = await signedIn(t.host, 'protocolo@triage.test');
  });
  beforeEach(clearProtocolLimits);
  after(clearProtocolLimits);

  async function file(withFiles = true): Promise<{ id: string; number: string; code: string; email: string; citizen: Agent }> {
    const email = `cidadao${++citizenN}@triage.test`;
    const citizen = agentFor(t.host);
    const files = withFiles ? [{ field: 'anexo_a1', bytes: await samplePdf(`RG ${citizenN}`), name: 'rg.pdf' }, { field: 'anexo_a2', bytes: await samplePng(), name: 'foto.png' }] : [];
    const { number, code } = await fileGeneralRequest(citizen, t, { name: `Cidadão Número ${citizenN}`, cpf: CPFS[citizenN % 3], email }, files);
    const [row] = await tenantRows<{ id: string }>(t, 'SELECT id::text FROM tenant.citizen_requests WHERE number = $1', [number]);
    return { id: row.id, number, code, email, citizen };
  }

  it('shows the unread count in the header, the queue with filters, and logs every view of a request', async () => {
    const r = await file(false);
    const home = $((await staff.get('/triagem').expect(200)).text);
    expect(Number(home('[data-testid="protocol-unread"]').text().replace(/\D/g, ''))).to.be.greaterThan(0);
    expect(home('[data-testid="queue"] tbody').text()).to.contain(r.number);
    const filtered = $((await staff.get('/triagem?situacao=answered').expect(200)).text);
    expect(filtered('[data-testid="queue"] tbody').text()).not.to.contain(r.number);
    await staff.get('/triagem?situacao=banana').expect(400);
    await staff.get('/triagem?idade=older').expect(200);
    const page = $((await staff.get(`/triagem/${r.id}`).expect(200)).text);
    expect(page('[data-testid="triage-status"]').text()).to.contain('Em análise');
    await staff.get(`/triagem/${r.id}`).expect(200);
    expect(await count(t, `SELECT count(*) AS n FROM tenant.audit_log WHERE action = 'citizen_request.view' AND entity_id = $1`, [r.id])).to.equal(2);
    const [row] = await tenantRows<{ unread: boolean; status: string }>(t, 'SELECT unread, status FROM tenant.citizen_requests WHERE id = $1', [r.id]);
    expect(row).to.deep.equal({ unread: false, status: 'in_review' });
  });

  it('keeps citizens\' data from anyone but the Protocolo users of the receiving unit', async () => {
    const r = await file(false);
    const other = await signedIn(t.host, 'sara@triage.test');
    await other.get(`/triagem/${r.id}`).expect(404);
    expect($((await other.get('/triagem').expect(200)).text)('[data-testid="queue"] tbody').text()).not.to.contain(r.number);
    const basic = await signedIn(t.host, 'bruno@triage.test');
    await basic.get(`/triagem/${r.id}`).expect(403);
    await agentFor(t.host).get(`/triagem/${r.id}`).expect(302);
    await staff.get('/triagem/abc').expect(404);
  });

  it('answers a request (closing it), refusing an empty answer and writing nothing', async () => {
    const r = await file(false);
    const bad = await postForm(staff, `/triagem/${r.id}`, `/triagem/${r.id}/responder`, { resposta: '' }, 422);
    expect($(bad.text)('#resposta-error').text()).to.contain('resposta');
    expect(await count(t, `SELECT count(*) AS n FROM tenant.citizen_requests WHERE id = $1 AND status = 'answered'`, [r.id])).to.equal(0);
    await postForm(staff, `/triagem/${r.id}`, `/triagem/${r.id}/responder`, { resposta: 'A poda foi agendada para o dia 10.' }, 303);
    const status = await r.citizen.get('/protocolo/acompanhar/solicitacao').expect(200);
    expect($(status.text)('[data-testid="request-status"]').text()).to.contain('Respondida');
    // The answer is an intimação: closed until the citizen opens it (intimations.test.ts).
    expect($(status.text)('[data-testid="intimation-pending"]').text()).to.contain('ciência');
    expect(status.text).not.to.contain('agendada');
    const mail = await OutboxMessage.findOne({ where: { toAddress: r.email }, order: [['id', 'DESC']] });
    expect(mail?.subject).to.contain('resposta para ciência');
    await postForm(staff, `/triagem/${r.id}`, `/triagem/${r.id}/responder`, { resposta: 'De novo, outra resposta.' }, 409);
  });

  it('asks for complementação, the citizen adds a file through the e-mailed link, and an expired one is cancelled by the worker', async () => {
    const r = await file(false);
    const bad = await postForm(staff, `/triagem/${r.id}`, `/triagem/${r.id}/complementacao`, { mensagem: 'Anexe o RG.', prazo: '5' }, 422);
    expect($(bad.text)('#prazo-error').text()).to.contain('7, 15, 30 ou 60');
    await postForm(staff, `/triagem/${r.id}`, `/triagem/${r.id}/complementacao`, { mensagem: 'Anexe o RG, por favor.', prazo: '15' }, 303);
    const link = await linkFromOutbox(r.email, '/protocolo/complementar');
    const citizen = agentFor(t.host);
    expect((await citizen.get(link).expect(302)).headers.location).to.equal('/protocolo/complementar');
    const form = await citizen.get('/protocolo/complementar').expect(200);
    expect($(form.text)('[data-testid="amendment-message"]').text()).to.equal('Anexe o RG, por favor.');
    const rg = await samplePdf('RG complementar');
    const disguised = await citizen.post('/protocolo/complementar').field('_csrf', csrfFrom(form.text)).field('campo_c1', 'Poda').field('campo_c2', 'Com RG.').attach('anexo_a1', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'rg.pdf').expect(422);
    expect($(disguised.text)('#anexo_a1-error').text()).to.contain('tipo aceito');
    await citizen.post('/protocolo/complementar').field('_csrf', csrfFrom(form.text)).field('campo_c1', 'Poda').field('campo_c2', 'Segue o RG.').attach('anexo_a1', rg, 'rg.pdf').expect(303);
    const [row] = await tenantRows<{ status: string; unread: boolean }>(t, 'SELECT status, unread FROM tenant.citizen_requests WHERE id = $1', [r.id]);
    expect(row).to.deep.equal({ status: 'in_review', unread: true });
    expect(await count(t, 'SELECT count(*) AS n FROM tenant.citizen_request_files WHERE request_id = $1 AND sha256 = $2 AND amendment_id IS NOT NULL', [r.id, sha256Hex(rg)])).to.equal(1);
    await agentFor(t.host).get(link).expect(410);

    const late = await file(false);
    await postForm(staff, `/triagem/${late.id}`, `/triagem/${late.id}/complementacao`, { mensagem: 'Falta o comprovante.', prazo: '7' }, 303);
    // The deadline is stored as computed (business-day rule, server/calendar/businessDays.ts).
    const [{ deadline }] = await tenantRows<{ deadline: Date }>(t, 'SELECT deadline_at AS deadline FROM tenant.citizen_request_amendments WHERE request_id = $1', [late.id]);
    expect(deadline.getTime()).to.equal(endOfDay(deadlineDay(new Date(), 7, new Set(await seededHolidays()))).getTime());
    const expire = (at: number) => runWithTenant(t.tenant, () => expireAmendments(new Date(at)));
    expect(await expire(deadline.getTime() - 1)).to.equal(0);
    expect(await expire(deadline.getTime() + 1)).to.equal(1);
    expect(await expire(deadline.getTime() + 86_400_000)).to.equal(0);
    await runProtocolJobs(new Date(deadline.getTime() + 86_400_000));
    const [cancelled] = await tenantRows<{ status: string }>(t, 'SELECT status FROM tenant.citizen_requests WHERE id = $1', [late.id]);
    expect(cancelled.status).to.equal('cancelled');
  });

  it('converts into a new process in the service\'s type and level, the citizen as interessado, receipt first, each attachment with its hash, and e-mails the NUP', async () => {
    const r = await file(true);
    const bad = await postForm(staff, `/triagem/${r.id}`, `/triagem/${r.id}/converter`, { destino: 'novo', especificacao: '' }, 422);
    expect($(bad.text)('#especificacao-error').text()).to.contain('especificação');
    await postForm(staff, `/triagem/${r.id}`, `/triagem/${r.id}/converter`, { destino: 'novo', especificacao: 'Poda de árvore na Rua A' }, 303);
    const [req] = await tenantRows<{ process_id: string; status: string; receipt_sha256: string }>(t, 'SELECT process_id::text, status, receipt_sha256 FROM tenant.citizen_requests WHERE id = $1', [r.id]);
    expect(req.status).to.equal('converted');
    const [proc] = await tenantRows<{ number: string; access_level: string; type: string; party: string; document: string }>(
      t,
      `SELECT p.number, p.access_level, pt.name AS type, pa.name AS party, pa.document FROM tenant.processes p JOIN tenant.process_types pt ON pt.id = p.process_type_id
        JOIN tenant.process_parties pp ON pp.process_id = p.id JOIN tenant.parties pa ON pa.id = pp.party_id WHERE p.id = $1`,
      [req.process_id],
    );
    expect(proc).to.include({ access_level: 'restricted', type: 'Requerimento geral', party: `Cidadão Número ${citizenN}`, document: CPFS[citizenN % 3] });
    const docs = await tenantRows<{ file_sha256: string; access_level: string }>(t, 'SELECT file_sha256, access_level FROM tenant.documents WHERE process_id = $1 ORDER BY number::bigint', [req.process_id]);
    const files = await tenantRows<{ sha256: string }>(t, 'SELECT sha256 FROM tenant.citizen_request_files WHERE request_id = $1 ORDER BY id', [r.id]);
    expect(docs.map((d) => d.file_sha256)).to.deep.equal([req.receipt_sha256, ...files.map((f) => f.sha256)]);
    expect(docs.every((d) => d.access_level === 'restricted')).to.equal(true);
    const inbox = await tenantRows<{ acronym: string; open: boolean }>(t, 'SELECT u.acronym, pu.open FROM tenant.process_units pu JOIN tenant.units u ON u.id = pu.unit_id WHERE pu.process_id = $1', [req.process_id]);
    expect(inbox).to.deep.equal([{ acronym: 'SEGOV', open: true }]);
    const mail = await OutboxMessage.findOne({ where: { toAddress: r.email }, order: [['id', 'DESC']] });
    expect(mail?.text).to.contain(proc.number);
    const status = $((await r.citizen.get('/protocolo/acompanhar/solicitacao').expect(200)).text);
    expect(status('[data-testid="process-number"]').text()).to.equal(proc.number);
  });

  it('files into an existing process open in the unit, and refuses an unknown number', async () => {
    const first = await file(false);
    await postForm(staff, `/triagem/${first.id}`, `/triagem/${first.id}/converter`, { destino: 'novo', especificacao: 'Processo anterior' }, 303);
    const [{ number, process_id: processId }] = await tenantRows<{ number: string; process_id: string }>(t, 'SELECT p.number, p.id::text AS process_id FROM tenant.citizen_requests r JOIN tenant.processes p ON p.id = r.process_id WHERE r.id = $1', [first.id]);
    const r = await file(true);
    const unknown = await postForm(staff, `/triagem/${r.id}`, `/triagem/${r.id}/converter`, { destino: 'existente', numeroProcesso: '99999.999999/2026-99' }, 422);
    expect($(unknown.text)('#numeroProcesso-error').text()).to.contain('Nenhum processo');
    const before = await count(t, 'SELECT count(*) AS n FROM tenant.documents WHERE process_id = $1', [processId]);
    await postForm(staff, `/triagem/${r.id}`, `/triagem/${r.id}/converter`, { destino: 'existente', numeroProcesso: number }, 303);
    expect(await count(t, 'SELECT count(*) AS n FROM tenant.documents WHERE process_id = $1', [processId])).to.equal(before + 3);
    expect(await count(t, 'SELECT count(*) AS n FROM tenant.process_parties WHERE process_id = $1', [processId])).to.equal(2);
  });

  it('converts all or nothing: a failure at the last step leaves no process, document, number or e-mail behind', async () => {
    const r = await file(true);
    const { sequelize } = testEnv();
    const schema = `"${t.tenant.schema}"`;
    const snapshot = async () => ({
      processes: await count(t, 'SELECT count(*) AS n FROM tenant.processes'),
      documents: await count(t, 'SELECT count(*) AS n FROM tenant.documents'),
      events: await count(t, 'SELECT count(*) AS n FROM tenant.process_events'),
      sequences: await count(t, 'SELECT coalesce(sum(last), 0) AS n FROM tenant.process_number_sequences'),
      mails: await OutboxMessage.count({ where: { toAddress: r.email } }),
    });
    const before = await snapshot();
    await sequelize.query(`CREATE FUNCTION ${schema}.fail_conversion() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'falha injetada'; END $$;
      CREATE TRIGGER fail_conversion BEFORE INSERT ON ${schema}.citizen_request_events FOR EACH ROW WHEN (NEW.kind = 'converted') EXECUTE FUNCTION ${schema}.fail_conversion();`);
    try {
      await postForm(staff, `/triagem/${r.id}`, `/triagem/${r.id}/converter`, { destino: 'novo', especificacao: 'Vai falhar' }, 500);
    } finally {
      await sequelize.query(`DROP TRIGGER fail_conversion ON ${schema}.citizen_request_events; DROP FUNCTION ${schema}.fail_conversion();`);
    }
    expect(await snapshot()).to.deep.equal(before);
    const [row] = await tenantRows<{ status: string; process_id: string | null }>(t, 'SELECT status, process_id FROM tenant.citizen_requests WHERE id = $1', [r.id]);
    expect(row).to.deep.equal({ status: 'in_review', process_id: null });
    await postForm(staff, `/triagem/${r.id}`, `/triagem/${r.id}/converter`, { destino: 'novo', especificacao: 'Agora vai' }, 303);
  });
});
