import { type Request, type Response, Router } from 'express';
import { TOPIC_KINDS } from '../../models/topic.ts';
import { guard } from '../auth/guard.ts';
import { NotFoundError } from '../core/errors.ts';
import { safeRedirectPath, wantsJson } from '../core/http.ts';
import { parseInput } from '../core/validation.ts';
import type { FeedsService } from '../posts/feeds.service.ts';
import { liveFeedOf } from '../posts/posts.realtime.ts';
import { feedQuerySchema } from '../posts/posts.schemas.ts';
import { mergeSchema, topicSchema } from './topics.schemas.ts';
import type { TopicsService } from './topics.service.ts';

/** Topic pages, following, and the taxonomy management of knowledge managers. */
export function topicsRoutes(deps: { topics: TopicsService; feeds: FeedsService }): Router {
  const { topics, feeds } = deps;
  const router = Router();

  router.get('/topics', guard('content.read'), async (req: Request, res: Response) => {
    const tree = await topics.tree(req.user!);
    res.render('pages/topics/index', { title: req.t('topics.title'), groups: tree.groups });
  });

  router.get('/topics/manage', guard('topics.manage'), async (req: Request, res: Response) => {
    const tree = await topics.tree();
    res.render('pages/topics/manage', {
      title: req.t('topics.manage.title'),
      groups: tree.groups,
      all: tree.all,
      kinds: TOPIC_KINDS,
      topic: {},
    });
  });

  router.post('/topics/manage', guard('topics.manage'), async (req: Request, res: Response) => {
    await topics.create(parseInput(topicSchema, req.body), req.user!);
    req.session.flash = [{ type: 'success', key: 'topics.manage.created' }];
    res.redirect(303, '/topics/manage');
  });

  router.get('/topics/manage/:id', guard('topics.manage'), async (req: Request, res: Response) => {
    const tree = await topics.tree();
    const topic = tree.all.find((t) => t.id === req.params.id);
    if (!topic) throw new NotFoundError('topics.notFound');
    res.render('pages/topics/edit', {
      title: req.t('topics.manage.editTitle'),
      topic,
      kinds: TOPIC_KINDS,
      parents: tree.all.filter((t) => t.id !== topic.id),
      mergeTargets: tree.all.filter((t) => t.id !== topic.id),
    });
  });

  router.post('/topics/manage/:id', guard('topics.manage'), async (req: Request, res: Response) => {
    await topics.update(String(req.params.id), parseInput(topicSchema, req.body), req.user!);
    req.session.flash = [{ type: 'success', key: 'topics.manage.saved' }];
    res.redirect(303, `/topics/manage/${req.params.id}`);
  });

  router.post('/topics/manage/:id/merge', guard('topics.manage'), async (req: Request, res: Response) => {
    const { into } = parseInput(mergeSchema, req.body);
    const result = await topics.merge(String(req.params.id), into, req.user!);
    req.session.flash = [{ type: 'success', key: 'topics.manage.merged', params: { posts: result.posts } }];
    res.redirect(303, '/topics/manage');
  });

  router.get('/topics/:slug', guard('content.read'), async (req: Request, res: Response) => {
    const found = await topics.bySlug(String(req.params.slug), req.user!);
    if ('redirectTo' in found) return res.redirect(301, found.redirectTo ?? '/topics');
    const query = parseInput(feedQuerySchema, {
      ...(req.query as Record<string, unknown>),
      topic: found.topic.id,
    });
    const page = await feeds.list(query);
    res.render('pages/topics/show', {
      title: req.t('topics.pageTitle', { name: found.topic.names[req.locale] }),
      ...found,
      ...page,
      query,
      live: liveFeedOf(query),
    });
  });

  for (const [kind, base] of [
    ['topic', 'topics'],
    ['user', 'people'],
  ] as const) {
    for (const on of [true, false]) {
      router.post(
        `/${base}/:id/${on ? 'follow' : 'unfollow'}`,
        guard('content.read'),
        async (req: Request, res: Response) => {
          await topics.follow(req.user!, kind, String(req.params.id), on);
          if (wantsJson(req)) {
            res.json({ following: on });
            return;
          }
          res.redirect(303, safeRedirectPath((req.body as Record<string, unknown>)._return, '/topics'));
        },
      );
    }
  }

  return router;
}
