import { type Request, type Response, Router } from 'express';
import { guard } from '../auth/guard.ts';
import { parseInput } from '../core/validation.ts';
import type { ActionContext } from '../users/users.service.ts';
import { teamSchema } from './teams.schemas.ts';
import type { TeamsService } from './teams.service.ts';

function context(req: Request): ActionContext {
  return { actor: req.user!, ip: req.ip ?? '' };
}

/** Team administration. */
export function teamsRoutes(teams: TeamsService): Router {
  const router = Router();

  router.get('/admin/teams', guard('teams.manage'), async (req: Request, res: Response) => {
    res.render('pages/admin/teams/index', { title: req.t('admin.teams.title'), teams: await teams.list() });
  });

  router.get('/admin/teams/new', guard('teams.manage'), async (req: Request, res: Response) => {
    res.render('pages/admin/teams/form', {
      title: req.t('admin.teams.newTitle'),
      isNew: true,
      team: { leads: [] },
      candidates: await teams.leadCandidates(),
    });
  });

  router.post('/admin/teams', guard('teams.manage'), async (req: Request, res: Response) => {
    const id = await teams.create(parseInput(teamSchema, req.body), context(req));
    req.session.flash = [{ type: 'success', key: 'admin.teams.created' }];
    res.redirect(303, `/admin/teams/${id}`);
  });

  router.get('/admin/teams/:id', guard('teams.manage'), async (req: Request, res: Response) => {
    const team = await teams.get(String(req.params.id));
    res.render('pages/admin/teams/form', {
      title: team.name,
      isNew: false,
      team: { ...team, id: String(team._id), leads: team.leads.map(String) },
      candidates: await teams.leadCandidates(),
    });
  });

  router.post('/admin/teams/:id', guard('teams.manage'), async (req: Request, res: Response) => {
    await teams.update(String(req.params.id), parseInput(teamSchema, req.body), context(req));
    req.session.flash = [{ type: 'success', key: 'admin.teams.saved' }];
    res.redirect(303, `/admin/teams/${req.params.id}`);
  });

  router.post('/admin/teams/:id/delete', guard('teams.manage'), async (req: Request, res: Response) => {
    await teams.remove(String(req.params.id), context(req));
    req.session.flash = [{ type: 'success', key: 'admin.teams.deleted' }];
    res.redirect(303, '/admin/teams');
  });

  return router;
}
