import { Router } from 'express';
import type { Sequelize } from 'sequelize';
import type { DatabaseHealth } from '../db/health';
import { platformExecute } from '../db/sql';

/**
 * `/healthz` answers without the database; `/readyz` only when the database answers — at once 503
 * while this process knows it is down (the probe says when it is back). Every host.
 */
export default function setUpHealthChecks(sequelize: Sequelize, health?: DatabaseHealth): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (health?.isDown()) {
      res.status(503).json({ status: 'unavailable' });
      return;
    }
    try {
      await platformExecute(sequelize, 'SELECT 1');
      res.json({ status: 'ok' });
    } catch (err) {
      health?.observe(err);
      res.status(503).json({ status: 'unavailable' });
    }
  });
  return router;
}
