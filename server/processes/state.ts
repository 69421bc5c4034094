import type { Transaction } from 'sequelize';
import { PermissionDeniedError } from '../errors';
import { AccessCredential, Process, ProcessUnit } from '../models';
import { findableProcess, type Viewer } from './access';
import { externalTransitOf } from '../tramita/transit';
import { isAllowed, refusalOf, type ProcessAction, type ProcessState } from './rules';

export interface LoadedProcess {
  process: Process;
  state: ProcessState;
  /** The row of the viewer's current unit, if the process has passed through it. */
  here: ProcessUnit | null;
  units: ProcessUnit[];
}

/** Loads a findable process with the facts its rules need (404 when the viewer may not find it). */
export async function loadProcess(t: Transaction, id: string, viewer: Viewer, lock = false): Promise<LoadedProcess> {
  const found = await findableProcess(t, id, viewer);
  const process = lock ? await found.process.reload({ transaction: t, lock: t.LOCK.UPDATE }) : found.process;
  const units = await ProcessUnit.findAll({ where: { processId: process.id }, transaction: t });
  const here = units.find((u) => String(u.unitId) === String(viewer.unitId)) ?? null;
  const state: ProcessState = {
    accessLevel: process.accessLevel,
    canRead: found.access.canRead,
    openHere: Boolean(here?.open),
    passedThroughHere: Boolean(here),
    openUnitCount: units.filter((u) => u.open).length,
    suspended: Boolean(process.suspendedAt),
    annexed: Boolean(process.annexedToId),
    credentialed: found.facts.credentialed,
    externalTransitTo: (await externalTransitOf(t, String(process.id)))?.receiverName ?? null,
  };
  return { process, state, here, units };
}

/**
 * Loads the process locked FOR UPDATE (actions on one process queue up) and refuses unless
 * `action` is allowed: 404 when it cannot be found, 403 with the rule otherwise.
 */
export async function loadForAction(t: Transaction, id: string, viewer: Viewer, action: ProcessAction): Promise<LoadedProcess> {
  const loaded = await loadProcess(t, id, viewer, true);
  if (!isAllowed(action, loaded.state)) throw new PermissionDeniedError(refusalOf(action, loaded.state));
  return loaded;
}

export async function hasCredential(t: Transaction, processId: string, userId: string): Promise<boolean> {
  return Boolean(await AccessCredential.findOne({ where: { processId, userId, revokedAt: null }, attributes: ['id'], transaction: t }));
}
