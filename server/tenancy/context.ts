import type { Client } from 'pg';
import type { Sequelize, Transaction, TransactionOptions } from 'sequelize';
import { namespace } from '../db/cls';
import { preparedOn } from '../db/prepared';
import { ID_PATTERN } from '../documents/ids';
import { TenantContextError } from '../errors';

/** What the rest of the code knows of the tenant a request (or a job) works for. */
export interface TenantRef {
  id: string;
  slug: string;
  name: string;
  schema: string;
  /** The article of its name, when known (the registry's tenants carry it). */
  article?: 'a' | 'o';
}

const TENANT_KEY = 'tenant';
const tenantTransactions = new WeakMap<Transaction, string>();
let sequelize: Sequelize | undefined;

const TENANT_SCHEMA = /^tenant_[1-9][0-9]{0,17}$/;

interface TenantTransactionOptions extends TransactionOptions {
  tenantSchema?: string;
}

interface TransactionQueryGenerator {
  startTransactionQuery(t: Transaction): string;
  tenantAware?: true;
}

/**
 * Binds the Sequelize instance tenant transactions run on. A tenant transaction's first statement
 * (the transaction-local search path) travels with its START TRANSACTION in one round trip: both are
 * sent as one simple query, so every tenant transaction costs one round trip less. The schema name
 * is checked against its only possible shape (`tenant_<numeric id>`) before it is written in.
 */
export function bindTenancy(instance: Sequelize): void {
  sequelize = instance;
  const generator = instance.getQueryInterface().queryGenerator as TransactionQueryGenerator;
  if (generator.tenantAware) return;
  const start = generator.startTransactionQuery.bind(generator);
  generator.startTransactionQuery = (t) => {
    const { options, parent } = t as unknown as { options: TenantTransactionOptions; parent?: Transaction };
    if (!options.tenantSchema || parent) return start(t);
    return beginTenantSql(options.tenantSchema);
  };
  generator.tenantAware = true;
}

/**
 * START TRANSACTION and the transaction-local search path, as one simple query (one round trip).
 * The schema name is checked against its only possible shape before it is written in.
 */
function beginTenantSql(schema: string, readOnly = false): string {
  return `START TRANSACTION${readOnly ? ' READ ONLY' : ''}; ${tenantSearchPathSql(schema)};`;
}

/**
 * The one builder of a tenant's transaction-local search path (inTenant, readInTenant, provisioning,
 * the migrator). The schema name is checked against its only possible shape before it is written in.
 */
export function tenantSearchPathSql(schema: string): string {
  if (!TENANT_SCHEMA.test(schema)) throw new TenantContextError(`Esquema de ente inválido: ${schema}`);
  return `SELECT set_config('search_path', '"${schema}"', true)`;
}

/** The schema of a tenant, from its numeric id only: never from a slug or any other input. */
export function schemaFor(id: string | number | bigint): string {
  const s = String(id);
  if (!ID_PATTERN.test(s)) throw new TenantContextError(`Identificador de ente inválido: ${s}`);
  return `tenant_${s}`;
}

/** A tenant's reference from its registry row (id, slug, name): the schema always from the id. */
export function tenantRef(row: { id: string | number | bigint; slug: string | null; name: string }): TenantRef {
  return { id: String(row.id), slug: row.slug ?? '', name: row.name, schema: schemaFor(row.id) };
}

export function currentTenant(): TenantRef | undefined {
  return namespace.active ? (namespace.get(TENANT_KEY) as TenantRef | undefined) : undefined;
}

export function requireTenant(): TenantRef {
  const t = currentTenant();
  if (!t) throw new TenantContextError();
  return t;
}

/**
 * Runs `fn` with `tenant` as the current tenant, in a fresh CLS context entered and left
 * synchronously (cls-hooked's `runPromise` stays entered until the promise settles, which lets the
 * caller's next statements — a sibling job in a loop, say — run inside this tenant).
 */
export function runWithTenant<T>(tenant: TenantRef, fn: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    namespace.run(() => {
      namespace.set(TENANT_KEY, tenant);
      namespace.set('transaction', undefined);
      fn().then(resolve, reject);
    });
  });
}

/** Sets the tenant in the CLS context that is active now (used by middleware and provisioning). */
export function setCurrentTenant(tenant: TenantRef): void {
  namespace.set(TENANT_KEY, tenant);
}

export function clearCurrentTenant(): void {
  namespace.set(TENANT_KEY, undefined);
}

function db(): Sequelize {
  if (!sequelize) throw new Error('Banco de dados não inicializado');
  return sequelize;
}

/**
 * Records that `t` works on `tenant`'s schema; only for a transaction whose search path was just set
 * to it (`enterTenantSchema` in server/db/sql.ts).
 */
export function markTenantTransaction(t: Transaction, tenant: TenantRef): void {
  tenantTransactions.set(t, tenant.schema);
}

function activeTransaction(): Transaction | undefined {
  return namespace.active ? (namespace.get('transaction') as Transaction | undefined) : undefined;
}

/** The tenant transaction already open in this context, if any; refuses one of another tenant. */
function openTenantTransaction(tenant: TenantRef): Transaction | undefined {
  const open = activeTransaction();
  if (open && tenantTransactions.get(open) !== tenant.schema) throw new TenantContextError('Transação aberta não pertence ao ente atual');
  return open;
}

/**
 * Runs `fn` inside the current tenant's transaction: reuses the one already open in this context
 * (never a nested transaction, which would take a second connection without the tenant), or opens one.
 */
export async function inTenant<T>(fn: (t: Transaction) => Promise<T>): Promise<T> {
  const tenant = requireTenant();
  const open = openTenantTransaction(tenant);
  if (open) return fn(open);
  const options: TenantTransactionOptions = { tenantSchema: tenant.schema };
  return db().transaction(options, async (t) => {
    tenantTransactions.set(t, tenant.schema);
    return fn(t);
  });
}

/** Runs one statement (a named prepared statement, server/db/prepared.ts) in a tenant read. */
export type TenantReader = <R>(text: string, values: unknown[]) => Promise<R[]>;

interface PooledConnections {
  getConnection(options?: object): Promise<unknown>;
  releaseConnection(connection: unknown): void;
  destroyConnection(connection: unknown): Promise<void>;
}

/**
 * Read-only work of the busiest pages (the inbox), without Sequelize's transaction machinery: on this
 * stack that machinery costs the web process ≈ 0.3 ms per page beyond its two round trips (hooks,
 * options, and the promises each of its awaits creates, each one tracked by cls-hooked).
 *
 * The same guarantees as inTenant: the tenant comes from the context (fails closed outside one); its
 * search path is transaction-local, sent with START TRANSACTION READ ONLY in one round trip; the
 * connection goes back to the shared pool only after its COMMIT or ROLLBACK succeeded, and is
 * destroyed otherwise, so neither the transaction nor the search path outlives the call. Inside an
 * open tenant transaction it reads in that transaction instead.
 */
export async function readInTenant<T>(fn: (read: TenantReader) => Promise<T>): Promise<T> {
  const tenant = requireTenant();
  const open = openTenantTransaction(tenant);
  if (open) {
    const client = (open as unknown as { connection: Client }).connection;
    return fn((text, values) => preparedOn(client, text, values));
  }
  const begin = beginTenantSql(tenant.schema, true);
  const pool = db().connectionManager as unknown as PooledConnections;
  const client = (await pool.getConnection()) as Client;
  let clean = false;
  try {
    await client.query(begin);
    const result = await fn((text, values) => preparedOn(client, text, values));
    await client.query('COMMIT');
    clean = true;
    return result;
  } catch (err) {
    await client.query('ROLLBACK').then(
      () => (clean = true),
      () => undefined,
    );
    throw err;
  } finally {
    if (clean) pool.releaseConnection(client);
    else await pool.destroyConnection(client).catch(() => undefined);
  }
}

/** Fails closed: throws unless the query runs in a transaction bound to the current tenant. */
export function assertTenantTransaction(t: Transaction | null | undefined): void {
  const tenant = currentTenant();
  const tx = t ?? activeTransaction();
  if (!tenant || !tx || tenantTransactions.get(tx) !== tenant.schema) {
    throw new TenantContextError();
  }
}
