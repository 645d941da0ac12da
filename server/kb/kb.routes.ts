import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { KB_FLAG_KINDS } from '../../models/kb-feedback.ts';
import { guard } from '../auth/guard.ts';
import { can } from '../auth/permissions.ts';
import { NotFoundError } from '../core/errors.ts';
import { wantsJson } from '../core/http.ts';
import { field, parseInput } from '../core/validation.ts';
import type { AnswersService } from '../posts/answers.service.ts';
import type { TopicsService } from '../topics/topics.service.ts';
import {
  articleSchema,
  diffSchema,
  feedbackSchema,
  kbFlagSchema,
  kbIndexSchema,
  resolveFlagSchema,
  restoreSchema,
  transitionSchema,
} from './kb.schemas.ts';
import type { KbService } from './kb.service.ts';

function numberOf(req: Request): number {
  const value = String(req.params.number);
  if (!/^\d{1,9}$/.test(value)) throw new NotFoundError('kb.notFound');
  return Number(value);
}

/** Knowledge-base pages: index, article, editing, history, feedback, flags and the queue. */
/** The publishing-rule form: one checkbox. */
const publishingSchema = z.object({ secondReviewer: field.checkbox() });

export function kbRoutes(deps: { kb: KbService; topics: TopicsService; answers: AnswersService }): Router {
  const { kb, topics, answers } = deps;
  const router = Router();

  router.get('/kb', guard('kb.read'), async (req: Request, res: Response) => {
    const filters = parseInput(kbIndexSchema, req.query);
    const [result, tree] = await Promise.all([kb.index(req.user!, filters), topics.tree()]);
    res.render('pages/kb/index', {
      title: req.t('kb.index.title'),
      filters,
      topicOptions: tree.all,
      ...result,
    });
  });

  router.get('/kb/queue', guard('kb.manage'), async (req: Request, res: Response) => {
    const [queue, publishing] = await Promise.all([kb.queue(), kb.settings.publishing()]);
    res.render('pages/kb/queue', { title: req.t('kb.queue.title'), ...queue, publishing });
  });

  /** The publishing rule: a knowledge manager other than the last version's editor publishes it. */
  router.post('/kb/settings/publishing', guard('kb.manage'), async (req: Request, res: Response) => {
    const { secondReviewer } = parseInput(publishingSchema, req.body);
    await kb.settings.setSecondReviewer(secondReviewer, req.user!, req.ip ?? '');
    if (wantsJson(req)) {
      res.json({ secondReviewer });
      return;
    }
    req.session.flash = [{ type: 'success', key: 'kb.publishing.saved' }];
    res.redirect(303, '/kb/queue');
  });

  router.get('/kb/new', guard('kb.manage'), async (req: Request, res: Response) => {
    res.render('pages/kb/form', {
      title: req.t('kb.form.newTitle'),
      isNew: true,
      article: { topics: [] },
      topicGroups: (await topics.tree()).groups,
    });
  });

  router.post('/kb', guard('kb.manage'), async (req: Request, res: Response) => {
    const number = await kb.create(req.user!, parseInput(articleSchema, req.body));
    req.session.flash = [{ type: 'success', key: 'kb.created' }];
    res.redirect(303, `/kb/${number}`);
  });

  router.post('/kb/flags/:id/resolve', guard('kb.manage'), async (req: Request, res: Response) => {
    const input = parseInput(resolveFlagSchema, req.body);
    const number = await kb.resolveFlag(String(req.params.id), req.user!, input.outcome, input.resolution);
    req.session.flash = [{ type: 'success', key: `kb.flags.resolved.${input.outcome}` }];
    res.redirect(303, `/kb/${number}`);
  });

  router.get('/kb/:number', guard('kb.read'), async (req: Request, res: Response) => {
    const page = await kb.page(numberOf(req), req.user!);
    res.render('pages/kb/show', {
      title: `KB-${page.article.number} · ${page.article.title}`,
      ...page,
      comments: await answers.commentsOn('article', page.article.id, req.user!),
      canComment: page.article.state === 'published' && can(req.user!, 'content.create'),
      flagKinds: KB_FLAG_KINDS,
    });
  });

  // The state part of an article's page, for live updates (public/js/realtime.js).
  router.get('/kb/:number/status', guard('kb.read'), async (req: Request, res: Response) => {
    const status = await kb.status(numberOf(req), req.user!);
    res.set('Cache-Control', 'no-store');
    res.render('partials/kb-status', { layout: false, ...status });
  });

  router.get('/kb/:number/edit', guard('kb.read'), async (req: Request, res: Response) => {
    const article = await kb.editable(numberOf(req), req.user!);
    res.render('pages/kb/form', {
      title: req.t('kb.form.editTitle', { number: article.number }),
      isNew: false,
      article,
      topicGroups: (await topics.tree()).groups,
    });
  });

  router.post('/kb/:number/edit', guard('kb.read'), async (req: Request, res: Response) => {
    const number = numberOf(req);
    await kb.update(number, req.user!, parseInput(articleSchema, req.body));
    req.session.flash = [{ type: 'success', key: 'kb.saved' }];
    res.redirect(303, `/kb/${number}`);
  });

  router.post('/kb/:number/transition', guard('kb.read'), async (req: Request, res: Response) => {
    const number = numberOf(req);
    const { to } = parseInput(transitionSchema, req.body);
    await kb.transition(number, req.user!, to);
    if (wantsJson(req)) {
      res.json({ number, state: to });
      return;
    }
    req.session.flash = [{ type: 'success', key: `kb.moved.${to}` }];
    res.redirect(303, `/kb/${number}`);
  });

  router.get('/kb/:number/history', guard('kb.read'), async (req: Request, res: Response) => {
    const number = numberOf(req);
    const query = parseInput(diffSchema, req.query);
    const history = await kb.history(number, req.user!);
    const newest = history.revisions[0]?.version ?? 1;
    const to = query.to ?? newest;
    const from = query.from ?? Math.max(1, to - 1);
    const result =
      from !== to
        ? await kb.diff(number, req.user!, Math.min(from, to), Math.max(from, to), req.locale)
        : { ...history, diff: null };
    res.render('pages/kb/history', { title: req.t('kb.history.title', { number }), ...result, from, to });
  });

  router.post('/kb/:number/restore', guard('kb.read'), async (req: Request, res: Response) => {
    const number = numberOf(req);
    const { version } = parseInput(restoreSchema, req.body);
    await kb.restore(number, req.user!, version);
    req.session.flash = [{ type: 'success', key: 'kb.restored', params: { version } }];
    res.redirect(303, `/kb/${number}/history`);
  });

  router.post('/kb/:number/feedback', guard('kb.read'), async (req: Request, res: Response) => {
    const number = numberOf(req);
    const input = parseInput(feedbackSchema, req.body);
    const result = await kb.feedback(number, req.user!, input.helpful, input.comment);
    if (wantsJson(req)) {
      res.json(result);
      return;
    }
    req.session.flash = [{ type: 'success', key: 'kb.feedback.thanks' }];
    res.redirect(303, `/kb/${number}#feedback`);
  });

  router.post('/kb/:number/flag', guard('kb.read'), async (req: Request, res: Response) => {
    const number = numberOf(req);
    const input = parseInput(kbFlagSchema, req.body);
    await kb.flag(number, req.user!, input.kind, input.comment);
    req.session.flash = [{ type: 'success', key: 'kb.flags.thanks' }];
    res.redirect(303, `/kb/${number}#feedback`);
  });

  for (const type of ['post', 'answer'] as const) {
    router.post(`/${type}s/:id/promote`, guard('kb.manage'), async (req: Request, res: Response) => {
      const number = await kb.promote(req.user!, type, String(req.params.id));
      req.session.flash = [{ type: 'success', key: 'kb.promoted', params: { number } }];
      res.redirect(303, `/kb/${number}/edit`);
    });
  }

  return router;
}
