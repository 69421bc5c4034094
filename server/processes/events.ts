import type { Transaction } from 'sequelize';
import { ProcessEvent } from '../models';

/** Who acts on a process: a user working in one unit. */
export interface Actor {
  userId: string;
  unitId: string;
}

export interface EventInput {
  kind: string;
  description: string;
  /** false: shown only in the "completo" history. */
  summary?: boolean;
  details?: Record<string, unknown> | null;
}

/** Writes an andamento (immutable history line) for `processId`, by `actor`, now. */
export async function recordEvent(t: Transaction, processId: string, actor: Actor, event: EventInput): Promise<void> {
  await ProcessEvent.create(
    {
      processId,
      unitId: actor.unitId,
      userId: actor.userId,
      kind: event.kind,
      description: event.description,
      summary: event.summary ?? true,
      details: event.details ?? null,
    },
    { transaction: t },
  );
}
