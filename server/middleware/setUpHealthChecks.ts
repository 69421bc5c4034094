import { Router } from 'express';
import type { Sequelize } from 'sequelize';
import { platformExecute } from '../db/sql';

/** `/healthz` answers without the database; `/readyz` only when the database answers. Every host. */
export default function setUpHealthChecks(sequelize: Sequelize): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await platformExecute(sequelize, 'SELECT 1');
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });
  return router;
}
