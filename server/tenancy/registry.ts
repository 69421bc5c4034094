import type { Sequelize } from 'sequelize';
import { platformExecute, platformSelect } from '../db/sql';
import type { NumberingScheme, TenantKind, TenantStatus } from '../models';
import { schemaFor, type TenantRef } from './context';
import { derivedArticle, type Article } from './grammar';

export interface RegisteredTenant extends TenantRef {
  status: TenantStatus;
  kind: TenantKind;
  uf: string;
  numberingScheme: NumberingScheme;
  /** The article of its name ("a Prefeitura…", "o Governo…"): see server/tenancy/grammar.ts. */
  article: Article;
}

export type HostResolution =
  | { type: 'platform' }
  | { type: 'tenant'; tenant: RegisteredTenant }
  | { type: 'unknown' };

interface Row {
  id: string;
  slug: string;
  name: string;
  status: TenantStatus;
  kind: TenantKind;
  uf: string;
  numbering_scheme: NumberingScheme;
  article: Article | null;
}

const SLUG_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const REGISTRY_CHANNEL = 'pen_tenant_registry';

/**
 * Host → tenant, against `platform.tenants` (subdomains of APP_DOMAIN) and `platform.tenant_domains`
 * (custom domains). Answers are cached briefly and dropped at once on `invalidate()` — which every
 * change to a tenant calls, and which a NOTIFY on REGISTRY_CHANNEL triggers in the other processes.
 */
export class TenantRegistry {
  private cache = new Map<string, { value: HostResolution; expires: number }>();

  constructor(
    private readonly sequelize: Sequelize,
    private readonly appDomain: string,
    private readonly ttlMs = 30_000,
  ) {}

  async resolve(hostname: string): Promise<HostResolution> {
    const host = hostname.toLowerCase().replace(/\.$/, '');
    if (host === this.appDomain) return { type: 'platform' };
    const hit = this.cache.get(host);
    if (hit && hit.expires > Date.now()) return hit.value;
    const value = await this.lookup(host);
    this.cache.set(host, { value, expires: Date.now() + this.ttlMs });
    return value;
  }

  invalidate(): void {
    this.cache.clear();
  }

  /** Tells every process (this one included) that the registry changed. */
  async announceChange(): Promise<void> {
    this.invalidate();
    await platformExecute(this.sequelize, `SELECT pg_notify('${REGISTRY_CHANNEL}', '')`);
  }

  private async lookup(host: string): Promise<HostResolution> {
    const suffix = `.${this.appDomain}`;
    let rows: Row[];
    const columns = 't.id, t.slug, t.name, t.status, t.kind, t.uf, t.numbering_scheme, t.article';
    if (host.endsWith(suffix)) {
      const label = host.slice(0, -suffix.length);
      if (!SLUG_LABEL.test(label)) return { type: 'unknown' };
      rows = await platformSelect<Row>(this.sequelize, `SELECT ${columns} FROM platform.tenants t WHERE t.slug = $1`, [label]);
    } else {
      rows = await platformSelect<Row>(
        this.sequelize,
        `SELECT ${columns} FROM platform.tenant_domains d JOIN platform.tenants t ON t.id = d.tenant_id WHERE d.domain = $1`,
        [host],
      );
    }
    if (!rows.length) return { type: 'unknown' };
    const r = rows[0];
    const id = String(r.id);
    return {
      type: 'tenant',
      tenant: {
        id,
        slug: r.slug,
        name: r.name,
        schema: schemaFor(id),
        status: r.status,
        kind: r.kind,
        uf: r.uf,
        numberingScheme: r.numbering_scheme,
        article: r.article ?? derivedArticle(r.kind, r.name),
      },
    };
  }
}
