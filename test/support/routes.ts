import type { RequestHandler, Router } from 'express';
import apiRoutes from '../../server/api/routes';
import { buildHostRouters } from '../../server/app';
import govbrRoutes from '../../server/govbr/routes';
import type { GovbrService } from '../../server/govbr/service';
import publicConsultationRoutes from '../../server/public-consultation/routes';
import { testEnv } from './environment';

/** One route of a host as its router declares it, with the handlers of its chain. */
export interface DeclaredRoute {
  host: 'platform' | 'tenant';
  method: 'GET' | 'POST';
  path: string;
  handlers: RequestHandler[];
}

interface Layer {
  rawPath?: string;
  slash?: boolean;
  handle?: RequestHandler & { stack?: Layer[] };
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: RequestHandler; method?: string }[] };
}

function walk(router: Router, host: DeclaredRoute['host']): DeclaredRoute[] {
  const out: DeclaredRoute[] = [];
  const visit = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of ['get', 'post'] as const) {
          if (!layer.route.methods[method]) continue;
          const path = `${prefix}${layer.route.path}`.replace(/(.)\/+$/, '$1') || '/';
          out.push({ host, method: method.toUpperCase() as 'GET' | 'POST', path, handlers: layer.route.stack.filter((s) => !s.method || s.method === method).map((s) => s.handle) });
        }
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && !layer.slash ? layer.rawPath : '';
        visit(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  visit((router as unknown as { stack: Layer[] }).stack, '');
  return out;
}

/** Every GET and POST route of both hosts, read from the same routers the app mounts. */
export function declaredRoutes(): DeclaredRoute[] {
  const { config, sequelize, registry } = testEnv();
  const services = { config, sequelize, registry, loginThrottle: undefined as never };
  const { platform, tenant } = buildHostRouters(services);
  // Mounted outside the host routers: the consultation and the integration API before the session, gov.br only when configured
  // (its service is never called while walking).
  const govbr = {} as GovbrService;
  const seen = new Set<string>();
  return [
    ...walk(platform, 'platform'),
    ...walk(govbrRoutes(services, govbr, 'platform'), 'platform'),
    ...walk(tenant, 'tenant'),
    ...walk(govbrRoutes(services, govbr, 'tenant'), 'tenant'),
    ...walk(publicConsultationRoutes(services), 'tenant'),
    ...walk(apiRoutes(services), 'tenant'),
  ].filter((r) => {
    const key = `${r.host} ${r.method} ${r.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The path with every `:param` replaced by `value(name)`. */
export function fillPath(path: string, value: (name: string) => string): string {
  return path.replace(/:([A-Za-z_]+)/g, (_m, name: string) => encodeURIComponent(value(name)));
}
