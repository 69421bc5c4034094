import type { MigrationParams } from '../../server/db/migration-types';

/**
 * Signing in with gov.br finds the user by CPF (the `sub` claim): at most one user per CPF, and the
 * look-up is an index probe. CPFs stay optional (recorded at invitation or by an administrator).
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    ALTER TABLE users ADD CONSTRAINT users_cpf_digits CHECK (cpf ~ '^[0-9]{11}$');
    CREATE UNIQUE INDEX users_cpf_key ON users (cpf) WHERE cpf IS NOT NULL;
    `,
    { transaction: context.transaction },
  );
}
