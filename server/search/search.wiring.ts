import { Types } from 'mongoose';
import { Answer } from '../../models/answer.ts';
import { KbArticle } from '../../models/kb-article.ts';
import { Post, type PostKind } from '../../models/post.ts';
import { PostContent } from '../../models/post-content.ts';
import { User } from '../../models/user.ts';
import { markdownToText } from '../content/markdown.ts';
import type { EventBus } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import type { KbRepo } from '../kb/kb.repo.ts';
import type { PostsRepo } from '../posts/posts.repo.ts';
import type { ThreadsRepo } from '../posts/threads.repo.ts';
import type { SearchService } from './search.service.ts';
import type { HitFact, SearchDocument } from './search.types.ts';
import '../kb/kb.events.ts';
import '../posts/posts.events.ts';
import '../votes/votes.events.ts';

/**
 * Posts, answers and knowledge-base articles as search documents, and the
 * subscriptions that keep the index in step in the same request path as every
 * create, edit, vote, state change and deletion.
 */

async function authorName(id: unknown): Promise<string | null> {
  if (!id) return null;
  return (await User.findById(id, { displayName: 1 }).lean())?.displayName ?? null;
}

function postScore(post: { voteScore?: number | null; confirmations?: number | null }): number {
  return (post.voteScore ?? 0) + (post.confirmations ?? 0);
}

/** What a post's search document is made of (its list fields, its text and its author's name). */
export interface PostSearchParts {
  post: {
    _id: unknown;
    kind: string;
    title: string;
    tags: string[];
    topics: unknown[];
    author: unknown;
    team?: unknown;
    createdAt: Date;
    editedAt?: Date | null;
    voteScore?: number | null;
    confirmations?: number | null;
    deleted?: unknown;
  };
  content: {
    body?: string | null;
    situation?: string | null;
    action?: string | null;
    outcome?: string | null;
  } | null;
  authorName: string | null;
}

/** A post as the search index holds it (bulk writers build it from what they hold, the app from the database). */
export function postSearchDocument({ post, content, authorName }: PostSearchParts): SearchDocument {
  const text =
    post.kind === 'insight'
      ? [content?.situation, content?.action, content?.outcome].map((t) => markdownToText(t ?? '')).join(' ')
      : markdownToText(content?.body ?? '');
  return {
    type: 'post',
    id: String(post._id),
    url: `/posts/${post._id}`,
    title: post.title,
    problem: post.kind === 'insight' ? markdownToText(content?.situation ?? '') : undefined,
    body: text,
    context: post.tags.join(' '),
    kind: post.kind as PostKind,
    topics: post.topics.map(String),
    kbState: null,
    authorId: String(post.author),
    authorName,
    teamId: post.team ? String(post.team) : null,
    createdAt: post.createdAt,
    updatedAt: post.editedAt ?? post.createdAt,
    score: postScore(post),
    deleted: Boolean(post.deleted),
    visibility: null,
  };
}

export async function postDocument(id: string): Promise<SearchDocument | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  const post = await Post.findById(id).lean();
  if (!post) return null;
  const content = await PostContent.findById(post._id).lean();
  return postSearchDocument({ post, content, authorName: await authorName(post.author) });
}

/** What an answer's search document is made of: the answer, its question's list fields, its author. */
export interface AnswerSearchParts {
  answer: {
    _id: unknown;
    post: unknown;
    author: unknown;
    body: string;
    createdAt: Date;
    editedAt?: Date | null;
    voteScore?: number | null;
    accepted?: boolean | null;
    deleted?: unknown;
  };
  post: { title: string; topics: unknown[]; deleted?: unknown } | null;
  author: { displayName: string; team?: unknown } | null;
}

/** An answer as the search index holds it. */
export function answerSearchDocument({ answer, post, author }: AnswerSearchParts): SearchDocument {
  return {
    type: 'answer',
    id: String(answer._id),
    url: `/posts/${answer.post}#answer-${answer._id}`,
    title: post?.title ?? '',
    body: markdownToText(answer.body),
    context: post?.title ?? '',
    kind: 'answer',
    topics: (post?.topics ?? []).map(String),
    kbState: null,
    authorId: String(answer.author),
    authorName: author?.displayName ?? null,
    teamId: author?.team ? String(author.team) : null,
    createdAt: answer.createdAt,
    updatedAt: answer.editedAt ?? answer.createdAt,
    score: (answer.voteScore ?? 0) + (answer.accepted ? 5 : 0),
    deleted: Boolean(answer.deleted) || !post || Boolean(post.deleted),
    visibility: null,
  };
}

export async function answerDocument(id: string): Promise<SearchDocument | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  const answer = await Answer.findById(id).lean();
  if (!answer) return null;
  const post = await Post.findById(answer.post, { title: 1, topics: 1, team: 1, deleted: 1 }).lean();
  const author = await User.findById(answer.author, { displayName: 1, team: 1 }).lean();
  return answerSearchDocument({ answer, post, author });
}

export async function articleDocument(id: string): Promise<SearchDocument | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  const article = await KbArticle.findById(id).lean();
  if (!article) return null;
  const restricted = article.state === 'draft' || article.state === 'review';
  return {
    type: 'article',
    id: String(article._id),
    url: `/kb/${article.number}`,
    title: article.title,
    problem: markdownToText(article.problem),
    body: [article.environment, article.cause, article.resolution].map(markdownToText).join(' '),
    context: `KB-${article.number}`,
    kind: 'article',
    topics: article.topics.map(String),
    kbState: article.state,
    authorId: String(article.createdBy),
    authorName: await authorName(article.createdBy),
    teamId: null,
    createdAt: article.createdAt,
    updatedAt: article.updatedAt,
    score: (article.helpfulCount ?? 0) - (article.notHelpfulCount ?? 0) + (article.citationCount ?? 0),
    deleted: false,
    visibility: restricted
      ? {
          roles: ['knowledge_manager'],
          users: [String(article.createdBy), ...article.contributors.map(String)],
        }
      : null,
  };
}

async function* everyPost(): AsyncIterable<SearchDocument> {
  for await (const post of Post.find({}, { _id: 1 }).lean().cursor()) {
    const doc = await postDocument(String(post._id));
    if (doc) yield doc;
  }
}

async function* everyAnswer(): AsyncIterable<SearchDocument> {
  for await (const answer of Answer.find({}, { _id: 1 }).lean().cursor()) {
    const doc = await answerDocument(String(answer._id));
    if (doc) yield doc;
  }
}

/** Every KB article as a search document (read from the database). */
export async function* everyArticle(): AsyncIterable<SearchDocument> {
  for await (const article of KbArticle.find({}, { _id: 1 }).lean().cursor()) {
    const doc = await articleDocument(String(article._id));
    if (doc) yield doc;
  }
}

/** What results show of posts, answers and articles now, read through their repositories. */
export interface SearchFactsRepos {
  posts: Pick<PostsRepo, 'listed'>;
  threads: Pick<ThreadsRepo, 'answerFacts'>;
  kb: Pick<KbRepo, 'cards'>;
}

const fact = (key: string, count: number): HitFact => ({ key: `search.results.${key}`, count });

function factsOf(repos: SearchFactsRepos) {
  return {
    // A question shows its answers (questions take no votes); an insight, who has seen it too.
    post: async (ids: string[]) =>
      new Map(
        (await repos.posts.listed(ids)).map((post) => [
          String(post._id),
          post.kind === 'question'
            ? [fact('answers', post.answerCount ?? 0)]
            : [
                fact('votes', post.voteScore ?? 0),
                ...(post.kind === 'insight' ? [fact('seen', post.confirmations ?? 0)] : []),
              ],
        ]),
      ),
    answer: async (ids: string[]) =>
      new Map(
        (await repos.threads.answerFacts(ids)).map((answer) => [
          answer.id,
          [fact('votes', answer.voteScore), ...(answer.accepted ? [fact('accepted', 1)] : [])],
        ]),
      ),
    article: async (ids: string[]) =>
      new Map(
        (await repos.kb.cards(ids)).map((article) => [
          String(article._id),
          [fact('helpful', article.helpfulCount ?? 0)],
        ]),
      ),
  };
}

/**
 * Registers the three sources (for rebuild and check; with the repositories,
 * also what their results show now).
 */
export function registerSearchSources(search: SearchService, repos?: SearchFactsRepos): void {
  const facts = repos ? factsOf(repos) : undefined;
  search.register({ type: 'post', iterate: everyPost, load: postDocument, facts: facts?.post });
  search.register({ type: 'answer', iterate: everyAnswer, load: answerDocument, facts: facts?.answer });
  search.register({ type: 'article', iterate: everyArticle, load: articleDocument, facts: facts?.article });
}

/**
 * Keeps the index in step. A failure to index is logged, not thrown: the
 * content is saved, and `npm run search:check --repair` finds the gap.
 */
export function subscribeSearch(
  events: EventBus,
  search: SearchService,
  threads: ThreadsRepo,
  logger: Logger,
): void {
  const reindex = (load: (id: string) => Promise<SearchDocument | null>) => async (id: string) => {
    try {
      const doc = await load(id);
      if (doc) await search.index(doc);
    } catch (err) {
      logger.error({ err, id }, 'search indexing failed');
    }
  };
  const post = reindex(postDocument);
  const answer = reindex(answerDocument);
  const article = reindex(articleDocument);
  const answersOf = async (postId: string) => {
    for (const id of await threads.answerIdsOf(postId)) await answer(id);
  };

  events.on('post.created', (e) => post(e.postId));
  events.on('post.updated', async (e) => {
    await post(e.postId);
    await answersOf(e.postId);
  });
  events.on('post.deleted', async (e) => {
    await post(e.postId);
    await answersOf(e.postId);
  });
  // A duplicate leaves "unanswered"; merged, its answers (now on the original) are indexed under their new page.
  events.on('post.closedAsDuplicate', async (e) => {
    await post(e.postId);
    await post(e.originalId);
    for (const id of e.movedAnswerIds) await answer(id);
  });
  events.on('post.reopened', (e) => post(e.postId));
  events.on('confirmation.added', (e) => post(e.postId));
  events.on('confirmation.removed', (e) => post(e.postId));
  events.on('answer.created', (e) => answer(e.answerId));
  events.on('answer.updated', (e) => answer(e.answerId));
  events.on('answer.deleted', (e) => answer(e.answerId));
  events.on('answer.accepted', (e) => answer(e.answerId));
  events.on('answer.unaccepted', (e) => answer(e.answerId));
  for (const name of ['vote.cast', 'vote.retracted'] as const) {
    events.on(name, (e) => (e.targetType === 'post' ? post(e.targetId) : answer(e.targetId)));
  }
  events.on('kb.created', (e) => article(e.articleId));
  events.on('kb.promoted', (e) => article(e.articleId));
  events.on('kb.updated', (e) => article(e.articleId));
  events.on('kb.stateChanged', (e) => article(e.articleId));
  events.on('kb.feedback', (e) => article(e.articleId));
  events.on('kb.cited', (e) => article(e.articleId));
  events.on('kb.uncited', (e) => article(e.articleId));
}
