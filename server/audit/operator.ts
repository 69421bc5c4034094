import { PlatformAuditEntry } from '../models';

/** Who does something in the console, for the history and the platform audit log. */
export interface OperatorContext {
  operatorId: string;
  ip?: string | null;
  requestId?: string | null;
}

/** One line of the platform audit log for what an operator did. */
export async function recordOperatorAction(ctx: OperatorContext, action: string, tenantId: string | null, details: Record<string, unknown>): Promise<void> {
  await PlatformAuditEntry.create({
    actorType: 'operator',
    actorId: ctx.operatorId,
    tenantId,
    action,
    details,
    ip: ctx.ip ?? null,
    requestId: ctx.requestId ?? null,
  });
}
