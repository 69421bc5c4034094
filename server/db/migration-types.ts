import type { Sequelize, Transaction } from 'sequelize';

export interface MigrationContext {
  sequelize: Sequelize;
  transaction: Transaction;
  /** `platform`, or the `tenant_<id>` schema that is the search path of `transaction`. */
  schema: string;
}

export interface MigrationParams {
  name: string;
  context: MigrationContext;
}

export interface MigrationModule {
  up(params: MigrationParams): Promise<void>;
  down?(params: MigrationParams): Promise<void>;
}
