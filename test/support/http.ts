import type { Stream } from 'node:stream';
import * as cheerio from 'cheerio';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { testEnv } from './environment';

export type Agent = TestAgent;

/** A cookie-keeping client that always talks to one host (sessions are per host). */
export function agentFor(host: string, app = testEnv().app): Agent {
  return request.agent(app).host(host);
}

export function csrfFrom(html: string): string {
  const token = cheerio.load(html)('input[name="_csrf"]').first().val();
  if (typeof token !== 'string' || !token) throw new Error('Página sem token CSRF');
  return token;
}

/** GETs `path` and returns the CSRF token of its first form. */
export async function csrfToken(agent: Agent, path = '/login'): Promise<string> {
  const res = await agent.get(path).expect(200);
  return csrfFrom(res.text);
}

export async function login(agent: Agent, email: string, password: string): Promise<request.Response> {
  const _csrf = await csrfToken(agent, '/login');
  return agent.post('/login').type('form').send({ email, password, _csrf });
}

export function $(html: string): cheerio.CheerioAPI {
  return cheerio.load(html);
}

/**
 * Opens the page holding the form (for its CSRF token) and posts `form` to `action`. With `status`,
 * expects the page to open (200) and the post to answer `status`; without it, returns the answer as it is.
 */
export async function postForm(
  agent: Agent,
  formPath: string,
  action: string,
  form: Record<string, string | string[]>,
  status?: number,
): Promise<request.Response> {
  const page = status === undefined ? await agent.get(formPath) : await agent.get(formPath).expect(200);
  const post = agent.post(action).type('form').send({ _csrf: csrfFrom(page.text), ...form });
  return status === undefined ? post : post.expect(status);
}

/** supertest's parser for a binary body (a PDF, a ZIP): `.buffer(true).parse(binaryBody)` gives `res.body` as a Buffer. */
export function binaryBody(r: Stream, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  r.on('data', (c: Buffer) => chunks.push(c));
  r.on('end', () => cb(null, Buffer.concat(chunks)));
}
