import { Router } from 'express';
import { z } from 'zod';
import { refreshMemberships } from '../auth/currentUnit';
import { ValidationError } from '../errors';
import { requireUser } from '../middleware/setUpAuth';
import { safeNext } from '../auth/routes';
import { NO_INPUT, input } from '../validation';

const switchSchema = z.object({ unitId: z.string().regex(/^\d+$/) });

export default function homeRoutes(): Router {
  const router = Router();
  /** Header switcher: the unit must be one of the user's (re-read, so a revoked unit is refused). */
  router.post('/unidade-atual', input(NO_INPUT), requireUser, async (req, res) => {
    const parsed = switchSchema.safeParse(req.body);
    await refreshMemberships(req);
    const unitId = parsed.success ? parsed.data.unitId : '';
    if (!req.session.memberships?.some((m) => m.unitId === unitId)) {
      throw new ValidationError('Escolha uma das suas unidades.');
    }
    req.session.currentUnitId = unitId;
    res.redirect(safeNext((req.body as Record<string, unknown>).next));
  });
  return router;
}
