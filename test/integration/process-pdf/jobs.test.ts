import crypto from 'node:crypto';
import { expect } from 'chai';
import { createApp } from '../../../server/app';
import { LoginThrottle } from '../../../server/auth/loginThrottle';
import { select } from '../../../server/db/sql';
import { createInternalDocument } from '../../../server/documents/service';
import { sha256Hex } from '../../../server/documents/storage';
import { PermissionDeniedError } from '../../../server/errors';
import { INTERRUPTED_MESSAGE, startPdfJob, UNEXPECTED_MESSAGE, type PdfBuilder } from '../../../server/process-pdf/jobs';
import { inTenant } from '../../../server/tenancy/context';
import { docWorld, inWorld, newProcess, type DocWorld } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { samplePdf } from '../../support/files';
import { $, binaryBody, csrfFrom, type Agent } from '../../support/http';
import { tenantQuery } from '../../support/processes';
import { createTestTenant } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface JobRow {
  status: string;
  done: number;
  total: number;
  error: string | null;
  file_name: string | null;
  pdf_sha256: string | null;
}

/** The job as another connection sees it (its own transaction, outside any job code). */
async function jobRow(w: DocWorld, id: string): Promise<JobRow | undefined> {
  const [row] = await tenantQuery<JobRow>(w.tt, 'SELECT status, done, total, error, file_name, pdf_sha256 FROM process_pdf_jobs WHERE id = $1', [id]);
  return row;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`Esperou demais: ${what}`);
    await sleep(10);
  }
}

/** Writes a job row directly, as if some other web process had run it. */
async function insertJob(
  w: DocWorld,
  o: { userId: string; unitId: string; processId: string; status: 'running' | 'finished'; minutesAgo?: number; pdf?: Buffer },
): Promise<string> {
  const id = crypto.randomBytes(16).toString('hex');
  const finished = o.status === 'finished';
  await tenantQuery(
    w.tt,
    `INSERT INTO process_pdf_jobs (id, user_id, unit_id, process_id, status, done, total, file_name, pdf, pdf_sha256, finished_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 4, $7, $8, $9, CASE WHEN $5 = 'finished' THEN now() END, now() - make_interval(mins => $10), now() - make_interval(mins => $10)) RETURNING 1`,
    [id, o.userId, o.unitId, o.processId, o.status, finished ? 4 : 1, finished ? 'processo-outro.pdf' : null, o.pdf ?? null, o.pdf ? sha256Hex(o.pdf) : null, o.minutesAgo ?? 0],
  );
  return id;
}

async function startThroughPage(agent: Agent, processId: string): Promise<string> {
  const page = await agent.get(`/processos/${processId}`).expect(200);
  const started = await agent.post(`/processos/${processId}/pdf`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(302);
  return started.headers.location as string;
}

describe('Integration - process PDF jobs in the database', () => {
  let w: DocWorld;
  let processId: string;
  let clerk: Agent;

  before(async () => {
    w = await docWorld(await createTestTenant());
    processId = (await newProcess(w, { specification: 'Construção da creche' })).id;
    for (let i = 0; i < 40; i++) {
      const d = await inWorld(w, () => createInternalDocument(w.clerk, processId, { documentTypeId: w.docTypes['Despacho'], complement: `parte ${i}`, accessLevel: 'public', legalBasisId: null }));
      expect(d.id).to.be.ok;
    }
    clerk = await loggedInAs(w.tt, 'clerk');
  });

  it('commits the job before building, and writes progress in its own transactions while the build holds its own open', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let seenAtStart: { status: string }[] = [];
    const pdf = await samplePdf('PDF de teste');
    const build: PdfBuilder = (_config, _actor, _processId, onProgress) =>
      inTenant(async (t) => {
        seenAtStart = await tenantQuery<{ status: string }>(w.tt, 'SELECT status FROM process_pdf_jobs WHERE process_id = $1', [processId]);
        await select(t, 'SELECT 1 FROM processes WHERE id = $1', [processId]);
        for (let done = 0; done <= 2; done++) onProgress(done, 3);
        await gate;
        onProgress(3, 3);
        return { bytes: pdf, fileName: 'processo-teste.pdf' };
      });
    const job = await inWorld(w, () => startPdfJob(testEnv().config, w.clerk, processId, build));
    const running = await waitFor('progresso 2 de 3 visível a outra conexão', async () => {
      const row = await jobRow(w, job.id);
      return row?.done === 2 && row;
    });
    expect(seenAtStart, 'the row is committed before the build starts').to.deep.equal([{ status: 'running' }]);
    expect(running).to.include({ status: 'running', total: 3 });
    release();
    await job.settled;
    expect(await jobRow(w, job.id)).to.deep.include({ status: 'finished', done: 3, total: 3, file_name: 'processo-teste.pdf', pdf_sha256: sha256Hex(pdf), error: null });
  });

  it('shows the progress of a real build over HTTP (done > 0 before it is finished), then the download', async () => {
    const env = testEnv();
    const eager = createApp(
      { config: { ...env.config, PDF_JOB_PROGRESS_MS: 0 }, sequelize: env.sequelize, registry: env.registry, loginThrottle: new LoginThrottle(env.sequelize, { perAccount: 100, perIp: 100, windowSeconds: 60 }) },
      env.sessionPool,
    );
    const agent = await loggedInAs(w.tt, 'clerk', eager);
    const path = await startThroughPage(agent, processId);
    const midway = await waitFor('progresso parcial', async () => {
      const body = (await agent.get(`${path}?formato=json`).expect(200)).body as { status: string; done: number; total: number };
      if (body.status !== 'running') throw new Error(`terminou antes de mostrar progresso parcial: ${JSON.stringify(body)}`);
      return body.done > 0 && body;
    });
    expect(midway.total).to.equal(40);
    expect(midway.done).to.be.lessThan(40);
    const page = await agent.get(path).expect(200);
    expect($(page.text)('[data-pdf-running]').attr('hidden')).to.equal(undefined);
    expect($(page.text)('progress').attr('value')).to.match(/^\d+$/);
    const done = await waitFor('fim', async () => {
      const body = (await agent.get(`${path}?formato=json`).expect(200)).body as { status: string; done: number; total: number };
      return body.status !== 'running' && body;
    });
    expect(done).to.deep.equal({ status: 'finished', done: 40, total: 40, error: null });
    const file = await agent.get(`${path}/arquivo`).buffer(true).parse(binaryBody).expect(200);
    const row = await jobRow(w, path.split('/').pop()!);
    expect(sha256Hex(file.body as Buffer)).to.equal(row!.pdf_sha256);
    expect(file.headers['content-type']).to.equal('application/pdf');
    expect(file.headers['content-length']).to.equal(String((file.body as Buffer).length));
    expect(file.headers['content-disposition']).to.match(/^attachment; filename="?processo-\d+\.pdf"?$/);
  });

  it('is served by another app instance over the same database: no job state lives in a web process', async () => {
    const path = await startThroughPage(clerk, processId);
    const jobId = path.split('/').pop()!;
    const elsewhere = await loggedInAs(w.tt, 'clerk', testEnv().buildApp());
    expect((await elsewhere.get(`${path}?formato=json`).expect(200)).body.total).to.be.oneOf([0, 40]);
    await waitFor('fim', async () => (await jobRow(w, jobId))?.status === 'finished');
    const html = (await elsewhere.get(path).expect(200)).text;
    expect($(html)('[data-pdf-finished]').attr('hidden')).to.equal(undefined);
    const file = await elsewhere.get(`${path}/arquivo`).buffer(true).parse(binaryBody).expect(200);
    expect(sha256Hex(file.body as Buffer)).to.equal((await jobRow(w, jobId))!.pdf_sha256);

    const pdf = await samplePdf('Gerado por outro processo web');
    const foreign = await insertJob(w, { userId: w.clerk.userId, unitId: w.clerk.unitId, processId, status: 'finished', pdf });
    const page = await elsewhere.get(`/processos/${processId}/pdf/${foreign}`).expect(200);
    expect($(page.text)('[data-testid="download-pdf"]').attr('href')).to.equal(`/processos/${processId}/pdf/${foreign}/arquivo`);
    const got = await clerk.get(`/processos/${processId}/pdf/${foreign}/arquivo`).buffer(true).parse(binaryBody).expect(200);
    expect(Buffer.compare(got.body as Buffer, pdf)).to.equal(0);
    expect(got.headers['content-disposition']).to.equal('attachment; filename=processo-outro.pdf');
  });

  it('shows a running job whose heartbeat stopped as interrupted (and records it), but not a live one', async () => {
    const stale = await insertJob(w, { userId: w.clerk.userId, unitId: w.clerk.unitId, processId, status: 'running', minutesAgo: 3 });
    const live = await insertJob(w, { userId: w.clerk.userId, unitId: w.clerk.unitId, processId, status: 'running', minutesAgo: 1 });
    const json = await clerk.get(`/processos/${processId}/pdf/${stale}?formato=json`).expect(200);
    expect(json.body).to.deep.equal({ status: 'failed', done: 1, total: 4, error: INTERRUPTED_MESSAGE });
    expect(await jobRow(w, stale)).to.include({ status: 'failed', error: INTERRUPTED_MESSAGE });
    const html = $((await clerk.get(`/processos/${processId}/pdf/${stale}`).expect(200)).text);
    expect(html('[data-pdf-failed]').attr('hidden')).to.equal(undefined);
    expect(html('[data-pdf-failed]').text()).to.contain('Não foi possível gerar o PDF: a geração foi interrompida; gere novamente.');
    expect(html('[data-pdf-running]').attr('hidden')).to.equal('hidden');
    const retried = await clerk.post(html('[data-testid="retry-pdf"]').closest('form').attr('action')!).type('form').send({ _csrf: html('input[name="_csrf"]').val() as string }).expect(302);
    const retry = (retried.headers.location as string).split('/').pop()!;
    expect(retry).to.match(/^[0-9a-f]{32}$/).and.not.equal(stale);
    await waitFor('nova geração', async () => (await jobRow(w, retry))?.status === 'finished');
    await clerk.get(`/processos/${processId}/pdf/${stale}/arquivo`).expect(404);
    expect((await clerk.get(`/processos/${processId}/pdf/${live}?formato=json`).expect(200)).body.status).to.equal('running');
  });

  it('answers 404 to another user, to the same user working in another unit, to another tenant and to a malformed id', async () => {
    const pdf = await samplePdf('Só do servidor');
    const mine = await insertJob(w, { userId: w.clerk.userId, unitId: w.clerk.unitId, processId, status: 'finished', pdf });
    await clerk.get(`/processos/${processId}/pdf/${mine}`).expect(200);
    const admin = await loggedInAs(w.tt, 'admin');
    for (const suffix of ['', '?formato=json', '/arquivo']) await admin.get(`/processos/${processId}/pdf/${mine}${suffix}`).expect(404);

    const inSms = await insertJob(w, { userId: w.other.userId, unitId: w.other.unitId, processId, status: 'finished', pdf });
    await admin.get(`/processos/${processId}/pdf/${inSms}/arquivo`).expect(404);
    const home = await admin.get('/').expect(200);
    await admin.post('/unidade-atual').type('form').send({ _csrf: csrfFrom(home.text), unitId: w.other.unitId }).expect(302);
    await admin.get(`/processos/${processId}/pdf/${inSms}/arquivo`).expect(200);

    const otherProcess = (await newProcess(w)).id;
    await clerk.get(`/processos/${otherProcess}/pdf/${mine}`).expect(404);
    await clerk.get(`/processos/${processId}/pdf/${mine.toUpperCase()}`).expect(404);
    await clerk.get(`/processos/${processId}/pdf/${mine.slice(1)}/arquivo`).expect(404);

    const stranger = await createTestTenant();
    const outsider = await loggedInAs(stranger, 'clerk');
    for (const suffix of ['', '?formato=json', '/arquivo']) await outsider.get(`/processos/${processId}/pdf/${mine}${suffix}`).expect(404);
  });

  it('checks access to the process again at download: a user who lost it gets nothing', async () => {
    const p = await newProcess(w);
    const pdf = await samplePdf('Antes do sigilo');
    const job = await insertJob(w, { userId: w.clerk.userId, unitId: w.clerk.unitId, processId: p.id, status: 'finished', pdf });
    await clerk.get(`/processos/${p.id}/pdf/${job}/arquivo`).expect(200);
    const [basis] = await tenantQuery<{ id: string }>(w.tt, 'SELECT id FROM legal_bases ORDER BY id LIMIT 1');
    await tenantQuery(w.tt, "UPDATE processes SET access_level = 'secret', secrecy_grade = 'reservado', legal_basis_id = $2 WHERE id = $1 RETURNING 1", [p.id, basis.id]);
    const refused = await clerk.get(`/processos/${p.id}/pdf/${job}/arquivo`);
    expect(refused.status).to.be.oneOf([403, 404]);
    expect(refused.headers['content-type']).to.match(/^text\/html/);
  });

  it('records a failure with a pt-BR message: a domain error says why, anything else says nothing internal', async () => {
    const failing = (err: Error): PdfBuilder => async (_c, _a, _p, onProgress) => {
      onProgress(0, 2);
      throw err;
    };
    const internal = await inWorld(w, () => startPdfJob(testEnv().config, w.clerk, processId, failing(new Error('relation "tenant_9".documents does not exist'))));
    await internal.settled;
    expect(await jobRow(w, internal.id)).to.include({ status: 'failed', error: UNEXPECTED_MESSAGE, total: 2 });
    const json = await clerk.get(`/processos/${processId}/pdf/${internal.id}?formato=json`).expect(200);
    expect(JSON.stringify(json.body)).not.to.contain('relation');
    const denied = await inWorld(w, () => startPdfJob(testEnv().config, w.clerk, processId, failing(new PermissionDeniedError('Você não tem mais acesso a este processo.'))));
    await denied.settled;
    expect(await jobRow(w, denied.id)).to.include({ status: 'failed', error: 'Você não tem mais acesso a este processo.' });
  });

  it('refuses to start a job on a process the user may not read, and records nothing', async () => {
    const [basis] = await tenantQuery<{ id: string }>(w.tt, 'SELECT id FROM legal_bases ORDER BY id LIMIT 1');
    const secret = await newProcess(w);
    await tenantQuery(w.tt, "UPDATE processes SET access_level = 'secret', secrecy_grade = 'reservado', legal_basis_id = $2 WHERE id = $1 RETURNING 1", [secret.id, basis.id]);
    const admin = await loggedInAs(w.tt, 'admin');
    const home = await admin.get('/').expect(200);
    const before = await tenantQuery<{ n: string }>(w.tt, 'SELECT count(*) AS n FROM process_pdf_jobs');
    const res = await admin.post(`/processos/${secret.id}/pdf`).type('form').send({ _csrf: csrfFrom(home.text) });
    expect(res.status).to.be.oneOf([403, 404]);
    expect(await tenantQuery<{ n: string }>(w.tt, 'SELECT count(*) AS n FROM process_pdf_jobs')).to.deep.equal(before);
  });

  it('deletes jobs older than PDF_JOB_KEEP_HOURS when a new job starts, and keeps recent ones', async () => {
    const pdf = await samplePdf('Velho');
    const old = await insertJob(w, { userId: w.clerk.userId, unitId: w.clerk.unitId, processId, status: 'finished', pdf, minutesAgo: 25 * 60 });
    const abandoned = await insertJob(w, { userId: w.clerk.userId, unitId: w.clerk.unitId, processId, status: 'running', minutesAgo: 25 * 60 });
    const recent = await insertJob(w, { userId: w.clerk.userId, unitId: w.clerk.unitId, processId, status: 'finished', pdf, minutesAgo: 60 });
    const job = await inWorld(w, () => startPdfJob(testEnv().config, w.clerk, processId, async () => ({ bytes: pdf, fileName: 'p.pdf' })));
    await job.settled;
    expect(await jobRow(w, old)).to.equal(undefined);
    expect(await jobRow(w, abandoned)).to.equal(undefined);
    expect((await jobRow(w, recent))?.status).to.equal('finished');
  });
});
