import type { MigrationParams } from '../../server/db/migration-types';

/**
 * gov.br Login Único. Operators are matched by CPF (the `sub` claim). A login in progress
 * (`govbr_logins`: state, nonce, PKCE verifier, the host it started on) and the one-time tickets that
 * carry its outcome from the platform's callback to that host (`govbr_tickets`) are stored hashed,
 * short-lived and single use; see docs/decisions/0004-govbr-login-and-hosts.md.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    ALTER TABLE platform.operators ADD COLUMN cpf CHAR(11) CHECK (cpf ~ '^[0-9]{11}$');
    CREATE UNIQUE INDEX operators_cpf_key ON platform.operators (cpf) WHERE cpf IS NOT NULL;

    CREATE TABLE platform.govbr_logins (
      state_hash TEXT PRIMARY KEY,
      nonce TEXT NOT NULL,
      code_verifier TEXT NOT NULL,
      host TEXT NOT NULL,
      purpose TEXT NOT NULL CHECK (purpose IN ('staff', 'operator', 'citizen')),
      return_path TEXT NOT NULL CHECK (return_path ~ '^/[^/\\\\]'),
      next_path TEXT NOT NULL CHECK (next_path ~ '^/'),
      browser_hash TEXT NOT NULL,
      expires_at TIMESTAMPTZ NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX govbr_logins_expires_idx ON platform.govbr_logins (expires_at);

    CREATE TABLE platform.govbr_tickets (
      token_hash TEXT PRIMARY KEY,
      host TEXT NOT NULL,
      purpose TEXT NOT NULL CHECK (purpose IN ('staff', 'operator', 'citizen')),
      next_path TEXT NOT NULL CHECK (next_path ~ '^/'),
      browser_hash TEXT NOT NULL,
      identity JSONB NOT NULL,
      expires_at TIMESTAMPTZ NOT NULL,
      used_at TIMESTAMPTZ,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX govbr_tickets_expires_idx ON platform.govbr_tickets (expires_at);
    `,
    { transaction: context.transaction },
  );
}
