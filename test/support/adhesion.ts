import crypto from 'node:crypto';
import { expect } from 'chai';
import { hashPassword } from '../../server/auth/passwords';
import { AdhesionRequest, Operator, OutboxMessage } from '../../server/models';
import { testEnv } from './environment';
import { agentFor, csrfToken, login, type Agent } from './http';

/** Check digits computed here, independently of server/adhesion/rules.ts. */
function mod11(chars: string, weights: number[]): number {
  const sum = [...chars].reduce((s, c, i) => s + (c.charCodeAt(0) - 48) * weights[i], 0);
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

export function makeCnpj(base12?: string): string {
  const base = base12 ?? String(crypto.randomInt(1e11, 1e12)).padStart(12, '0');
  const d1 = mod11(base, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  const d2 = mod11(base + d1, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  return `${base}${d1}${d2}`;
}

export function makeCpf(): string {
  const base = String(crypto.randomInt(1e8, 1e9));
  const dv = (s: string): number => {
    const sum = [...s].reduce((acc, c, i) => acc + Number(c) * (s.length + 1 - i), 0);
    const r = (sum * 10) % 11;
    return r === 10 ? 0 : r;
  };
  const d1 = dv(base);
  return `${base}${d1}${dv(base + d1)}`;
}

export const PLATFORM = 'localhost';
export const OPERATOR_PASSWORD = 'Operador-de-teste-1';

/** A fresh MGI operator whose password is OPERATOR_PASSWORD. */
export async function createOperator(): Promise<Operator> {
  const email = `op-${crypto.randomBytes(4).toString('hex')}@mgi.gov.br`;
  return Operator.create({ name: `Operadora ${email.slice(3, 11)}`, email, passwordHash: await hashPassword(OPERATOR_PASSWORD) });
}

/** A fresh MGI operator, logged in on a platform agent. */
export async function operatorAgent(): Promise<{ agent: Agent; operator: Operator }> {
  const operator = await createOperator();
  const agent = agentFor(PLATFORM);
  const res = await login(agent, operator.email, OPERATOR_PASSWORD);
  expect(res.status).to.equal(302);
  return { agent, operator };
}

export interface ApplicantInput {
  kind: 'municipio' | 'estado' | 'orgao';
  uf: string;
  ibgeCode: string;
  orgName: string;
  officialName: string;
  cnpj: string;
  address: string;
  site: string;
  name: string;
  cpf: string;
  title: string;
  email: string;
  phone: string;
  slug: string;
  numberingScheme: 'nup' | 'nipe';
  protocolCode: string;
  rootAcronym: string;
  rootName: string;
  units: { acronym: string; name: string }[];
}

/** A municipality whose name is unique in Brazil, not used by another test file. */
export function applicant(overrides: Partial<ApplicantInput> = {}): ApplicantInput {
  const tag = crypto.randomBytes(4).toString('hex');
  return {
    kind: 'orgao',
    uf: 'RJ',
    ibgeCode: '',
    orgName: `Consórcio Intermunicipal ${tag}`,
    officialName: `Consórcio Intermunicipal ${tag}`,
    cnpj: makeCnpj(),
    address: 'Praça Nilo Peçanha, 186 — Centro',
    site: 'www.exemplo.rj.gov.br',
    name: 'Helena Duarte Ramos',
    cpf: makeCpf(),
    title: 'Secretária de Administração',
    email: `gestor-${tag}@exemplo.gov.br`,
    phone: '(24) 3377-0000',
    slug: `ente-${tag}`,
    numberingScheme: 'nup',
    protocolCode: '33001',
    rootAcronym: 'CIV',
    rootName: `Consórcio Intermunicipal ${tag}`,
    units: [
      { acronym: 'SEGOV', name: 'Secretaria de Governo' },
      { acronym: 'SMS', name: 'Secretaria de Saúde' },
    ],
    ...overrides,
  };
}

/** POSTs a form with the CSRF token of the page `from` (by default the same path). */
export async function post(agent: Agent, path: string, form: Record<string, string>, from = path) {
  const _csrf = await csrfToken(agent, from);
  return agent.post(path).type('form').send({ ...form, _csrf });
}

export function stepForms(a: ApplicantInput) {
  const units: Record<string, string> = {};
  a.units.forEach((u, i) => {
    units[`unit-${i}-acronym`] = u.acronym;
    units[`unit-${i}-name`] = u.name;
  });
  return {
    ente: { kind: a.kind, uf: a.uf, ibgeCode: a.ibgeCode, orgName: a.orgName, nav: 'next' },
    orgao: { officialName: a.officialName, cnpj: a.cnpj, address: a.address, site: a.site, nav: 'next' },
    gestor: { name: a.name, cpf: a.cpf, title: a.title, email: a.email, phone: a.phone, nav: 'next' },
    configuracao: {
      slug: a.slug,
      numberingScheme: a.numberingScheme,
      protocolCode: a.protocolCode,
      rootAcronym: a.rootAcronym,
      rootName: a.rootName,
      rows: '5',
      ...units,
      nav: 'next',
    },
    termo: { acceptedName: a.name, nav: 'next' },
  };
}

/** The newest message of a template to an address, from the outbox. */
export async function lastMail(to: string, template: string): Promise<OutboxMessage> {
  const msg = await OutboxMessage.findOne({ where: { toAddress: to, template }, order: [['id', 'DESC']] });
  expect(msg, `e-mail ${template} para ${to}`).to.not.equal(null);
  return msg!;
}

/** The path (and query) of the first link in a message's text that matches. */
export function linkIn(text: string, pattern: RegExp): string {
  const m = new RegExp(`https?://[^\\s"]*${pattern.source}[^\\s"]*`).exec(text);
  expect(m, `link ${pattern} no e-mail`).to.not.equal(null);
  const u = new URL(m![0]);
  return u.pathname + u.search;
}

/** Fills the five steps (confirming the e-mail from the outbox) and, unless told not to, submits. */
export async function fileRequest(
  a: ApplicantInput = applicant(),
  opts: { submit?: boolean; agent?: Agent } = {},
): Promise<{ agent: Agent; request: AdhesionRequest; input: ApplicantInput }> {
  const agent = opts.agent ?? agentFor(PLATFORM);
  const forms = stepForms(a);
  for (const step of ['ente', 'orgao', 'gestor', 'configuracao', 'termo'] as const) {
    const res = await post(agent, `/adesao/${step}`, forms[step]);
    expect(res.status, `etapa ${step}: ${res.text.slice(0, 0)}`).to.equal(303);
    if (step === 'gestor') {
      const confirm = linkIn((await lastMail(a.email, 'adhesion-confirm')).text, /\/adesao\/confirmar/);
      await agent.get(confirm).expect(200);
    }
  }
  if (opts.submit !== false) {
    const res = await post(agent, '/adesao/revisao', {});
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal('/adesao/situacao');
  }
  const request = await AdhesionRequest.findOne({ where: { managerEmail: a.email }, order: [['id', 'DESC']] });
  return { agent, request: request!, input: a };
}

/**
 * Drops the messages a test file queued for its applicants and never delivered, so that a later
 * file's worker finds only its own messages in the shared outbox.
 */
export async function discardQueuedApplicantMail(): Promise<void> {
  await testEnv().sequelize.query("DELETE FROM platform.outbox WHERE status = 'pending' AND to_address LIKE 'gestor-%@exemplo.gov.br'");
}
