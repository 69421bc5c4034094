import type { Transaction } from 'sequelize';
import { ProcessEvent } from '../models';
import type { Viewer } from './access';

/** Who acts on a process: the actor's user and unit (server/web/actor.ts), as the access predicate sees them. */
export type Actor = Viewer;

export interface EventInput {
  kind: string;
  description: string;
  /** false: shown only in the "completo" history. */
  summary?: boolean;
  details?: Record<string, unknown> | null;
}

/** Writes an andamento (immutable history line) for `processId`, by `actor`, now. */
export async function recordEvent(t: Transaction, processId: string, actor: Actor, event: EventInput): Promise<void> {
  const { kind, description, summary = true, details = null } = event;
  await ProcessEvent.create({ processId, unitId: actor.unitId, userId: actor.userId, kind, description, summary, details }, { transaction: t });
}
