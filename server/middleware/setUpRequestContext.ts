import type { RequestHandler } from 'express';
import { namespace } from '../db/cls';
import { clearCurrentTenant, setCurrentTenant } from '../tenancy/context';

/**
 * Opens the request's CLS context: its log (with the request id) and, on a tenant host, its tenant.
 * Everything below reads the tenant from here, never from the request.
 */
export default function setUpRequestContext(): RequestHandler {
  return (req, res, next) => {
    // Listeners on a request body (form and upload parsers) must run in this context. A GET has no
    // body, and binding costs a wrapper on every listener of the request and response.
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      namespace.bindEmitter(req);
      namespace.bindEmitter(res);
    }
    namespace.run(() => {
      namespace.set('log', req.log);
      // Set every key explicitly: a new context inherits from whatever context was active.
      namespace.set('transaction', undefined);
      if (req.site.type === 'tenant') {
        const { id, slug, name, schema, article } = req.site.tenant;
        setCurrentTenant({ id, slug, name, schema, article });
      } else {
        clearCurrentTenant();
      }
      next();
    });
  };
}
