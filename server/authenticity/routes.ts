import { Router } from 'express';
import { registerProcessSurface } from '../processes/surfaces';
import type { Services } from '../services';
import { authenticityThrottle } from '../signatures/throttle';
import { findAuthentic } from './service';
import { NO_INPUT, input } from '../validation';

/**
 * "Conferir autenticidade": public, on the tenant's host, no login. A GET form (nothing changes), so
 * the QR code's URL lands directly on the result. Failed lookups are counted per IP; past the limit
 * the page refuses to look anything up for a while.
 */
export default function authenticityRoutes(services: Services): Router {
  const router = Router();
  const throttle = authenticityThrottle(services.sequelize);

  router.get('/conferir-autenticidade', input(NO_INPUT), async (req, res) => {
    const codigo = typeof req.query.codigo === 'string' ? req.query.codigo.slice(0, 40) : '';
    const crc = typeof req.query.crc === 'string' ? req.query.crc.slice(0, 40) : '';
    const view = { title: 'Conferir autenticidade de documento', values: { codigo, crc } };
    if (!codigo && !crc) return res.render('authenticity/check', view);
    const key = req.ip ?? 'unknown';
    const wait = await throttle.blockedFor(key);
    if (wait) {
      return res.status(429).render('authenticity/check', { ...view, failure: `Muitas consultas sem resultado deste endereço. Tente novamente em ${Math.ceil(wait / 60)} minuto(s).` });
    }
    const found = await findAuthentic(codigo, crc);
    if (!found) {
      await throttle.failed(key);
      return res.status(404).render('authenticity/check', { ...view, notFound: true });
    }
    res.render('authenticity/check', { ...view, found });
  });

  return router;
}

registerProcessSurface('GET /conferir-autenticidade', 'conferência de autenticidade: título, número e signatários de um documento assinado');
