import { diffWords } from 'diff';
import { Types } from 'mongoose';
import { Answer, type AnswerDoc } from '../../models/answer.ts';
import { nextSequence } from '../../models/counter.ts';
import { KB_SECTIONS, KbArticle, type KbArticleDoc, type KbState } from '../../models/kb-article.ts';
import {
  KbCitation,
  KbFeedback,
  KbFlag,
  type KbFlagKind,
  KbView,
  kbCitationId,
  kbFeedbackId,
} from '../../models/kb-feedback.ts';
import { KbRevision, kbRevisionId } from '../../models/kb-revision.ts';
import { Post, type PostDoc } from '../../models/post.ts';
import { PostContent } from '../../models/post-content.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { SessionUser } from '../auth/session-user.ts';
import type { Locale } from '../config.ts';
import { excerpt, markdownToText } from '../content/markdown.ts';
import type { ContentRenderer } from '../content/renderer.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import type { Directory, PersonRef, TopicRef } from '../people/directory.ts';
import type { PostsRepo } from '../posts/posts.repo.ts';
import type { DiffPart } from '../posts/posts.service.ts';
import type { ThreadsRepo } from '../posts/threads.repo.ts';
import './kb.events.ts';
import '../posts/posts.events.ts';
import type { KbArticleRow, KbRepo } from './kb.repo.ts';
import { KbSettings } from './kb.settings.ts';
import { canEdit, canMove, canRead, isKnowledgeManager, nextStates } from './kb.workflow.ts';

export const KB_PAGE_SIZE = 20;
const REVIEW_MONTHS = 6;

export interface ArticleInput {
  title: string;
  problem: string;
  environment: string;
  cause: string;
  resolution: string;
  topics: string[];
  reviewBy?: Date | null;
  note: string;
}

/** Decides whether someone is at the Publisher level in one of the topics (scores provide it). */
export type PublisherCheck = (userId: string, topicIds: string[]) => Promise<boolean>;

export interface KbDeps {
  repo: KbRepo;
  directory: Directory;
  /** Titles of the posts citing an article. */
  posts: PostsRepo;
  /** The answers an article was promoted from: their question and author. */
  threads: ThreadsRepo;
  events: EventBus;
  audit: AuditService;
  renderer: ContentRenderer;
  clock?: () => Date;
}

const CHANNEL_NAMES: Record<string, string> = {
  phone: 'telefono',
  chat: 'chat',
  email: 'email',
  social: 'social',
  store: 'negozio',
  app: 'app',
  other: 'altro canale',
};

function addMonths(date: Date, months: number): Date {
  const d = new Date(date);
  d.setMonth(d.getMonth() + months);
  return d;
}

function snapshotOf(a: {
  title: string;
  problem: string;
  environment: string;
  cause: string;
  resolution: string;
  topics: unknown[];
  state: string;
}) {
  return {
    title: a.title,
    problem: a.problem,
    environment: a.environment,
    cause: a.cause,
    resolution: a.resolution,
    topics: a.topics.map(String).join(','),
    state: a.state,
  };
}

/**
 * The knowledge base: promotion of posts and answers into articles, editing
 * with revisions, the editorial workflow, reader feedback and flags,
 * citations and views.
 */
export class KbService {
  readonly #deps: KbDeps;
  /** The publishing rule (a second knowledge manager, or not). */
  readonly settings: KbSettings;
  #isPublisher: PublisherCheck = async () => false;

  constructor(deps: KbDeps) {
    this.settings = new KbSettings(deps.audit);
    this.#deps = deps;
  }

  #now(): Date {
    return this.#deps.clock?.() ?? new Date();
  }

  /** Scores register how to tell a Publisher in a topic. */
  setPublisherCheck(check: PublisherCheck): void {
    this.#isPublisher = check;
  }

  /** KB-123 in any content links to the article (the renderer asks the KB). */
  attachToRenderer(): void {
    this.#deps.renderer.setArticleResolver(async (numbers) => {
      const articles = await this.#deps.repo.byNumbers(numbers);
      return new Map(articles.map((a) => [a.number, { url: `/kb/${a.number}`, title: a.title }]));
    });
  }

  /** Citation counting follows every post and answer (subscribed once per runtime). */
  subscribe(): void {
    const { events } = this.#deps;
    events.on('post.created', (e) => this.syncCitations('post', e.postId));
    events.on('post.updated', (e) => this.syncCitations('post', e.postId));
    events.on('post.deleted', (e) => this.syncCitations('post', e.postId));
    events.on('answer.created', (e) => this.syncCitations('answer', e.answerId));
    events.on('answer.updated', (e) => this.syncCitations('answer', e.answerId));
    events.on('answer.deleted', (e) => this.syncCitations('answer', e.answerId));
  }

  /** An article by its number, as read (lean). */
  async #byNumber(number: number): Promise<KbArticleRow> {
    const article = Number.isInteger(number) && number > 0 ? await this.#deps.repo.byNumber(number) : null;
    if (!article) throw new NotFoundError('kb.notFound');
    return article;
  }

  /** An article by its number, as a document to change and save. */
  async #documentOf(number: number): Promise<KbArticleDoc> {
    const found = await this.#byNumber(number);
    const article = await KbArticle.findById(found._id);
    if (!article) throw new NotFoundError('kb.notFound');
    return article;
  }

  /** Whether the person may read an article (by id): published and archived ones, drafts by their people. */
  async isVisibleTo(articleId: string, viewer: SessionUser): Promise<boolean> {
    if (!/^[0-9a-f]{24}$/i.test(articleId)) return false;
    const article = await KbArticle.findById(articleId);
    return Boolean(article && canRead(viewer, this.#actorOf(article)));
  }

  /**
   * With the second-reviewer rule on, whether `actorId` edited the version
   * that would be published (then another knowledge manager must publish it).
   */
  async #needsOtherPublisher(article: KbArticleRow, actorId: string): Promise<boolean> {
    if (!(await this.settings.publishing()).secondReviewer) return false;
    const last = await this.#deps.repo.revision(String(article._id), article.version);
    return String(last?.editor ?? article.createdBy) === actorId;
  }

  /** The moves the person may make, and whether publishing waits for another knowledge manager. */
  async #moves(viewer: SessionUser, article: KbArticleRow) {
    const states = nextStates(viewer, this.#actorOf(article));
    if (!states.includes('published') || !(await this.#needsOtherPublisher(article, viewer.id)))
      return { nextStates: states, secondReviewerNeeded: false };
    return { nextStates: states.filter((s) => s !== 'published'), secondReviewerNeeded: true };
  }

  /** Whether an article with this number exists and the person may read it ("KB-8" typed in search). */
  async readableNumber(number: number, viewer: SessionUser): Promise<boolean> {
    if (!Number.isInteger(number) || number <= 0) return false;
    const article = await this.#deps.repo.byNumber(number);
    return Boolean(article && canRead(viewer, this.#actorOf(article)));
  }

  #actorOf(article: Pick<KbArticleRow, 'state' | 'createdBy' | 'contributors'>) {
    return {
      state: article.state as KbState,
      createdBy: String(article.createdBy),
      contributors: article.contributors.map(String),
    };
  }

  async #checkTopics(ids: string[]): Promise<Types.ObjectId[]> {
    const unique = [...new Set(ids)];
    const known = await this.#deps.directory.topics();
    if (unique.some((id) => !known.has(id))) {
      throw new ValidationError({ topics: { key: 'validation.topicUnknown' } });
    }
    return unique.map((id) => new Types.ObjectId(id));
  }

  async #render(input: Pick<ArticleInput, 'problem' | 'environment' | 'cause' | 'resolution'>) {
    const rendered = await this.#deps.renderer.render({
      problem: input.problem,
      environment: input.environment,
      cause: input.cause,
      resolution: input.resolution,
    });
    return {
      problemHtml: rendered.html.problem,
      environmentHtml: rendered.html.environment,
      causeHtml: rendered.html.cause,
      resolutionHtml: rendered.html.resolution,
    };
  }

  async #revision(article: KbArticleDoc, editorId: string, note: string, at: Date): Promise<void> {
    await KbRevision.create({
      _id: kbRevisionId(String(article._id), article.version),
      article: article._id,
      version: article.version,
      editor: editorId,
      at,
      note,
      snapshot: snapshotOf(article),
    });
  }

  /** A blank draft written by a knowledge manager. */
  async create(actor: SessionUser, input: ArticleInput): Promise<number> {
    if (!isKnowledgeManager(actor)) throw new ForbiddenError('kb.cannotCreate');
    const topics = await this.#checkTopics(input.topics);
    const now = this.#now();
    const number = await nextSequence('kb');
    const article = await KbArticle.create({
      number,
      title: input.title,
      problem: input.problem,
      environment: input.environment,
      cause: input.cause,
      resolution: input.resolution,
      ...(await this.#render(input)),
      excerpt: excerpt(input.problem),
      topics,
      state: 'draft',
      createdBy: actor.id,
      owner: actor.id,
      contributors: [actor.id],
      reviewBy: input.reviewBy ?? null,
      createdAt: now,
      updatedAt: now,
    });
    await this.#revision(article, actor.id, input.note, now);
    await this.#deps.events.publish('kb.created', {
      articleId: String(article._id),
      number,
      actorId: actor.id,
      at: now,
    });
    return number;
  }

  /**
   * Promotes a post, an answer or a whole question thread into a draft,
   * pre-filled from the content, with its authors credited.
   */
  async promote(actor: SessionUser, sourceType: 'post' | 'answer', sourceId: string): Promise<number> {
    if (!isKnowledgeManager(actor)) throw new ForbiddenError('kb.cannotPromote');
    if (!/^[0-9a-f]{24}$/i.test(sourceId)) throw new NotFoundError('kb.sourceNotFound');
    let post: PostDoc | null = null;
    let answerDoc: AnswerDoc | null = null;
    if (sourceType === 'answer') {
      answerDoc = await Answer.findById(sourceId);
      if (!answerDoc || answerDoc.deleted) throw new NotFoundError('kb.sourceNotFound');
      post = await Post.findById(answerDoc.post);
    } else {
      post = await Post.findById(sourceId);
    }
    if (!post || post.deleted) throw new NotFoundError('kb.sourceNotFound');
    if (post.promotedTo?.number)
      throw new ConflictError('kb.alreadyPromoted', { number: post.promotedTo.number });
    const content = await PostContent.findById(post._id).lean();
    const known = await this.#deps.directory.topics();
    const topicNames = post.topics
      .map((t) => known.get(String(t))?.names.it ?? '')
      .filter(Boolean)
      .join(' · ');
    const credited = new Set<string>([String(post.author)]);
    let problem = '';
    let resolution = '';
    let environment = topicNames;
    if (sourceType === 'answer' && answerDoc) {
      problem = content?.body ?? '';
      resolution = answerDoc.body;
      credited.add(String(answerDoc.author));
    } else if (post.kind === 'insight') {
      problem = content?.situation ?? '';
      resolution = [content?.action ?? '', content?.outcome ?? ''].filter(Boolean).join('\n\n');
      if (post.channel)
        environment = `${topicNames} — canale: ${CHANNEL_NAMES[post.channel] ?? post.channel}`;
    } else if (post.kind === 'question') {
      problem = content?.body ?? '';
      const accepted = post.acceptedAnswer ? await Answer.findById(post.acceptedAnswer).lean() : null;
      if (accepted && !accepted.deleted) {
        resolution = accepted.body;
        credited.add(String(accepted.author));
      }
    } else {
      problem = post.title;
      resolution = content?.body ?? '';
    }

    const now = this.#now();
    const number = await nextSequence('kb');
    const contributors = [...credited].map((id) => new Types.ObjectId(id));
    const article = await KbArticle.create({
      number,
      title: post.title,
      problem,
      environment,
      cause: '',
      resolution,
      ...(await this.#render({ problem, environment, cause: '', resolution })),
      excerpt: excerpt(problem),
      topics: post.topics,
      state: 'draft',
      createdBy: actor.id,
      owner: actor.id,
      contributors,
      sources: [{ type: sourceType, id: new Types.ObjectId(sourceId) }],
      createdAt: now,
      updatedAt: now,
    });
    // Only one promotion per post, even if two managers click at once.
    const marked = await Post.updateOne(
      { _id: post._id, 'promotedTo.number': null },
      { $set: { promotedTo: { article: article._id, number } } },
    );
    if (marked.modifiedCount !== 1) {
      await KbArticle.deleteOne({ _id: article._id });
      const again = await Post.findById(post._id, { promotedTo: 1 }).lean();
      throw new ConflictError('kb.alreadyPromoted', { number: again?.promotedTo?.number ?? 0 });
    }
    await this.#revision(article, actor.id, 'promoted', now);
    await this.#deps.audit.record({
      actor: { id: actor.id, displayName: actor.displayName },
      action: 'kb.promote',
      target: { type: 'kb', id: String(article._id), label: `KB-${number}` },
      details: { source: `${sourceType}:${sourceId}` },
    });
    await this.#deps.events.publish('kb.promoted', {
      articleId: String(article._id),
      number,
      sourceType,
      sourceId,
      postId: String(post._id),
      creditedUserIds: [...credited],
      actorId: actor.id,
      topicIds: post.topics.map(String),
      at: now,
    });
    return number;
  }

  async #mayEdit(
    actor: SessionUser,
    article: Pick<KbArticleRow, 'state' | 'topics' | 'createdBy' | 'contributors'>,
  ): Promise<boolean> {
    const publisher =
      article.state === 'published' ? await this.#isPublisher(actor.id, article.topics.map(String)) : false;
    return canEdit(actor, this.#actorOf(article), publisher);
  }

  async editable(number: number, actor: SessionUser) {
    const article = await this.#byNumber(number);
    if (!(await this.#mayEdit(actor, article))) throw new ForbiddenError('kb.cannotEdit');
    return {
      number,
      title: article.title,
      problem: article.problem,
      environment: article.environment,
      cause: article.cause,
      resolution: article.resolution,
      topics: article.topics.map(String),
      reviewBy: article.reviewBy,
      state: article.state,
    };
  }

  /** Saves an edit as a new version (full snapshot with the editor and the note). */
  async update(number: number, actor: SessionUser, input: ArticleInput): Promise<void> {
    const article = await this.#documentOf(number);
    if (!(await this.#mayEdit(actor, article))) throw new ForbiddenError('kb.cannotEdit');
    const topics = await this.#checkTopics(input.topics);
    const now = this.#now();
    article.set({
      title: input.title,
      problem: input.problem,
      environment: input.environment,
      cause: input.cause,
      resolution: input.resolution,
      ...(await this.#render(input)),
      excerpt: excerpt(input.problem),
      topics,
      version: article.version + 1,
      editedAt: now,
      updatedAt: now,
    });
    if (input.reviewBy !== undefined) article.reviewBy = input.reviewBy;
    if (!article.contributors.some((c) => String(c) === actor.id))
      article.contributors.push(new Types.ObjectId(actor.id));
    await article.save({ timestamps: false });
    await this.#revision(article, actor.id, input.note, now);
    if (!isKnowledgeManager(actor)) {
      await this.#deps.audit.record({
        actor: { id: actor.id, displayName: actor.displayName },
        action: 'kb.publisherEdit',
        target: { type: 'kb', id: String(article._id), label: `KB-${number}` },
        details: { version: article.version, state: article.state },
      });
    }
    await this.#deps.events.publish('kb.updated', {
      articleId: String(article._id),
      number,
      version: article.version,
      editorId: actor.id,
      restoredFrom: null,
      at: now,
    });
  }

  /** Moves an article in the workflow; publishing sets the review-by date (6 months by default). */
  async transition(number: number, actor: SessionUser, to: KbState): Promise<void> {
    const article = await this.#byNumber(number);
    const from = article.state as KbState;
    if (!canMove(actor, this.#actorOf(article), to)) throw new ForbiddenError('kb.cannotMove', { from, to });
    if (to === 'published' && (!article.problem.trim() || !article.resolution.trim()))
      throw new ConflictError('kb.incomplete');
    if (to === 'published' && (await this.#needsOtherPublisher(article, actor.id)))
      throw new ConflictError('kb.secondReviewerNeeded');
    const now = this.#now();
    const update: Record<string, unknown> = { state: to, updatedAt: now };
    if (to === 'published') {
      update.publishedAt = now;
      if (!article.reviewBy || article.reviewBy <= now) update.reviewBy = addMonths(now, REVIEW_MONTHS);
    }
    const moved = await KbArticle.updateOne(
      { _id: article._id, state: from },
      { $set: update },
      { timestamps: false },
    );
    if (moved.modifiedCount !== 1) throw new ConflictError('kb.changedMeanwhile');
    await this.#deps.audit.record({
      actor: { id: actor.id, displayName: actor.displayName },
      action: `kb.${to}`,
      target: { type: 'kb', id: String(article._id), label: `KB-${number}` },
      details: { from, to },
    });
    await this.#deps.events.publish('kb.stateChanged', {
      articleId: String(article._id),
      number,
      title: article.title,
      from,
      to,
      actorId: actor.id,
      ownerId: article.owner ? String(article.owner) : null,
      createdById: String(article.createdBy),
      contributorIds: article.contributors.map(String),
      topicIds: article.topics.map(String),
      at: now,
    });
  }

  /** Makes an old version current again, as a new version. */
  async restore(number: number, actor: SessionUser, version: number): Promise<void> {
    const article = await this.#byNumber(number);
    const old = await this.#deps.repo.revision(String(article._id), version);
    if (!old) throw new NotFoundError('kb.versionNotFound');
    const snap = old.snapshot as Record<string, string>;
    const topics = (snap.topics ?? '').split(',').filter(Boolean);
    await this.update(number, actor, {
      title: snap.title ?? article.title,
      problem: snap.problem ?? '',
      environment: snap.environment ?? '',
      cause: snap.cause ?? '',
      resolution: snap.resolution ?? '',
      topics: topics.length ? topics : article.topics.map(String),
      note: `restore:${version}`,
    });
  }

  async history(number: number, viewer: SessionUser) {
    const article = await this.#byNumber(number);
    if (!canRead(viewer, this.#actorOf(article))) throw new NotFoundError('kb.notFound');
    const revisions = await this.#deps.repo.revisions(String(article._id), article.version);
    const people = await this.#deps.directory.people(revisions.map((r) => r.editor));
    return {
      article: { number, title: article.title, state: article.state, version: article.version },
      canRestore: await this.#mayEdit(viewer, article),
      revisions: revisions.map((r) => ({
        version: r.version,
        at: r.at,
        editor: people.get(String(r.editor)),
        note: r.note,
        restoredFrom: r.note.startsWith('restore:') ? Number(r.note.slice(8)) : null,
        promoted: r.note === 'promoted',
      })),
    };
  }

  async diff(number: number, viewer: SessionUser, from: number, to: number, locale: Locale) {
    const history = await this.history(number, viewer);
    const article = await this.#byNumber(number);
    const [a, b] = await Promise.all([
      this.#deps.repo.revision(String(article._id), from),
      this.#deps.repo.revision(String(article._id), to),
    ]);
    if (!a || !b) throw new NotFoundError('kb.versionNotFound');
    const before = a.snapshot as Record<string, string>;
    const after = b.snapshot as Record<string, string>;
    // Topics are kept as ids: the diff reads them as names in the viewer's language.
    const topicNames = await this.#deps.directory.topicListReader(locale);
    const read = (field: string, value: string | undefined) =>
      field === 'topics' ? topicNames(value ?? '') : (value ?? '');
    const fields = ['title', ...KB_SECTIONS, 'topics']
      .filter((f) => (before[f] ?? '') !== (after[f] ?? ''))
      .map((field) => ({
        field,
        parts: diffWords(read(field, before[field]), read(field, after[field])).map(
          (p): DiffPart => ({ value: p.value, added: Boolean(p.added), removed: Boolean(p.removed) }),
        ),
      }));
    return { ...history, diff: { from, to, fields } };
  }

  /**
   * The state of an article and what the person may do with it (the part of
   * its page that live updates refresh when the state changes).
   */
  async status(number: number, viewer: SessionUser) {
    const article = await this.#byNumber(number);
    const actor = this.#actorOf(article);
    if (!canRead(viewer, actor)) throw new NotFoundError('kb.notFound');
    const publisher =
      article.state === 'published' ? await this.#isPublisher(viewer.id, article.topics.map(String)) : false;
    const now = this.#now();
    return {
      article: {
        id: String(article._id),
        number,
        state: article.state as KbState,
        version: article.version,
        overdue: Boolean(article.state === 'published' && article.reviewBy && article.reviewBy < now),
      },
      viewer: { canEdit: canEdit(viewer, actor, publisher), ...(await this.#moves(viewer, article)) },
    };
  }

  /** The article page; counts one view per person per day. */
  async page(number: number, viewer: SessionUser) {
    const article = await this.#byNumber(number);
    if (!canRead(viewer, this.#actorOf(article))) throw new NotFoundError('kb.notFound');
    const now = this.#now();
    const day = now.toISOString().slice(0, 10);
    let views = article.views;
    try {
      await KbView.create({ _id: `${article._id}:${viewer.id}:${day}`, at: now });
      await KbArticle.updateOne({ _id: article._id }, { $inc: { views: 1 } }, { timestamps: false });
      views += 1;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    const [feedback, citations, topics, flags, related, publisher] = await Promise.all([
      this.#deps.repo.feedbackOf(String(article._id), viewer.id),
      this.#deps.repo.citations(String(article._id), 20),
      this.#deps.directory.topics(),
      // Knowledge managers handle flags; the owner reads those on their article.
      isKnowledgeManager(viewer) || String(article.owner) === viewer.id
        ? this.#deps.repo.openFlags(String(article._id))
        : Promise.resolve([]),
      this.#deps.repo.related(String(article._id), article.topics.map(String), 5),
      article.state === 'published'
        ? this.#isPublisher(viewer.id, article.topics.map(String))
        : Promise.resolve(false),
    ]);
    // The posts citing it and the posts and answers it was promoted from, named by their titles
    // (an answer by its author and its question's title).
    const sourcePosts = article.sources.filter((src) => src.type === 'post').map((src) => String(src.id));
    const sourceAnswers = new Map(
      (
        await this.#deps.threads.answerFacts(
          article.sources.filter((src) => src.type === 'answer').map((src) => String(src.id)),
        )
      ).map((a) => [a.id, a]),
    );
    const citingPosts = await this.#deps.posts.listed([
      ...new Set([
        ...citations.map((c) => String(c.post)),
        ...sourcePosts,
        ...[...sourceAnswers.values()].map((a) => a.postId),
      ]),
    ]);
    const postTitle = new Map(citingPosts.map((p) => [String(p._id), p.title]));
    const people = await this.#deps.directory.people([
      article.owner,
      article.createdBy,
      ...article.contributors,
      ...citations.map((c) => c.by),
      ...flags.map((f) => f.by),
      ...[...sourceAnswers.values()].map((a) => a.authorId),
    ]);
    const actor = this.#actorOf(article);
    return {
      article: {
        id: String(article._id),
        number,
        title: article.title,
        problemHtml: article.problemHtml,
        environmentHtml: article.environmentHtml,
        causeHtml: article.causeHtml,
        resolutionHtml: article.resolutionHtml,
        state: article.state as KbState,
        version: article.version,
        topics: article.topics.map((t) => topics.get(String(t))).filter((t): t is TopicRef => Boolean(t)),
        owner: article.owner ? people.get(String(article.owner)) : undefined,
        contributors: article.contributors
          .map((c) => people.get(String(c)))
          .filter((p): p is PersonRef => Boolean(p)),
        reviewBy: article.reviewBy,
        overdue: Boolean(article.state === 'published' && article.reviewBy && article.reviewBy < now),
        publishedAt: article.publishedAt,
        updatedAt: article.updatedAt,
        helpfulCount: article.helpfulCount,
        notHelpfulCount: article.notHelpfulCount,
        views,
        citationCount: article.citationCount,
        sources: article.sources.map((s) => {
          const answer = s.type === 'answer' ? sourceAnswers.get(String(s.id)) : undefined;
          return {
            type: s.type,
            id: String(s.id),
            title: postTitle.get(answer ? answer.postId : String(s.id)) ?? null,
            url:
              answer && postTitle.has(answer.postId) ? `/posts/${answer.postId}#answer-${answer.id}` : null,
            author: answer ? people.get(answer.authorId) : undefined,
          };
        }),
      },
      citations: citations.map((c) => ({
        sourceType: c.sourceType,
        postId: String(c.post),
        sourceId: String(c.sourceId),
        title: postTitle.get(String(c.post)) ?? '',
        by: people.get(String(c.by)),
        at: c.createdAt,
      })),
      related: related.map((r) => ({ number: r.number, title: r.title })),
      flags: flags.map((f) => ({
        id: String(f._id),
        kind: f.kind,
        comment: f.comment,
        by: people.get(String(f.by)),
        at: f.createdAt,
      })),
      viewer: {
        feedback: feedback ? { helpful: feedback.helpful, comment: feedback.comment } : null,
        canEdit: canEdit(viewer, actor, publisher),
        ...(await this.#moves(viewer, article)),
        isManager: isKnowledgeManager(viewer),
        canFeedback: article.state === 'published',
      },
    };
  }

  /** "Was this helpful?": one answer per reader, changeable, with an optional comment. */
  async feedback(
    number: number,
    viewer: SessionUser,
    helpful: boolean,
    comment: string,
  ): Promise<{ helpful: boolean; helpfulCount: number; notHelpfulCount: number }> {
    const article = await this.#byNumber(number);
    if (article.state !== 'published') throw new ConflictError('kb.feedbackOnlyPublished');
    const id = kbFeedbackId(String(article._id), viewer.id);
    const now = this.#now();
    const existing = await this.#deps.repo.feedbackOf(String(article._id), viewer.id);
    let previous: boolean | null = existing ? existing.helpful : null;
    if (!existing) {
      try {
        await KbFeedback.create({
          _id: id,
          article: article._id,
          user: viewer.id,
          helpful,
          comment,
          createdAt: now,
          updatedAt: now,
        });
        await KbArticle.updateOne(
          { _id: article._id },
          { $inc: helpful ? { helpfulCount: 1 } : { notHelpfulCount: 1 } },
          { timestamps: false },
        );
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        return this.feedback(number, viewer, helpful, comment);
      }
    } else if (existing.helpful !== helpful) {
      const changed = await KbFeedback.updateOne(
        { _id: id, helpful: existing.helpful },
        { $set: { helpful, comment, updatedAt: now } },
      );
      if (changed.modifiedCount === 1) {
        await KbArticle.updateOne(
          { _id: article._id },
          {
            $inc: helpful
              ? { helpfulCount: 1, notHelpfulCount: -1 }
              : { helpfulCount: -1, notHelpfulCount: 1 },
          },
          { timestamps: false },
        );
      } else previous = helpful;
    } else {
      await KbFeedback.updateOne({ _id: id }, { $set: { comment, updatedAt: now } });
    }
    await this.#deps.events.publish('kb.feedback', {
      articleId: String(article._id),
      number,
      userId: viewer.id,
      helpful,
      previous,
      withComment: comment.length > 0,
      hadComment: Boolean(existing?.comment),
      contributorIds: article.contributors.map(String),
      topicIds: article.topics.map(String),
      at: now,
    });
    const counts = await KbArticle.findById(article._id, { helpfulCount: 1, notHelpfulCount: 1 }).lean();
    return {
      helpful,
      helpfulCount: counts?.helpfulCount ?? 0,
      notHelpfulCount: counts?.notHelpfulCount ?? 0,
    };
  }

  /** "Flag it": a reader reports a problem with the article; it goes to the queue. */
  async flag(number: number, viewer: SessionUser, kind: KbFlagKind, comment: string): Promise<void> {
    const article = await this.#byNumber(number);
    if (!canRead(viewer, this.#actorOf(article))) throw new NotFoundError('kb.notFound');
    const open = await this.#deps.repo.openFlags(String(article._id));
    if (open.some((f) => String(f.by) === viewer.id)) throw new ConflictError('kb.alreadyFlagged');
    const now = this.#now();
    const flag = await KbFlag.create({
      article: article._id,
      by: viewer.id,
      kind,
      comment,
      createdAt: now,
      updatedAt: now,
    });
    await KbArticle.updateOne({ _id: article._id }, { $inc: { openFlags: 1 } }, { timestamps: false });
    await this.#deps.events.publish('kb.flagged', {
      articleId: String(article._id),
      number,
      title: article.title,
      flagId: String(flag._id),
      ownerId: article.owner ? String(article.owner) : null,
      byId: viewer.id,
      kind,
      at: now,
    });
  }

  /** Knowledge managers close flags: fixed, or declined with a reason. */
  async resolveFlag(
    flagId: string,
    actor: SessionUser,
    outcome: 'fixed' | 'declined',
    resolution: string,
  ): Promise<number> {
    if (!isKnowledgeManager(actor)) throw new ForbiddenError('kb.cannotResolve');
    if (outcome === 'declined' && !resolution)
      throw new ValidationError({ resolution: { key: 'validation.reasonRequired' } });
    const flag = /^[0-9a-f]{24}$/i.test(flagId) ? await KbFlag.findById(flagId) : null;
    if (!flag) throw new NotFoundError('kb.flagNotFound');
    const now = this.#now();
    const closed = await KbFlag.updateOne(
      { _id: flag._id, status: 'open' },
      { $set: { status: outcome, resolvedBy: actor.id, resolvedAt: now, resolution } },
    );
    if (closed.modifiedCount !== 1) throw new ConflictError('kb.flagResolved');
    const article = await KbArticle.findOneAndUpdate(
      { _id: flag.article },
      { $inc: { openFlags: -1 } },
      { returnDocument: 'after', timestamps: false },
    ).lean();
    await this.#deps.audit.record({
      actor: { id: actor.id, displayName: actor.displayName },
      action: `kb.flag.${outcome}`,
      target: { type: 'kb', id: String(flag.article), label: `KB-${article?.number ?? ''}` },
      details: { kind: flag.kind, resolution },
    });
    await this.#deps.events.publish('kb.flagResolved', {
      articleId: String(flag.article),
      number: article?.number ?? 0,
      flagId,
      byId: String(flag.by),
      outcome,
      actorId: actor.id,
      at: now,
    });
    return article?.number ?? 0;
  }

  /**
   * Announces published articles whose review date has passed (`kb.overdue`),
   * once per review date: knowledge managers find them in their queue. Run
   * periodically (server/index.ts); returns how many it announced.
   */
  async announceOverdue(): Promise<number> {
    const now = this.#now();
    const due = await this.#deps.repo.overdue(now);
    let announced = 0;
    for (const article of due) {
      if (!article.reviewBy || article.overdueAnnouncedFor?.getTime() === article.reviewBy.getTime())
        continue;
      const claimed = await KbArticle.updateOne(
        { _id: article._id, overdueAnnouncedFor: article.overdueAnnouncedFor ?? null },
        { $set: { overdueAnnouncedFor: article.reviewBy } },
        { timestamps: false },
      );
      if (claimed.modifiedCount !== 1) continue;
      announced++;
      await this.#deps.events.publish('kb.overdue', {
        articleId: String(article._id),
        number: article.number,
        title: article.title,
        reviewBy: article.reviewBy,
        ownerId: article.owner ? String(article.owner) : null,
        at: now,
      });
    }
    return announced;
  }

  /** The knowledge managers' queue: in review, flagged, and past their review date. */
  async queue() {
    const now = this.#now();
    const [review, flags, overdue] = await Promise.all([
      this.#deps.repo.inReview(),
      this.#deps.repo.openFlags(),
      this.#deps.repo.overdue(now),
    ]);
    const flagged = await this.#deps.repo.cards(flags.map((f) => String(f.article)));
    const flaggedBy = new Map(flagged.map((a) => [String(a._id), a]));
    const people = await this.#deps.directory.people([
      ...flags.map((f) => f.by),
      ...review.map((r) => r.createdBy),
    ]);
    return {
      review: review.map((a) => ({
        number: a.number,
        title: a.title,
        since: a.updatedAt,
        by: people.get(String(a.createdBy)),
      })),
      flags: flags.map((f) => ({
        id: String(f._id),
        number: flaggedBy.get(String(f.article))?.number ?? 0,
        title: flaggedBy.get(String(f.article))?.title ?? '',
        kind: f.kind,
        comment: f.comment,
        by: people.get(String(f.by)),
        at: f.createdAt,
      })),
      overdue: overdue.map((a) => ({ number: a.number, title: a.title, reviewBy: a.reviewBy })),
    };
  }

  /** The KB index: published articles by topic, most helpful or recently updated, or matching words. */
  async index(
    viewer: SessionUser,
    filters: { topic?: string; sort?: 'helpful' | 'recent'; q?: string; state?: KbState; page: number },
  ) {
    const manager = isKnowledgeManager(viewer);
    const state: KbState =
      filters.state && (manager || filters.state === 'archived') ? filters.state : 'published';
    const rows = await this.#deps.repo.index({
      state,
      topics: filters.topic ? await this.#deps.directory.subtree(filters.topic) : undefined,
      words: filters.q?.trim() || undefined,
      order: filters.sort === 'helpful' ? 'helpful' : 'recent',
      offset: (filters.page - 1) * KB_PAGE_SIZE,
      limit: KB_PAGE_SIZE + 1,
    });
    const topics = await this.#deps.directory.topics();
    return {
      articles: rows.slice(0, KB_PAGE_SIZE).map((a) => ({
        number: a.number,
        title: a.title,
        excerpt: a.excerpt,
        state: a.state,
        topics: a.topics.map((t) => topics.get(String(t))).filter((t): t is TopicRef => Boolean(t)),
        helpfulCount: a.helpfulCount,
        notHelpfulCount: a.notHelpfulCount,
        views: a.views,
        citationCount: a.citationCount,
        updatedAt: a.updatedAt,
      })),
      page: filters.page,
      hasNext: rows.length > KB_PAGE_SIZE,
      state,
    };
  }

  /** Published articles to cite in an answer (the picker). */
  async citable(): Promise<Array<{ number: number; title: string }>> {
    return this.#deps.repo.citable();
  }

  /** Published articles matching what is typed after KB- or in the citation picker (at most 8). */
  async citableMatching(typed: string): Promise<Array<{ number: number; title: string }>> {
    const text = typed.replace(/^kb-?/i, '').trim();
    return this.#deps.repo.citableMatching(text, 8);
  }

  /**
   * Keeps the citations of one post or answer in step with its text (KB-123
   * references): new ones are recorded and counted, removed ones (or all, if
   * the content was deleted) are taken back.
   */
  async syncCitations(sourceType: 'post' | 'answer', sourceId: string): Promise<void> {
    const oid = new Types.ObjectId(sourceId);
    let numbers: number[] = [];
    let postId: Types.ObjectId | null = null;
    let authorId = '';
    let topicIds: string[] = [];
    if (sourceType === 'post') {
      const post = await Post.findById(oid, { deleted: 1, author: 1, topics: 1 }).lean();
      if (post) {
        postId = post._id;
        authorId = String(post.author);
        topicIds = post.topics.map(String);
        if (!post.deleted)
          numbers = (await PostContent.findById(oid, { citations: 1 }).lean())?.citations ?? [];
      }
    } else {
      const answer = await Answer.findById(oid, { deleted: 1, author: 1, post: 1, citations: 1 }).lean();
      if (answer) {
        postId = answer.post;
        authorId = String(answer.author);
        topicIds = ((await Post.findById(answer.post, { topics: 1 }).lean())?.topics ?? []).map(String);
        if (!answer.deleted) numbers = answer.citations;
      }
    }
    if (!postId) return;
    const articles = numbers.length ? await this.#deps.repo.byNumbers(numbers) : [];
    const existing = await this.#deps.repo.citationsFrom(sourceType, sourceId);
    const wanted = new Set(articles.map((a) => String(a._id)));
    const now = this.#now();
    for (const article of articles) {
      const id = kbCitationId(String(article._id), sourceType, sourceId);
      try {
        await KbCitation.create({
          _id: id,
          article: article._id,
          sourceType,
          sourceId: oid,
          post: postId,
          by: authorId,
          createdAt: now,
        });
      } catch (err) {
        if ((err as { code?: number }).code === 11000) continue;
        throw err;
      }
      await KbArticle.updateOne({ _id: article._id }, { $inc: { citationCount: 1 } }, { timestamps: false });
      await this.#deps.events.publish('kb.cited', {
        articleId: String(article._id),
        number: article.number,
        sourceType,
        sourceId,
        postId: String(postId),
        citingAuthorId: authorId,
        contributorIds: article.contributors.map(String),
        topicIds: article.topics.map(String).length ? article.topics.map(String) : topicIds,
        at: now,
      });
    }
    for (const old of existing) {
      if (wanted.has(String(old.article))) continue;
      const removed = await KbCitation.deleteOne({ _id: old._id });
      if (removed.deletedCount !== 1) continue;
      const article = await KbArticle.findOneAndUpdate(
        { _id: old.article },
        { $inc: { citationCount: -1 } },
        { returnDocument: 'after', timestamps: false },
      ).lean();
      if (!article) continue;
      await this.#deps.events.publish('kb.uncited', {
        articleId: String(article._id),
        number: article.number,
        sourceType,
        sourceId,
        postId: String(postId),
        citingAuthorId: authorId,
        contributorIds: article.contributors.map(String),
        topicIds: article.topics.map(String).length ? article.topics.map(String) : topicIds,
        at: now,
      });
    }
  }

  /** Plain text of an article, for search. */
  static textOf(article: {
    problem: string;
    environment: string;
    cause: string;
    resolution: string;
  }): string {
    return [article.problem, article.environment, article.cause, article.resolution]
      .map(markdownToText)
      .join(' ');
  }
}
