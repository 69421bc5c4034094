import { Router } from 'express';
import { requireOperator } from '../middleware/setUpAuth';
import type { Services } from '../services';
import { platformFigures } from './figures';

export default function platformRoutes({ sequelize }: Services): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const figures = await platformFigures(sequelize);
    res.render('platform/landing', { title: 'Início', figures });
  });
  router.get('/admin', requireOperator, async (_req, res) => {
    const figures = await platformFigures(sequelize);
    res.render('platform/console', { title: 'Console dos operadores', figures });
  });
  return router;
}
