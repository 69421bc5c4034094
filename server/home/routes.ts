import { Router } from 'express';
import { requireUser } from '../middleware/setUpAuth';
import { membershipsOf } from './service';

export default function homeRoutes(): Router {
  const router = Router();
  router.get('/', requireUser, async (req, res) => {
    const memberships = await membershipsOf(req.user!.id);
    res.render('tenant/home', { title: 'Início', memberships });
  });
  return router;
}
