import { Router } from 'express';
import { publicRoute } from '../auth/guard.ts';
import { pingDatabase } from '../db/connection.ts';

/** Liveness and readiness probes for load balancers and orchestrators (JSON, no session). */
export function healthRoutes(): Router {
  const router = Router();
  const startedAt = Date.now();

  router.get('/healthz', publicRoute(), (_req, res) => {
    res
      .set('Cache-Control', 'no-store')
      .json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
  });

  router.get('/readyz', publicRoute(), async (_req, res) => {
    const database = await pingDatabase();
    res
      .status(database ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: database ? 'ready' : 'unavailable', checks: { database: database ? 'up' : 'down' } });
  });

  return router;
}
