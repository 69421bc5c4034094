import { registerUnitDeactivationGuard, type UnitDeactivationGuard } from '../units/deactivationGuards';
import { openProcessCountInUnit, openProcessesUrl } from './create';

/** A unit with open processes cannot be deactivated: they must be sent elsewhere or concluded first. */
export const openProcessesGuard: UnitDeactivationGuard = async (unitId) => {
  const count = await openProcessCountInUnit(unitId);
  return count ? { what: count === 1 ? 'processo aberto' : 'processos abertos', count, link: openProcessesUrl(unitId) } : null;
};

/** Called once when the app is built; registering the same guard again changes nothing. */
export function registerProcessGuards(): void {
  registerUnitDeactivationGuard(openProcessesGuard);
}
