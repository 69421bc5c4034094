import { Router } from 'express';
import type { Services } from '../services';
import { platformFigures } from './figures';

export default function platformRoutes({ sequelize }: Services): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const figures = await platformFigures(sequelize);
    res.render('platform/landing', { title: 'Início', figures });
  });
  return router;
}
