import { QueryTypes, type Transaction } from 'sequelize';
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
