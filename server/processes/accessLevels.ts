import { ACCESS_LEVELS, type AccessLevel } from '../models';

/** What users read for each access level: the one place these labels are written. */
export const ACCESS_LEVEL_LABELS: Record<AccessLevel, string> = { public: 'Público', restricted: 'Restrito', secret: 'Sigiloso' };

/** The access levels as form options (radio buttons, selects), in their order of strictness. */
export const ACCESS_LEVEL_OPTIONS: readonly { value: AccessLevel; label: string }[] = ACCESS_LEVELS.map((value) => ({ value, label: ACCESS_LEVEL_LABELS[value] }));

/** The label of a level; an unknown value is shown as it is. */
export function accessLevelLabel(level: unknown): string {
  return ACCESS_LEVEL_LABELS[String(level) as AccessLevel] ?? String(level);
}
