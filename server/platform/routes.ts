import { Router } from 'express';
import type { Services } from '../services';
import { platformFigures } from './figures';
import { NO_INPUT, input } from '../validation';

export default function platformRoutes({ sequelize }: Services): Router {
  const router = Router();
  router.get('/', input(NO_INPUT), async (_req, res) => {
    const figures = await platformFigures(sequelize);
    res.render('platform/landing', { title: 'Início', figures });
  });
  return router;
}
