import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { POST_KINDS } from '../../models/post.ts';
import { guard } from '../auth/guard.ts';
import { parseInput } from '../core/validation.ts';
import type { TopicsService } from '../topics/topics.service.ts';
import type { FeedsService } from './feeds.service.ts';
import { liveFeedOf } from './posts.realtime.ts';
import { FEED_SORTS, type FeedQuery, feedQuerySchema, TOP_PERIODS } from './posts.schemas.ts';

const cursorSchema = z.object({ cursor: z.string().max(500).optional().catch(undefined) });
const pageSchema = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1) });

/** How many of a list's filters differ from its defaults (the closed filter panel says so). */
function activeFilters(query: FeedQuery, fixed: Record<string, string>): number {
  return [
    query.kind && !fixed.kind,
    query.topic,
    query.tag,
    query.sort && query.sort !== 'newest',
    query.unanswered,
  ].filter(Boolean).length;
}

/** The feeds: home, all posts with filters, questions, my posts, my bookmarks. */
export function feedsRoutes(deps: { feeds: FeedsService; topics: TopicsService }): Router {
  const { feeds, topics } = deps;
  const router = Router();

  router.get('/', guard('app.use'), async (req: Request, res: Response) => {
    const { cursor } = parseInput(cursorSchema, req.query);
    const [page, aside] = await Promise.all([feeds.home(req.user!, cursor), feeds.aside(req.user!)]);
    res.render('pages/feeds/home', {
      title: req.t('feeds.home.title'),
      ...page,
      aside,
      feedKey: 'home',
      live: liveFeedOf({ cursor }),
    });
  });

  const listPage =
    (view: { title: string; heading: string; fixed?: Record<string, string> }) =>
    async (req: Request, res: Response) => {
      const query = parseInput(feedQuerySchema, { ...(req.query as Record<string, unknown>), ...view.fixed });
      const [page, tree, aside] = await Promise.all([
        feeds.list(query),
        topics.tree(),
        feeds.aside(req.user!),
      ]);
      res.render('pages/feeds/list', {
        title: req.t(view.title),
        heading: req.t(view.heading),
        ...page,
        aside,
        query,
        activeFilters: activeFilters(query, view.fixed ?? {}),
        fixed: view.fixed ?? {},
        kinds: POST_KINDS,
        sorts: FEED_SORTS,
        periods: TOP_PERIODS,
        topicOptions: tree.all,
        basePath: req.path,
        live: liveFeedOf(query),
      });
    };

  router.get(
    '/posts',
    guard('content.read'),
    listPage({ title: 'feeds.all.title', heading: 'feeds.all.heading' }),
  );
  router.get(
    '/questions',
    guard('content.read'),
    listPage({
      title: 'feeds.questions.title',
      heading: 'feeds.questions.heading',
      fixed: { kind: 'question' },
    }),
  );

  router.get('/my/posts', guard('content.read'), async (req: Request, res: Response) => {
    const query = parseInput(feedQuerySchema, {
      ...(req.query as Record<string, unknown>),
      author: req.user!.id,
    });
    const page = await feeds.list(query);
    res.render('pages/feeds/mine', {
      title: req.t('feeds.mine.title'),
      ...page,
      query,
      live: liveFeedOf(query),
    });
  });

  router.get('/my/bookmarks', guard('content.read'), async (req: Request, res: Response) => {
    const { page } = parseInput(pageSchema, req.query);
    const result = await feeds.bookmarks(req.user!, page);
    res.render('pages/feeds/bookmarks', { title: req.t('feeds.bookmarks.title'), ...result });
  });

  return router;
}
