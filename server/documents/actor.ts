import type { Request } from 'express';
import { currentUnit } from '../auth/currentUnit';
import { PermissionDeniedError } from '../errors';

/** Who acts on documents: a user working in one of their units. */
export interface Actor {
  userId: string;
  name: string;
  unitId: string;
  unitAcronym: string;
}

export function actorFrom(req: Request): Actor {
  const unit = currentUnit(req);
  if (req.user?.type !== 'user' || !unit) throw new PermissionDeniedError('Escolha uma unidade de trabalho para continuar.');
  return { userId: req.user.id, name: req.user.name, unitId: unit.unitId, unitAcronym: unit.acronym };
}
