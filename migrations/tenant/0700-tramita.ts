import type { MigrationParams } from '../../server/db/migration-types';

/**
 * Tramita (issue 14, docs/decisions/tramita.md), the tenant's side:
 * - which units receive processes from other governments;
 * - document types ↔ espécies documentais (data/especies-documentais.csv) in both directions, and
 *   the hipóteses legais received ↔ legal bases, each with a default (`tramita_settings`);
 * - the receipts (recibo de conclusão de trâmite) this tenant holds, one per transfer: the primary
 *   key is what keeps a transfer from creating a second process at the receiver.
 * Platform ids (the transfer) are plain columns: no reference leaves the schema (Citus rules).
 */
export async function up({ context }: MigrationParams): Promise<void> {
  await context.sequelize.query(
    `
    ALTER TABLE units ADD COLUMN receives_external BOOLEAN NOT NULL DEFAULT false;

    CREATE TABLE tramita_send_map (
      document_type_id BIGINT PRIMARY KEY REFERENCES document_types (id),
      especie_code INTEGER NOT NULL CHECK (especie_code > 0)
    );

    CREATE TABLE tramita_receive_map (
      especie_code INTEGER PRIMARY KEY CHECK (especie_code > 0),
      document_type_id BIGINT NOT NULL REFERENCES document_types (id)
    );

    CREATE TABLE tramita_legal_basis_map (
      hipotese TEXT PRIMARY KEY CHECK (hipotese = lower(hipotese)),
      legal_basis_id BIGINT NOT NULL REFERENCES legal_bases (id)
    );

    CREATE TABLE tramita_settings (
      id BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
      default_send_especie INTEGER CHECK (default_send_especie > 0),
      default_receive_document_type_id BIGINT REFERENCES document_types (id),
      default_legal_basis_id BIGINT REFERENCES legal_bases (id),
      received_process_type_id BIGINT REFERENCES process_types (id)
    );

    CREATE TABLE tramita_receipts (
      transfer_id BIGINT PRIMARY KEY,
      role TEXT NOT NULL CHECK (role IN ('sent', 'received')),
      process_id BIGINT NOT NULL REFERENCES processes (id),
      receipt JSONB NOT NULL,
      receipt_sha256 CHAR(64) NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX tramita_receipts_process_idx ON tramita_receipts (process_id);
    `,
    { transaction: context.transaction },
  );
}
