import type { Transaction } from 'sequelize';
import { select } from '../db/sql';
import { hipoteseNamed } from './especies';

/** The national hipótese legal a local legal basis travels as, or null when it has none. */
export type HipoteseOf = (legalBasisId: string | null, localName: string | null) => string | null;

/**
 * Sending (docs/decisions/tramita.md, "Hipóteses legais"): a local legal basis travels as the
 * hipótese the administrator mapped it to; else the national hipótese of the same name; else the
 * default hipótese for sending; else none, and sending is blocked, naming it.
 */
export async function sendingHipoteses(t: Transaction): Promise<HipoteseOf> {
  const rows = await select<{ legal_basis_id: string; hipotese: string }>(t, 'SELECT legal_basis_id, hipotese FROM tramita_legal_basis_send_map');
  const [settings] = await select<{ default_send_hipotese: string | null }>(t, 'SELECT default_send_hipotese FROM tramita_settings');
  const mapped = new Map(rows.map((r) => [String(r.legal_basis_id), r.hipotese]));
  return (id, name) => {
    if (id === null && name === null) return null;
    return (id !== null ? mapped.get(String(id)) : undefined) ?? (name ? hipoteseNamed(name) : null) ?? settings?.default_send_hipotese ?? null;
  };
}
