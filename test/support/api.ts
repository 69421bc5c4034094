import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { OPERATIONS, type OperationName } from '../../server/api/contract';
import { createKey, type Scope } from '../../server/api/keys';
import { runWithTenant } from '../../server/tenancy/context';
import { testEnv } from './environment';
import { idsOf } from './processes';
import type { TestTenant } from './tenants';

/** Every response a test saw, each already checked against its zod schema; the contract test checks them against the published document too. */
export const seenResponses: { operation: OperationName; status: number; contentType: string; body: unknown }[] = [];

/** A key of the tenant, created through the service the admin page uses. */
export async function apiKeyFor(t: TestTenant, unit: string, scopes: readonly Scope[], name = 'Sistema de Tributos'): Promise<string> {
  const ids = await idsOf(t);
  const { token } = await runWithTenant(t.tenant, () => createKey({ userId: null, ip: null, requestId: null }, { name, unitId: ids.units[unit], scopes: [...scopes] }));
  return token;
}

export const ALL_SCOPES: Scope[] = ['processos:ler', 'processos:criar', 'processos:enviar', 'documentos:incluir', 'documentos:ler'];

/**
 * Checks a response of `operation` against the contract: the status is one the operation declares,
 * and the body fits the schema declared for it (problem+json for errors).
 */
export function expectContract(operation: OperationName, res: request.Response): void {
  const declared = (OPERATIONS[operation].responses as Record<number, { schema?: import('zod').ZodType; binary?: boolean }>)[res.status];
  expect(declared, `${operation}: status ${res.status} is not in the contract (${String(res.text ?? "").slice(0, 300)})`).to.exist;
  if (declared.schema) {
    expect(res.headers['content-type']).to.match(res.status >= 400 ? /^application\/problem\+json/ : /^application\/json/);
    const parsed = declared.schema.safeParse(res.body);
    expect(parsed.success, `${operation} ${res.status}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues)}`).to.equal(true);
  }
  seenResponses.push({ operation, status: res.status, contentType: String(res.headers['content-type'] ?? '').split(';')[0], body: declared.schema ? res.body : null });
}

/** Requests to a tenant host's API with a key; every response is checked with expectContract. */
export function apiClient(host: string, token: string | null, app: Express = testEnv().app) {
  const auth = (r: request.Test) => {
    r.set('Host', host);
    return token ? r.set('Authorization', `Bearer ${token}`) : r;
  };
  const checked = async (operation: OperationName, r: request.Test): Promise<request.Response> => {
    const res = await r;
    expectContract(operation, res);
    return res;
  };
  return {
    raw: app,
    get: (operation: OperationName, path: string) => checked(operation, auth(request(app).get(path))),
    getBinary: (operation: OperationName, path: string) =>
      checked(operation, auth(request(app).get(path)).buffer(true).parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })),
    postJson: (operation: OperationName, path: string, body: unknown, headers: Record<string, string> = {}) => checked(operation, auth(request(app).post(path)).set(headers).send(body as object)),
    request: (method: 'get' | 'post', path: string) => auth(request(app)[method](path)),
  };
}
