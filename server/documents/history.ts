import type { Transaction } from 'sequelize';
import { TenantAuditEntry } from '../models';
import type { Actor } from './actor';

/**
 * Records a document action in the tenant audit log and in the process history (andamentos), in
 * the caller's transaction.
 */
export async function recordDocumentEvent(
  t: Transaction,
  actor: Actor,
  processId: string,
  documentId: string,
  action: string,
  description: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await TenantAuditEntry.create(
    { userId: actor.userId, action, entity: 'document', entityId: documentId, before: null, after: { processId, description, ...details }, ip: null, requestId: null },
    { transaction: t },
  );
  await addProcessHistory(t, actor, processId, description);
}

/** Filled in once the process history exists (processes feature). */
async function addProcessHistory(_t: Transaction, _actor: Actor, _processId: string, _description: string): Promise<void> {}
