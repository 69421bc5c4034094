import type { Transaction } from 'sequelize';
import { TenantAuditEntry } from '../models';
import { recordEvent } from '../processes/events';
import type { Actor } from '../web/actor';

/** Records a document action in the process history (andamento) and the tenant audit log, in the caller's transaction. */
export async function recordDocumentEvent(
  t: Transaction,
  actor: Actor,
  processId: string,
  documentId: string,
  action: string,
  description: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await recordEvent(t, processId, actor, { kind: action, description, details: { documentId, ...details } });
  await TenantAuditEntry.create(
    { userId: actor.userId, action, entity: 'document', entityId: documentId, before: null, after: { processId, ...details }, ip: null, requestId: null },
    { transaction: t },
  );
}
