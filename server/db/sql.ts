import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { Document } from '../models';
import { assertTenantTransaction } from '../tenancy/context';

/** Raw SQL on tenant tables, in a tenant transaction (fails closed outside one). */
export async function select<T extends object>(t: Transaction, sql: string, bind: unknown[] = []): Promise<T[]> {
  assertTenantTransaction(t);
  return Document.sequelize!.query<T>(sql, { bind, transaction: t, type: QueryTypes.SELECT });
}

export async function execute(t: Transaction, sql: string, bind: unknown[] = []): Promise<void> {
  assertTenantTransaction(t);
  await Document.sequelize!.query(sql, { bind, transaction: t });
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
  return sequelize.query<T>(sql, { bind, transaction, type: QueryTypes.SELECT });
}

export async function platformExecute(sequelize: Sequelize, sql: string, bind: unknown[] = [], transaction?: Transaction): Promise<void> {
  await sequelize.query(sql, { bind, transaction });
}
