import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { OutboxMessage } from '../../server/models';
import { testEnv } from './environment';
import { csrfFrom, type Agent } from './http';
import type { TestTenant } from './tenants';

/** Valid CPFs for citizens in tests. */
export const CPFS = ['52998224725', '11144477735', '39053344705'];

export async function tenantRows<T extends object>(t: TestTenant, sql: string, bind: unknown[] = []): Promise<T[]> {
  return testEnv().sequelize.query<T>(sql.replaceAll('tenant.', `"${t.tenant.schema}".`), { bind, type: QueryTypes.SELECT });
}

export async function serviceId(t: TestTenant, name = 'Requerimento geral'): Promise<string> {
  const [row] = await tenantRows<{ id: string }>(t, 'SELECT id::text FROM tenant.citizen_services WHERE name = $1', [name]);
  return row.id;
}

/** Clears the portal's counters (every test of the run comes from 127.0.0.1). */
export async function clearProtocolLimits(): Promise<void> {
  await testEnv().sequelize.query(`DELETE FROM platform.rate_limits WHERE key LIKE 'protocol-%'`);
}

/** The path and query of the newest link to `path` e-mailed to `email` (with a subject matching `subject`), read from the outbox. */
export async function linkFromOutbox(email: string, path: string, subject?: RegExp): Promise<string> {
  const mails = await OutboxMessage.findAll({ where: { toAddress: email }, order: [['id', 'DESC']] });
  const mail = mails.find((m) => !subject || subject.test(m.subject));
  const match = new RegExp(`https?://[^\\s"<>]+${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[^\\s"<>]*`).exec(mail?.text ?? '');
  if (!match) throw new Error(`Nenhum link ${path} no último e-mail para ${email}`);
  const url = new URL(match[0]);
  return url.pathname + url.search;
}

export interface Citizen {
  name: string;
  cpf: string;
  email: string;
}

/** Identifies on the service page and opens the e-mailed confirmation link (from the outbox). */
export async function identify(agent: Agent, service: string, citizen: Citizen): Promise<void> {
  const page = await agent.get(`/protocolo/servicos/${service}`).expect(200);
  await agent.post(`/protocolo/servicos/${service}/identificacao`).type('form').send({ _csrf: csrfFrom(page.text), ...citizen }).expect(200);
  const link = await linkFromOutbox(citizen.email, '/protocolo/confirmar');
  const res = await agent.get(link).expect(302);
  expect(res.headers.location).to.equal(`/protocolo/servicos/${service}/formulario`);
}

export type Upload = { field: string; bytes: Buffer; name: string };

/** Posts the service's form (fields and files, multipart), expects `status` and returns the response. */
export async function postRequestForm(agent: Agent, service: string, fields: Record<string, string>, files: Upload[], status: number) {
  const page = await agent.get(`/protocolo/servicos/${service}/formulario`).expect(200);
  let req = agent.post(`/protocolo/servicos/${service}/formulario`).field('_csrf', csrfFrom(page.text));
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  for (const f of files) req = req.attach(f.field, f.bytes, f.name);
  return req.expect(status);
}

/** Submits the reviewed draft with the declaration ticked; returns number and access code from the receipt page. */
export async function submitReviewed(agent: Agent, service: string): Promise<{ number: string; code: string }> {
  const review = await agent.get(`/protocolo/servicos/${service}/revisao`).expect(200);
  await agent.post(`/protocolo/servicos/${service}/enviar`).type('form').send({ _csrf: csrfFrom(review.text), declaracao: 'sim' }).expect(303);
  const receipt = await agent.get('/protocolo/recibo').expect(200);
  const number = /data-testid="request-number">([^<]+)</.exec(receipt.text)![1];
  const code = /data-testid="access-code">([^<]+)</.exec(receipt.text)![1];
  return { number, code };
}

/** A whole filing of "Requerimento geral" by a fresh agent; returns the agent, number and code. */
export async function fileGeneralRequest(agent: Agent, t: TestTenant, citizen: Citizen, files: Upload[] = []): Promise<{ number: string; code: string; service: string }> {
  const service = await serviceId(t);
  await identify(agent, service, citizen);
  await postRequestForm(agent, service, { campo_c1: 'Poda de árvore', campo_c2: 'Peço a poda da árvore em frente ao nº 10 da Rua A.' }, files, 302);
  return { ...(await submitReviewed(agent, service)), service };
}
