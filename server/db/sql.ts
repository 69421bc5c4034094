import type { Client } from 'pg';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { Document } from '../models';
import { assertTenantTransaction, markTenantTransaction, tenantSearchPathSql, type TenantRef } from '../tenancy/context';
import type { MigrationContext } from './migration-types';
import { logger } from '../logger';
import { preparedOn } from './prepared';

/**
 * The one place raw SQL reaches Sequelize (a lint rule refuses `sequelize.query` anywhere else in
 * server/). Three doors, each with its guard:
 * - tenant tables: `select`/`execute`/`preparedSelect`, in a tenant transaction (fail closed outside one);
 * - platform tables (schema-qualified `platform.…`): `platformSelect`/`platformExecute`;
 * - the schema being migrated (DDL and its ledger): `migrationSelect`/`migrationExecute`, in the
 *   migrating transaction, on a schema of one of the two shapes only.
 */

/**
 * A statement on the transaction's own connection. Sequelize's query path costs more CPU than most
 * of these statements take to run (it captures a stack trace, builds a query object and runs hooks
 * for every call); a tenant page runs several, so they go to pg directly. An error comes out as
 * Sequelize would have given it (UniqueConstraintError and the rest), so callers see one shape.
 */
async function onConnection<T extends object>(t: Transaction, sql: string, bind: unknown[]): Promise<T[]> {
  const connection = (t as unknown as { connection: Client }).connection;
  logger.trace({ sql }, 'sql');
  try {
    // As Sequelize binds strings: a NUL (which PostgreSQL refuses in text) becomes the two characters "\0".
    const values = bind.map((v) => (typeof v === 'string' && v.includes('\0') ? v.replace(/\0/g, '\\0') : v));
    return (await connection.query<T>(sql, values)).rows;
  } catch (err) {
    const sequelize = Document.sequelize!;
    const QueryClass = (sequelize as unknown as { dialect: { Query: new (c: unknown, s: Sequelize, o: object) => { formatError(e: unknown, stack?: string): Error } } }).dialect.Query;
    throw new QueryClass(connection, sequelize, {}).formatError(err, (err as Error).stack);
  }
}

/** Raw SQL on tenant tables, in a tenant transaction (fails closed outside one). */
export async function select<T extends object>(t: Transaction, sql: string, bind: unknown[] = []): Promise<T[]> {
  assertTenantTransaction(t);
  return onConnection<T>(t, sql, bind);
}

export async function execute(t: Transaction, sql: string, bind: unknown[] = []): Promise<void> {
  assertTenantTransaction(t);
  await onConnection(t, sql, bind);
}

/**
 * The conditions of a filtered list, with their values bound: `arg(value)` adds the value and answers
 * its placeholder (`$1`, `$2`…), so no value is ever written into the SQL.
 */
export function sqlFilter(): { where: string[]; bind: unknown[]; arg: (value: unknown) => string } {
  const where: string[] = [];
  const bind: unknown[] = [];
  const arg = (value: unknown): string => {
    bind.push(value);
    return `$${bind.length}`;
  };
  return { where, bind, arg };
}

/** `WHERE a AND b …`, or nothing when there is no condition. */
export function whereClause(where: string[]): string {
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

/** A tenant read as a named prepared statement (server/db/prepared.ts), on the transaction's connection. */
export async function preparedSelect<T>(t: Transaction, text: string, values: unknown[]): Promise<T[]> {
  assertTenantTransaction(t);
  return preparedOn<T>((t as unknown as { connection: Client }).connection, text, values);
}

/**
 * Makes `t` a tenant transaction: its first statement points the search path at the tenant schema,
 * transaction-local, so the setting dies with the transaction and never leaks through the pool.
 */
export async function enterTenantSchema(t: Transaction, tenant: TenantRef): Promise<void> {
  await Document.sequelize!.query(tenantSearchPathSql(tenant.schema), { transaction: t });
  markTenantTransaction(t, tenant);
}

/**
 * Raw SQL on platform tables (always schema-qualified: `platform.…`), on the given Sequelize, in the
 * given transaction when there is one. Tenant tables are never reached this way: use `select`/`execute`.
 */
export async function platformSelect<T extends object>(
  sequelize: Sequelize,
  sql: string,
  bind: unknown[] = [],
  transaction?: Transaction,
): Promise<T[]> {
  return sequelize.query<T>(sql, { bind: bound(bind), transaction, type: QueryTypes.SELECT });
}

export async function platformExecute(sequelize: Sequelize, sql: string, bind: unknown[] = [], transaction?: Transaction): Promise<void> {
  await sequelize.query(sql, { bind: bound(bind), transaction });
}

/** No bind option without values: Sequelize would otherwise unescape `$$` (dollar quoting in DDL). */
function bound(bind: unknown[]): unknown[] | undefined {
  return bind.length ? bind : undefined;
}

const MIGRATED_SCHEMA = /^(platform|tenant_[1-9][0-9]{0,17})$/;

function checkMigrationContext(context: MigrationContext): void {
  if (!context.transaction) throw new Error('Migração fora de uma transação');
  if (!MIGRATED_SCHEMA.test(context.schema)) throw new Error(`Esquema inválido para migração: ${context.schema}`);
}

/** DDL and ledger SQL of the migrator, on `context.schema`, in the migrating transaction. */
export async function migrationExecute(context: MigrationContext, sql: string, bind: unknown[] = []): Promise<void> {
  checkMigrationContext(context);
  await context.sequelize.query(sql, { bind: bound(bind), transaction: context.transaction });
}

export async function migrationSelect<T extends object>(context: MigrationContext, sql: string, bind: unknown[] = []): Promise<T[]> {
  checkMigrationContext(context);
  return context.sequelize.query<T>(sql, { bind: bound(bind), transaction: context.transaction, type: QueryTypes.SELECT });
}

/** Points the migrating transaction's search path at the tenant schema it migrates (the one builder). */
export async function enterMigratedSchema(context: MigrationContext): Promise<void> {
  checkMigrationContext(context);
  await context.sequelize.query(tenantSearchPathSql(context.schema), { transaction: context.transaction });
}
