import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const DEMO_PASSWORD = 'Demo@2026';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  APP_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+$/, 'APP_DOMAIN deve ser um nome de host em minúsculas, sem porta')
    .default('localhost'),
  DATABASE_URL: z.string().url().optional(),
  /** The same database without a pooler in between: LISTEN and the migration runner's lock need a session. */
  DATABASE_DIRECT_URL: z.string().url().optional(),
  /** Named prepared statements (planned once per connection); off behind PgBouncer older than 1.21. */
  DB_PREPARED_STATEMENTS: z
    .enum(['true', 'false'], { message: 'DB_PREPARED_STATEMENTS deve ser true ou false' })
    .default('true')
    .transform((v) => v === 'true'),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('PEN Nuvem <nao-responda@pen.gov.br>'),
  SESSION_SECRET: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  DB_POOL_MAX: z.coerce.number().int().min(1).default(20),
  /** Port of the embedded PostgreSQL (no DATABASE_URL); a free one is taken when it is busy. */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(5433),
  /** Web processes (one per core is best); 1 outside production unless set. See server/cluster.ts. */
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
  /**
   * Idle keep-alive connections are kept this long. Longer than the idle timeout of whatever sits in
   * front (ALB and nginx upstreams: 60 s), so it is the balancer that closes an idle connection: with
   * Node's 5 s, a request sent on a connection the server is closing at that instant gets a reset (a 502).
   */
  HTTP_KEEP_ALIVE_SECONDS: z.coerce.number().int().min(1).max(3600).default(65),
  DB_POOL_MAX_USES: z.coerce.number().int().min(1).default(200),
  MIGRATION_CONCURRENCY: z.coerce.number().int().min(1).default(4),
  SPARE_SCHEMAS: z.coerce.number().int().min(0).max(100).default(3),
  DEMO_PASSWORD: z.string().optional(),
  VAR_DIR: z.string().default(path.resolve(__dirname, '..', 'var')),
  PUBLIC_URL_SCHEME: z.enum(['http', 'https']).optional(),
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(1).default(50 * 1024 * 1024),
  PDF_JOB_STALE_SECONDS: z.coerce.number().int().min(10).default(120),
  PDF_JOB_KEEP_HOURS: z.coerce.number().min(0.01).default(24),
  PDF_JOB_PROGRESS_MS: z.coerce.number().int().min(0).default(500),
  /** Consulta pública: requests per IP per minute (counted in platform.rate_limits). */
  PUBLIC_CONSULTATION_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  /** Integration API: calls per key per minute, and failed key checks per IP per 15 minutes (platform.rate_limits). */
  API_CALLS_PER_MINUTE: z.coerce.number().int().min(1).default(300),
  API_KEY_FAILURES_PER_IP: z.coerce.number().int().min(1).default(100),
  /** gov.br Login Único (OpenID Connect): all three or none; none hides "Entrar com gov.br". */
  GOVBR_ISSUER: z.string().url('GOVBR_ISSUER deve ser a URL do emissor, como https://sso.acesso.gov.br').optional(),
  GOVBR_CLIENT_ID: z.string().min(1).optional(),
  GOVBR_CLIENT_SECRET: z.string().min(1).optional(),
});

export interface GovbrSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

export type Config = z.infer<typeof schema> & {
  production: boolean;
  sessionSecret: string;
  demoPassword: string;
  scheme: 'http' | 'https';
  webProcesses: number;
  /** Null when gov.br sign-in is not configured. */
  govbr: GovbrSettings | null;
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (VAR= in a .env file) means "not set".
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Configuração inválida:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const production = c.NODE_ENV === 'production';
  const govbrSet = [c.GOVBR_ISSUER, c.GOVBR_CLIENT_ID, c.GOVBR_CLIENT_SECRET].filter(Boolean).length;
  if (govbrSet !== 0 && govbrSet !== 3) {
    throw new ConfigError('Configuração inválida: GOVBR_ISSUER, GOVBR_CLIENT_ID e GOVBR_CLIENT_SECRET vão juntos (todos ou nenhum)');
  }
  if (production) {
    const problems: string[] = [];
    if (!c.SESSION_SECRET || c.SESSION_SECRET.length < 32) problems.push('SESSION_SECRET ausente ou com menos de 32 caracteres');
    if (c.DEMO_PASSWORD) problems.push('DEMO_PASSWORD não pode ser usado em produção');
    if (!c.DATABASE_URL) problems.push('DATABASE_URL é obrigatório em produção');
    if (!c.SMTP_URL) problems.push('SMTP_URL é obrigatório em produção');
    if (c.GOVBR_ISSUER && !c.GOVBR_ISSUER.startsWith('https://')) problems.push('GOVBR_ISSUER deve usar https em produção');
    if (problems.length) throw new ConfigError(`Produção recusada: ${problems.join('; ')}`);
  }
  return {
    ...c,
    production,
    sessionSecret: c.SESSION_SECRET ?? 'dev-only-secret-not-for-production',
    demoPassword: c.DEMO_PASSWORD ?? DEMO_PASSWORD,
    scheme: c.PUBLIC_URL_SCHEME ?? (production ? 'https' : 'http'),
    webProcesses: c.WEB_CONCURRENCY ?? (production ? os.availableParallelism() : 1),
    govbr: c.GOVBR_ISSUER && c.GOVBR_CLIENT_ID && c.GOVBR_CLIENT_SECRET ? { issuer: c.GOVBR_ISSUER, clientId: c.GOVBR_CLIENT_ID, clientSecret: c.GOVBR_CLIENT_SECRET } : null,
  };
}
