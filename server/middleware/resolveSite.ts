import type { RequestHandler } from 'express';
import type { TenantRegistry } from '../tenancy/registry';

/**
 * Which site this host is: the platform, a tenant, or nothing we serve. An unknown host gets a 404
 * page, a suspended tenant the "temporariamente indisponível" page and a closed one the "encerrado" page — never a default tenant.
 */
export default function resolveSite(registry: TenantRegistry): RequestHandler {
  return async (req, res, next) => {
    const resolution = await registry.resolve(req.hostname);
    if (resolution.type === 'unknown') {
      res.status(404).render('errors/unknown-host', { layout: 'platform', title: 'Endereço não encontrado', host: req.hostname });
      return;
    }
    if (resolution.type === 'tenant' && resolution.tenant.status === 'closed') {
      res.status(410).render('errors/closed', { layout: 'platform', title: 'Ente encerrado', tenantName: resolution.tenant.name });
      return;
    }
    if (resolution.type === 'tenant' && resolution.tenant.status !== 'active') {
      res.status(503).render('errors/suspended', {
        layout: 'platform',
        title: 'Temporariamente indisponível',
        tenantName: resolution.tenant.name,
      });
      return;
    }
    req.site = resolution.type === 'platform' ? { type: 'platform' } : { type: 'tenant', tenant: resolution.tenant };
    res.locals.layout = req.site.type;
    res.locals.site = req.site;
    res.locals.siteName = req.site.type === 'tenant' ? req.site.tenant.name : 'Ministério da Gestão e da Inovação';
    next();
  };
}
