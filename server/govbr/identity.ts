import { normaliseCpf } from '../brazil/documents';

/** Selos de confiabilidade of a gov.br account, lowest first (gov.br numbers them 1, 2, 3). */
export const TRUST_LEVELS = ['bronze', 'prata', 'ouro'] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

/** Who gov.br says signed in: what the citizen portal and the staff/operator sign-in read. */
export interface GovbrIdentity {
  /** The `sub` claim: the person's CPF, 11 digits. */
  cpf: string;
  name: string;
  email: string | null;
  /** gov.br's `email_verified`: the e-mail needs no confirmation link of ours. */
  emailVerified: boolean;
  trustLevel: TrustLevel;
}

export function atLeast(level: TrustLevel, required: TrustLevel): boolean {
  return TRUST_LEVELS.indexOf(level) >= TRUST_LEVELS.indexOf(required);
}

function levelOf(entry: unknown): TrustLevel | null {
  const raw = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).id ?? (entry as Record<string, unknown>).nivel : entry;
  const value = String(raw ?? '').trim().toLowerCase();
  const byNumber: Record<string, TrustLevel> = { '1': 'bronze', '2': 'prata', '3': 'ouro' };
  if (byNumber[value]) return byNumber[value];
  return (TRUST_LEVELS as readonly string[]).includes(value) ? (value as TrustLevel) : null;
}

/**
 * The highest level among the account's selos (`govbr_confiabilidades`: a list of level ids "1"–"3"
 * or names, possibly as objects `{ id }`). An account with none stated is bronze, gov.br's base level.
 */
export function trustLevelFrom(claim: unknown): TrustLevel {
  const entries = Array.isArray(claim) ? claim : claim === undefined || claim === null ? [] : [claim];
  let best: TrustLevel = 'bronze';
  for (const e of entries) {
    const level = levelOf(e);
    if (level && atLeast(level, best)) best = level;
  }
  return best;
}

export class GovbrClaimsError extends Error {}

/** The identity in the claims of the ID token and UserInfo (the latter wins where both speak). */
export function identityFromClaims(claims: Record<string, unknown>): GovbrIdentity {
  const cpf = typeof claims.sub === 'string' ? normaliseCpf(claims.sub) : null;
  if (!cpf) throw new GovbrClaimsError('O gov.br não informou um CPF válido.');
  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : null;
  if (!name) throw new GovbrClaimsError('O gov.br não informou o nome.');
  const email = typeof claims.email === 'string' && claims.email.includes('@') ? claims.email.trim().toLowerCase() : null;
  return {
    cpf,
    name,
    email,
    emailVerified: !!email && (claims.email_verified === true || claims.email_verified === 'true'),
    trustLevel: trustLevelFrom(claims.govbr_confiabilidades),
  };
}
