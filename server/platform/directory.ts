import { Router } from 'express';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import type { Config } from '../config';
import { platformSelect } from '../db/sql';
import type { Services } from '../services';
import { tenantUrl } from '../tenancy/urls';
import { NO_INPUT, input } from '../validation';

const qSchema = z.string().trim().max(100);
const ufSchema = z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/);

export interface DirectoryEntry {
  name: string;
  kind: string;
  uf: string;
  url: string;
}

const KIND_LABEL: Record<string, string> = { municipio: 'Município', estado: 'Estado', orgao: 'Outro órgão' };

/** Active tenants whose name or address matches `q` (accents and case ignored), at most 100. */
export async function searchDirectory(sequelize: Sequelize, config: Config, q: string, uf?: string): Promise<DirectoryEntry[]> {
  const rows = await platformSelect<{ name: string; slug: string; kind: string; uf: string }>(
    sequelize,
    `SELECT name, slug, kind, uf FROM platform.tenants
      WHERE status = 'active'
        AND ($1 = '' OR extensions.immutable_unaccent(lower(name)) LIKE '%' || extensions.immutable_unaccent(lower($1)) || '%' OR slug LIKE '%' || lower($1) || '%')
        AND ($2::text IS NULL OR uf = $2)
      ORDER BY name LIMIT 100`,
    [q, uf ?? null],
  );
  return rows.map((r) => ({ name: r.name, kind: KIND_LABEL[r.kind] ?? r.kind, uf: r.uf, url: tenantUrl(config, r.slug) }));
}

/** The public directory of governments using PEN Nuvem (the platform header's search). */
export default function directoryRoutes({ sequelize, config }: Services): Router {
  const router = Router();
  router.get('/entes', input(NO_INPUT), async (req, res) => {
    // Each filter stands alone: a malformed UF is ignored, the name search still runs.
    const q = qSchema.safeParse(req.query.q).data ?? '';
    const uf = ufSchema.safeParse(req.query.uf).data;
    const entries = await searchDirectory(sequelize, config, q, uf);
    res.render('platform/directory', { title: 'Entes aderentes', q, uf, entries, searched: Boolean(q || uf) });
  });
  return router;
}
