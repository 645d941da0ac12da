import { type Request, type Response, Router } from 'express';
import { guard } from '../auth/guard.ts';
import { NotFoundError } from '../core/errors.ts';
import { parseInput } from '../core/validation.ts';
import type { TopicsService } from '../topics/topics.service.ts';
import { directorySchema } from './people.schemas.ts';
import type { PeopleService } from './people.service.ts';

export function peopleRoutes(people: PeopleService, topics: TopicsService): Router {
  const router = Router();

  router.get('/people', guard('people.view'), async (req: Request, res: Response) => {
    const filters = parseInput(directorySchema, req.query);
    const result = await people.directory(filters);
    res.render('pages/people/index', { title: req.t('people.title'), filters, ...result });
  });

  router.get('/people/:id', guard('people.view'), async (req: Request, res: Response) => {
    const person = await people.profile(String(req.params.id));
    if (!person.active && !req.user!.roles.includes('admin')) throw new NotFoundError('people.notFound');
    const following = await topics.isFollowingPerson(req.user!, person.id);
    res.render('pages/people/profile', {
      title: person.displayName,
      person,
      following,
      isSelf: person.id === req.user!.id,
    });
  });

  router.get('/people/:id/avatar', guard('people.view'), async (req: Request, res: Response) => {
    const opened = await people.avatar(String(req.params.id));
    if (!opened) throw new NotFoundError('people.noAvatar');
    res.set({
      'Content-Type': opened.file.contentType,
      'Content-Length': String(opened.file.size),
      'Cache-Control': 'private, max-age=86400',
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': 'inline; filename="avatar.webp"',
    });
    opened.stream.on('error', () => res.destroy());
    opened.stream.pipe(res);
  });

  return router;
}
