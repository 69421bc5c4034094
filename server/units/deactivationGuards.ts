/**
 * What keeps a unit from being deactivated, contributed by other features without this one knowing
 * them: the processes feature registers a guard answering how many processes are open in the unit
 * and where to see them. The deactivation service asks every registered guard.
 */
export interface DeactivationBlock {
  /** What blocks, in the plural, for the message: "processos abertos". */
  what: string;
  count: number;
  /** A page listing what blocks (e.g. the unit's open processes). */
  link: string;
}

/** Runs inside the deactivating tenant transaction; answers null when nothing blocks. */
export type UnitDeactivationGuard = (unitId: string) => Promise<DeactivationBlock | null>;

const guards = new Set<UnitDeactivationGuard>();

/** Registers a guard; returns the function that removes it again (tests use it). */
export function registerUnitDeactivationGuard(guard: UnitDeactivationGuard): () => void {
  guards.add(guard);
  return () => guards.delete(guard);
}

export async function blocksOnDeactivation(unitId: string): Promise<DeactivationBlock[]> {
  const found: DeactivationBlock[] = [];
  for (const guard of guards) {
    const block = await guard(unitId);
    if (block && block.count > 0) found.push(block);
  }
  return found;
}
