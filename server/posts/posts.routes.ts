import { create as contentDisposition } from 'content-disposition';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { CommentTarget } from '../../models/comment.ts';
import { CHANNELS, type PostKind } from '../../models/post.ts';
import { guard } from '../auth/guard.ts';
import { can } from '../auth/permissions.ts';
import type { Config } from '../config.ts';
import { ForbiddenError, NotFoundError } from '../core/errors.ts';
import { safeRedirectPath, wantsJson } from '../core/http.ts';
import { field, parseInput } from '../core/validation.ts';
import type { KbService } from '../kb/kb.service.ts';
import { keepableValues } from '../middleware/form-state.ts';
import { filesUpload } from '../middleware/uploads.ts';
import type { SearchService } from '../search/search.service.ts';
import type { FileStorage } from '../storage/file-storage.ts';
import type { TopicsService } from '../topics/topics.service.ts';
import type { VotesService } from '../votes/votes.service.ts';
import type { AnswersService } from './answers.service.ts';
import { takeUploadQuota, type UploadedFile } from './attachments.ts';
import type { FeedsService } from './feeds.service.ts';
import type { ModerationService } from './moderation.service.ts';
import {
  answerSchema,
  commentSchema,
  deletionSchema,
  flagSchema,
  kindSchema,
  type PostInput,
  SCHEMA_BY_KIND,
} from './posts.schemas.ts';
import { isModerator, type PostsService } from './posts.service.ts';

export interface PostRouteDeps {
  config: Config;
  search: SearchService;
  votes: VotesService;
  kb: KbService;
  posts: PostsService;
  feeds: FeedsService;
  answers: AnswersService;
  moderation: ModerationService;
  topics: TopicsService;
  storage: FileStorage;
}

const diffQuery = z.object({
  from: z.coerce.number().int().min(1).optional().catch(undefined),
  to: z.coerce.number().int().min(1).optional().catch(undefined),
});

const citeSchema = z.object({ cite: field.list(z.coerce.number().int().min(1).max(9_999_999), { max: 10 }) });

const removeFilesSchema = z.object({
  removeFiles: field.list(z.string().regex(/^[0-9a-f]{24}$/), { max: 20 }),
});

function postInput(kind: PostKind, body: unknown): PostInput {
  if (kind === 'insight') return { kind, ...parseInput(SCHEMA_BY_KIND.insight, body) };
  return { kind, ...parseInput(SCHEMA_BY_KIND[kind], body) };
}

/** The files sent (a file input left empty sends none: multer skips a part without a name). */
function files(req: Request): UploadedFile[] {
  return (req.files as Express.Multer.File[] | undefined) ?? [];
}

/** Back to the post, at the element just changed. */
function toPost(postId: string, anchor?: string): string {
  return `/posts/${postId}${anchor ? `#${anchor}` : ''}`;
}

export function postsRoutes(deps: PostRouteDeps): Router {
  const { config, posts, answers, moderation, topics } = deps;
  const router = Router();
  const upload = filesUpload('attachments', config.posting.maxFiles, config.posting.attachmentMaxBytes);

  const renderForm = async (
    req: Request,
    res: Response,
    kind: PostKind,
    post?: Awaited<ReturnType<PostsService['editable']>>,
    extra: Record<string, unknown> = {},
  ) => {
    const tree = await topics.tree();
    res.render('pages/posts/form', {
      title: req.t(post ? 'posts.form.editTitle' : `posts.form.newTitle.${kind}`),
      kind,
      post: post ?? { kind, topics: [], tags: '', attachments: [] },
      isNew: !post,
      ...extra,
      topicGroups: tree.groups,
      channels: CHANNELS,
      limits: {
        files: config.posting.maxFiles,
        fileMb: Math.round(config.posting.attachmentMaxBytes / 100_000) / 10,
        totalMb: Math.round(config.posting.postAttachmentsMaxBytes / 100_000) / 10,
      },
    });
  };

  router.get('/posts/new', guard('content.create'), async (req: Request, res: Response) => {
    const kind = kindSchema.catch('insight').parse((req.query as Record<string, unknown>).kind);
    await renderForm(req, res, kind);
  });

  router.post('/posts', guard('content.create'), upload, async (req: Request, res: Response) => {
    const kind = parseInput(z.object({ kind: kindSchema }), req.body).kind;
    const body = req.body as Record<string, unknown>;
    if (body.checkSimilar && typeof body.title === 'string') {
      // Without JavaScript, "check similar" shows the list and keeps what was typed.
      const title = body.title.trim().slice(0, 160);
      const items = title
        ? await deps.search.similar({ id: req.user!.id, roles: req.user!.roles }, title)
        : [];
      res.locals.form = { id: '/posts/new', values: keepableValues(body), errors: {} };
      return renderForm(req, res, kind, undefined, { similar: { query: title, items } });
    }
    const input = postInput(kind, req.body);
    await takeUploadQuota(req.user!.id, files(req).length, config.posting.uploadsPerMinute);
    const id = await posts.create(req.user!, input, files(req));
    req.session.flash = [{ type: 'success', key: `posts.created.${kind}` }];
    res.redirect(303, toPost(id));
  });

  router.get('/posts/:id', guard('content.read'), async (req: Request, res: Response) => {
    const page = await posts.page(String(req.params.id), req.user!);
    // A merged duplicate's answers live on the original now: that is where its readers go.
    if (page.post.duplicateOf?.merged && !page.post.deleted) {
      res.redirect(303, `/posts/${page.post.duplicateOf.id}`);
      return;
    }
    if (page.post.hidden) res.status(410);
    const votable = [
      { type: 'post' as const, id: page.post.id },
      ...page.answers.filter((a) => !a.deleted).map((a) => ({ type: 'answer' as const, id: a.id })),
    ];
    const [mine, citable] = await Promise.all([
      deps.votes.mine(req.user!.id, votable),
      page.viewer.canAnswer ? deps.kb.citable() : Promise.resolve([]),
    ]);
    const myVote = (type: 'post' | 'answer', id: string) => mine.get(`${type}:${id}`) ?? 0;
    res.render('pages/posts/show', {
      title: page.post.title || req.t('posts.deleted.title'),
      ...page,
      post: { ...page.post, myVote: myVote('post', page.post.id) },
      answers: page.answers.map((a) => ({ ...a, myVote: myVote('answer', a.id) })),
      citable,
      canPromote: can(req.user!, 'kb.manage') && !page.post.deleted && !page.post.promotedTo,
    });
  });

  router.get('/posts/:id/edit', guard('content.create'), async (req: Request, res: Response) => {
    const post = await posts.editable(String(req.params.id), req.user!);
    await renderForm(req, res, post.kind, post);
  });

  router.post('/posts/:id/edit', guard('content.create'), upload, async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const current = await posts.editable(id, req.user!);
    const input = postInput(current.kind, req.body);
    const { removeFiles } = parseInput(removeFilesSchema, req.body);
    await takeUploadQuota(req.user!.id, files(req).length, config.posting.uploadsPerMinute);
    await posts.update(id, req.user!, input, files(req), removeFiles);
    req.session.flash = [{ type: 'success', key: 'posts.saved' }];
    res.redirect(303, toPost(id));
  });

  router.post('/posts/:id/delete', guard('content.create'), async (req: Request, res: Response) => {
    const { reason } = parseInput(deletionSchema, req.body);
    await posts.remove(String(req.params.id), req.user!, reason);
    req.session.flash = [{ type: 'success', key: 'posts.deletedDone' }];
    res.redirect(303, isModerator(req.user!) ? toPost(String(req.params.id)) : '/');
  });

  router.get('/posts/:id/history', guard('content.read'), async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const query = parseInput(diffQuery, req.query);
    const history = await posts.history(id, req.user!);
    const newest = history.revisions[0]?.number ?? 1;
    const to = query.to ?? newest;
    const from = query.from ?? Math.max(1, to - 1);
    const diff =
      from !== to
        ? await posts.diff(id, req.user!, Math.min(from, to), Math.max(from, to), req.locale)
        : null;
    res.render('pages/posts/history', {
      title: req.t('posts.history.title'),
      ...history,
      diff,
      from,
      to,
      backUrl: toPost(id),
    });
  });

  const respond = (
    req: Request,
    res: Response,
    postId: string,
    anchor: string,
    payload: Record<string, unknown>,
  ) => {
    if (wantsJson(req)) res.json(payload);
    else res.redirect(303, toPost(postId, anchor));
  };

  router.post('/posts/:id/confirm', guard('content.read'), async (req: Request, res: Response) => {
    const count = await posts.confirm(String(req.params.id), req.user!);
    respond(req, res, String(req.params.id), 'seen-this-too', { confirmations: count, confirmed: true });
  });

  router.post('/posts/:id/unconfirm', guard('content.read'), async (req: Request, res: Response) => {
    const count = await posts.unconfirm(String(req.params.id), req.user!);
    respond(req, res, String(req.params.id), 'seen-this-too', { confirmations: count, confirmed: false });
  });

  router.post('/posts/:id/bookmark', guard('content.read'), async (req: Request, res: Response) => {
    await posts.setBookmark(String(req.params.id), req.user!, true);
    respond(req, res, String(req.params.id), 'post-actions', { bookmarked: true });
  });

  router.post('/posts/:id/unbookmark', guard('content.read'), async (req: Request, res: Response) => {
    await posts.setBookmark(String(req.params.id), req.user!, false);
    respond(req, res, String(req.params.id), 'post-actions', { bookmarked: false });
  });

  // Answers

  router.post('/posts/:id/answers', guard('content.create'), async (req: Request, res: Response) => {
    const { body: written } = parseInput(answerSchema, req.body);
    // Articles chosen in the picker become KB-123 references at the end.
    const { cite } = parseInput(citeSchema, req.body);
    const missing = cite.filter((n) => !new RegExp(`\\bKB-${n}\\b`).test(written));
    const body = missing.length ? `${written}\n\n${missing.map((n) => `KB-${n}`).join(' ')}` : written;
    const answerId = await answers.create(String(req.params.id), req.user!, body);
    res.redirect(303, toPost(String(req.params.id), `answer-${answerId}`));
  });

  // Fragments that live updates insert into open pages (public/js/realtime.js), in the reader's language.

  router.get('/posts/:id/card', guard('content.read'), async (req: Request, res: Response) => {
    const card = await deps.feeds.card(String(req.params.id));
    if (!card) throw new NotFoundError('posts.notFound');
    res.set('Cache-Control', 'no-store');
    res.render('partials/post-card', { layout: false, ...card });
  });

  router.get('/posts/:id/confirmers', guard('content.read'), async (req: Request, res: Response) => {
    const postId = String(req.params.id);
    const confirmers = await posts.confirmers(postId, req.user!);
    res.set('Cache-Control', 'no-store');
    res.render('partials/seen-who', { layout: false, postId, confirmers });
  });

  router.get('/answers/:id/card', guard('content.read'), async (req: Request, res: Response) => {
    const { postId, postDeleted, postPromoted, answer } = await posts.answerCard(
      String(req.params.id),
      req.user!,
    );
    const mine = answer.deleted
      ? new Map()
      : await deps.votes.mine(req.user!.id, [{ type: 'answer', id: answer.id }]);
    res.set('Cache-Control', 'no-store');
    res.render('partials/answer', {
      layout: false,
      ...answer,
      myVote: mine.get(`answer:${answer.id}`) ?? 0,
      post: { id: postId },
      viewer: { canComment: !postDeleted },
      canPromote: can(req.user!, 'kb.manage') && !postDeleted && !postPromoted,
      currentPath: `/posts/${postId}`,
    });
  });

  router.get('/comments/:id/card', guard('content.read'), async (req: Request, res: Response) => {
    const comment = await answers.commentCard(String(req.params.id), req.user!);
    res.set('Cache-Control', 'no-store');
    res.render('partials/comment', { layout: false, ...comment });
  });

  router.get('/answers/:id/edit', guard('content.create'), async (req: Request, res: Response) => {
    const answer = await answers.editable(String(req.params.id), req.user!);
    res.render('pages/posts/answer-form', { title: req.t('answers.editTitle'), answer });
  });

  router.post('/answers/:id/edit', guard('content.create'), async (req: Request, res: Response) => {
    const { body } = parseInput(answerSchema, req.body);
    const postId = await answers.update(String(req.params.id), req.user!, body);
    res.redirect(303, toPost(postId, `answer-${req.params.id}`));
  });

  router.post('/answers/:id/delete', guard('content.create'), async (req: Request, res: Response) => {
    const { reason } = parseInput(deletionSchema, req.body);
    const postId = await answers.remove(String(req.params.id), req.user!, reason);
    res.redirect(303, toPost(postId, `answer-${req.params.id}`));
  });

  router.post('/answers/:id/accept', guard('content.read'), async (req: Request, res: Response) => {
    const postId = await answers.accept(String(req.params.id), req.user!);
    respond(req, res, postId, `answer-${req.params.id}`, { accepted: true });
  });

  router.post('/answers/:id/unaccept', guard('content.read'), async (req: Request, res: Response) => {
    const postId = await answers.unaccept(String(req.params.id), req.user!);
    respond(req, res, postId, `answer-${req.params.id}`, { accepted: false });
  });

  router.get('/answers/:id/history', guard('content.read'), async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const query = parseInput(diffQuery, req.query);
    const history = await answers.answerHistory(id, req.user!);
    const newest = history.revisions[0]?.number ?? 1;
    const to = query.to ?? newest;
    const from = query.from ?? Math.max(1, to - 1);
    const diff =
      from !== to ? await answers.answerDiff(id, req.user!, Math.min(from, to), Math.max(from, to)) : null;
    res.render('pages/posts/history', {
      title: req.t('posts.history.answerTitle'),
      post: { id: history.answer.postId, title: history.answer.postTitle },
      revisions: history.revisions,
      diff,
      from,
      to,
      answerId: id,
      backUrl: toPost(history.answer.postId, `answer-${id}`),
    });
  });

  // Comments

  const commentTarget = z.object({
    targetType: z.enum(['post', 'answer', 'article']),
    targetId: field.objectId(),
  });
  /** The comment in its thread: on its post, or on the page of the item it belongs to. */
  const toComment = async (
    where: { postId: string | null; targetType: CommentTarget; targetId: string },
    commentId: string,
  ) => `${await answers.threadUrl(where)}#comment-${commentId}`;

  router.post('/comments', guard('content.create'), async (req: Request, res: Response) => {
    const target = parseInput(commentTarget, req.body);
    const { body } = parseInput(commentSchema, req.body);
    const { commentId, postId } = await answers.comment(target.targetType, target.targetId, req.user!, body);
    res.redirect(303, await toComment({ ...target, postId }, commentId));
  });

  router.get('/comments/:id/edit', guard('content.create'), async (req: Request, res: Response) => {
    const comment = await answers.editableComment(String(req.params.id), req.user!);
    res.render('pages/posts/comment-form', {
      title: req.t('comments.editTitle'),
      comment,
      backUrl: await toComment(comment, comment.id),
    });
  });

  router.post('/comments/:id/edit', guard('content.create'), async (req: Request, res: Response) => {
    const { body } = parseInput(commentSchema, req.body);
    const where = await answers.updateComment(String(req.params.id), req.user!, body);
    res.redirect(303, await toComment(where, String(req.params.id)));
  });

  router.post('/comments/:id/delete', guard('content.create'), async (req: Request, res: Response) => {
    const { reason } = parseInput(deletionSchema, req.body);
    const where = await answers.removeComment(String(req.params.id), req.user!, reason);
    res.redirect(303, await toComment(where, String(req.params.id)));
  });

  // Flags

  for (const type of ['post', 'answer', 'comment'] as const) {
    router.post(`/${type}s/:id/flag`, guard('content.read'), async (req: Request, res: Response) => {
      const input = parseInput(flagSchema, req.body);
      await moderation.flag(type, String(req.params.id), req.user!, input.reason, input.comment);
      req.session.flash = [{ type: 'success', key: 'moderation.flagged' }];
      res.redirect(303, safeRedirectPath((req.body as Record<string, unknown>)._return, '/'));
    });
  }

  // Attachments: only for signed-in people; those of deleted posts only for moderators and the author.
  router.get('/attachments/:fileId/:name', guard('content.read'), async (req: Request, res: Response) => {
    const opened = await deps.storage.open(String(req.params.fileId));
    const purpose = opened?.file.metadata.purpose;
    // The name in the URL is the stored one: another name is another address, and does not exist.
    if (
      !opened ||
      (purpose !== 'attachment' && purpose !== 'thumbnail') ||
      req.params.name !== opened.file.filename
    ) {
      opened?.stream.destroy();
      throw new NotFoundError('attachments.notFound');
    }
    const postId = opened.file.metadata.post;
    if (postId) {
      const visible = await posts.attachmentVisible(postId, req.user!, opened.file.metadata.owner);
      if (!visible) {
        opened.stream.destroy();
        throw new ForbiddenError('attachments.hidden');
      }
    }
    const type = opened.file.contentType;
    // Pictures and recordings show in the page; PDFs (which a viewer may run scripts in) and text are saved.
    const inline = type.startsWith('image/') || type.startsWith('audio/');
    res.set({
      'Content-Type': type.startsWith('text/') ? `${type}; charset=utf-8` : type,
      'Content-Length': String(opened.file.size),
      // The person's own name (RFC 6266 filename*, UTF-8), with the safe stored name as the plain fallback.
      'Content-Disposition': contentDisposition(opened.file.metadata.name || opened.file.filename, {
        type: inline ? 'inline' : 'attachment',
        fallback: opened.file.filename,
      }),
      'Cache-Control': 'private, max-age=3600',
      'X-Content-Type-Options': 'nosniff',
      // A file is never a page of this site: no scripts, no plugins, even if a browser tried.
      'Content-Security-Policy':
        "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox",
    });
    opened.stream.on('error', () => res.destroy());
    opened.stream.pipe(res);
  });

  return router;
}
