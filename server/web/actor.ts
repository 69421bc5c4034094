import type { Request } from 'express';
import { currentUnit } from '../auth/currentUnit';
import { PermissionDeniedError } from '../errors';

/**
 * Who reads and acts on processes and documents: a user working in one of their units. The access
 * predicate (server/processes/access.ts) needs only `userId` and `unitId` (its `Viewer`); documents,
 * signatures and the process PDF also show the name and the unit's acronym.
 */
export interface Actor {
  userId: string;
  name: string;
  unitId: string;
  unitAcronym: string;
}

/** The actor of a request; refused (403) for someone who is not a user with a unit to work in. */
export function actorOf(req: Request): Actor {
  const unit = currentUnit(req);
  if (req.user?.type !== 'user' || !unit) throw new PermissionDeniedError('Você ainda não tem unidade. Peça ao administrador do seu órgão que lhe dê acesso.');
  return { userId: req.user.id, name: req.user.name, unitId: unit.unitId, unitAcronym: unit.acronym };
}
