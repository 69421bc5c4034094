import type { MigrationParams } from '../../server/db/migration-types';

/**
 * When a tenant went into service (`opened_at`: its provisioning, or its approval for the ones
 * created before this column), apart from `created_at`, which for a tenant built on a spare schema
 * is when that schema was prepared. And the article of the ente's name (`a` Prefeitura, `o`
 * Governo do Estado), null while it is the one derived from the kind and the name.
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    ALTER TABLE platform.tenants ADD COLUMN opened_at TIMESTAMPTZ;
    UPDATE platform.tenants t SET opened_at = coalesce(
      (SELECT max(r.decided_at) FROM platform.adhesion_requests r WHERE r.tenant_id = t.id AND r.status = 'approved'),
      t.created_at)
     WHERE t.status <> 'spare';
    ALTER TABLE platform.tenants ADD COLUMN article TEXT CHECK (article IN ('a', 'o'));
    `,
    { transaction: context.transaction },
  );
}
