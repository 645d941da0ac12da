import { Router } from 'express';
import { publicRoute } from '../auth/guard.ts';
import { pingDatabase } from '../db/connection.ts';
import type { Availability } from './availability.ts';

/**
 * Liveness and readiness probes for load balancers and orchestrators (JSON, no session).
 * Readiness is red while the instance shuts down and while its database does
 * not answer (the watched state when the availability watches it, else a ping).
 */
export function healthRoutes(availability: Availability): Router {
  const router = Router();
  const startedAt = Date.now();

  router.get('/healthz', publicRoute(), (_req, res) => {
    res
      .set('Cache-Control', 'no-store')
      .json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
  });

  router.get('/readyz', publicRoute(), async (_req, res) => {
    const database = availability.watching ? availability.database === 'up' : await pingDatabase();
    const status = availability.stopping ? 'stopping' : database ? 'ready' : 'unavailable';
    res
      .status(status === 'ready' ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status, checks: { database: database ? 'up' : 'down' } });
  });

  return router;
}
