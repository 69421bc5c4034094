/**
 * Lists the pages the browser tests checked with axe-core (var/a11y-covered.txt, written by
 * `expectAccessible`) against every GET route of both kinds of host, and the error pages. Exits
 * non-zero when an HTML page was never checked. JSON endpoints live under /api/ and are not pages.
 *
 *   npm run a11y:coverage     (after npm test)
 */
import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { buildHostRouters } from '../../server/app';
import { LoginThrottle } from '../../server/auth/loginThrottle';
import { loadConfig } from '../../server/config';
import { GovbrService } from '../../server/govbr/service';
import publicConsultationRoutes from '../../server/public-consultation/routes';
import { createSequelize } from '../../server/db/sequelize';
import type { Services } from '../../server/services';
import { TenantRegistry } from '../../server/tenancy/registry';

const COVERED = path.resolve(__dirname, '..', '..', 'var', 'a11y-covered.txt');
const NOT_PAGES = [
  /^\/api\//, // JSON endpoints
  /^\/healthz$/,
  /^\/readyz$/,
  /\.(csv|pdf|json|txt)$/, // downloads
  /\/arquivo$/, // file downloads (documents, process PDFs)
  /\/exportar-tramite$/, // the Tramita package file (a ZIP download; its refusal is the send page)
  /^\/administracao$/, // redirects to the first administration page
  /^\/brasao$/, // the tenant's brasão (an image)
  /^\/protocolo\/servicos\/:id\/govbr$/, // redirects to gov.br (its failures render the service page)
  /^\/entrar\/govbr$/, // redirects to gov.br (its failures render the page checked at /entrar/govbr/concluir)
];
/** Pages that no route declares: the error pages every host can show. */
const ERROR_PAGES = ['Página não encontrada', 'Endereço não encontrado', 'Temporariamente indisponível', 'Acesso negado'];

interface Layer {
  rawPath?: string;
  slash?: boolean;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function getRoutes(router: Router): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route?.methods.get) out.push(`${prefix}${layer.route.path}`.replace(/\/+$/, '') || '/');
      else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && !layer.slash ? layer.rawPath : '';
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk((router as unknown as { stack: Layer[] }).stack, '');
  return [...new Set(out)].filter((p) => !NOT_PAGES.some((re) => re.test(p)));
}

function matcher(route: string): RegExp {
  return new RegExp(`^${route.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\(|\\\)/g, '').replace(/:[A-Za-z_]+/g, '[^/]+')}/?$`);
}

const lines = fs.existsSync(COVERED) ? fs.readFileSync(COVERED, 'utf8').trim().split('\n').filter(Boolean) : [];
const visits = lines.map((l) => {
  const [site, pathname, title] = l.split('\t');
  return { site, pathname, title };
});
// Routers are only walked, never run: services that connect to nothing are enough.
const config = loadConfig({ NODE_ENV: 'test' });
const sequelize = createSequelize({ url: 'postgres://ninguem@127.0.0.1:1/nada', poolMax: 1, poolMaxUses: 1 });
const withGovbr = { ...config, govbr: { issuer: 'https://sso.example', clientId: 'x', clientSecret: 'x' } };
const services: Services = { config, sequelize, registry: new TenantRegistry(sequelize, 'localhost'), loginThrottle: new LoginThrottle(sequelize), govbr: new GovbrService(sequelize, withGovbr) };
const hostRouters = buildHostRouters(services);
// The consulta pública is mounted before the session (server/app.ts), outside the host routers.
const tenant = Router();
tenant.use(publicConsultationRoutes(services));
tenant.use(hostRouters.tenant);
const routers = { platform: hostRouters.platform, tenant };
let missing = 0;
for (const site of ['platform', 'tenant'] as const) {
  process.stdout.write(`\n${site === 'platform' ? 'Plataforma' : 'Ente'}:\n`);
  for (const route of getRoutes(routers[site])) {
    const hits = visits.filter((v) => v.site === site && matcher(route).test(v.pathname));
    if (!hits.length) missing++;
    process.stdout.write(`  ${hits.length ? 'ok     ' : 'FALTA  '} GET ${route}${hits.length ? `  (${hits.length} verificações)` : ''}\n`);
  }
}
process.stdout.write('\nPáginas de erro:\n');
for (const title of ERROR_PAGES) {
  const hit = visits.some((v) => v.title.startsWith(title));
  if (!hit) missing++;
  process.stdout.write(`  ${hit ? 'ok     ' : 'FALTA  '} ${title}\n`);
}
process.stdout.write(`\n${visits.length} verificações axe-core em ${new Set(visits.map((v) => `${v.site}${v.pathname}`)).size} páginas distintas.\n`);
process.exit(missing ? (process.stdout.write(`${missing} página(s) sem verificação de acessibilidade.\n`), 1) : 0);
