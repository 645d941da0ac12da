import { type Request, type Response, Router } from 'express';
import { guard } from '../auth/guard.ts';
import type { Services } from '../services.ts';

export function homeRoutes(services: Services): Router {
  const router = Router();

  router.get('/', guard('app.use'), async (req: Request, res: Response) => {
    const snapshot = await services.home.organisationSnapshot();
    res.render('pages/home', { title: req.t('home.title'), snapshot });
  });

  return router;
}
