/**
 * The tenant address (slug) rule — one place for the adhesion wizard, the console's approval, the
 * CLI (`tenants:create`) and provisioning. Schema names come from ids (`tenant_<id>`), so no slug can
 * reach SQL; reserved words are refused because they would be confusing hosts (`admin.…`, `api.…`)
 * or future traps (names PostgreSQL or the platform use for themselves).
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'www', 'admin', 'api', 'app', 'mail', 'smtp', 'imap', 'pop', 'ftp', 'static', 'assets', 'cdn', 'pen', 'gov', 'mgi',
  'localhost', 'suporte', 'status', 'ajuda', 'login', 'adesao', 'console', 'portal', 'teste', 'demo', 'root', 'sistema',
  'platform', 'plataforma', 'public', 'publico', 'information-schema', 'extensions', 'postgres', 'template0', 'template1',
  'tenant', 'tenants', 'auth', 'sso', 'govbr', 'health', 'metrics',
]);

/** Prefixes PostgreSQL reserves for its own schemas and roles (`pg_*`), and the tenant schemas' own. */
const RESERVED_PREFIXES = ['pg-', 'tenant-', 'information-schema'];

const SLUG_FORMAT = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why a slug cannot be used (format or reserved word), or null when it can — uniqueness aside. */
export function slugProblem(slug: string): string | null {
  if (!slug) return 'Informe o endereço.';
  if (slug.length < 3) return 'O endereço precisa ter pelo menos 3 caracteres.';
  if (!SLUG_FORMAT.test(slug)) return 'Use só letras minúsculas sem acento, números e hífens (sem hífen no início ou no fim).';
  if (slug.includes('--')) return 'Não use dois hífens seguidos.';
  if (RESERVED_SLUGS.has(slug) || RESERVED_PREFIXES.some((p) => slug.startsWith(p))) {
    return `"${slug}" é uma palavra reservada da plataforma. Escolha outro endereço.`;
  }
  return null;
}
