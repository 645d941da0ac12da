import type { AuditService } from '../audit/audit.service.ts';
import { can } from '../auth/permissions.ts';
import type { SessionUser } from '../auth/session-user.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import type { SearchService } from '../search/search.service.ts';
import type { AnswersService } from './answers.service.ts';
import './posts.events.ts';
import type { PostRow, PostsRepo } from './posts.repo.ts';
import type { ThreadsRepo } from './threads.repo.ts';

/** Similar questions offered as the original on the "close as duplicate" page. */
const CANDIDATES = 8;

/** A question a duplicate can point to, as the page lists it. */
export interface DuplicateCandidate {
  id: string;
  title: string;
  answerCount: number;
  accepted: boolean;
}

export interface DuplicatesDeps {
  posts: PostsRepo;
  threads: ThreadsRepo;
  /** Takes the accepted mark off the duplicate's answer (with its event) where the original has one. */
  answers: Pick<AnswersService, 'unaccept'>;
  search: Pick<SearchService, 'similar'>;
  events: EventBus;
  audit: AuditService;
  clock?: () => Date;
}

/**
 * The post id in what a knowledge manager pasted as the original: the id
 * itself, or a link to the question (`https://…/posts/<id>#answer-…`).
 */
export function originalIdIn(ref: string): string | null {
  const text = ref.trim();
  if (/^[0-9a-f]{24}$/i.test(text)) return text.toLowerCase();
  const match = /\/posts\/([0-9a-f]{24})(?:[/?#]|$)/i.exec(text);
  return match ? match[1]!.toLowerCase() : null;
}

/**
 * Questions closed as duplicates, for knowledge managers: the duplicate points
 * to the original and takes no more answers; merged, its answers (with their
 * comments and votes) move to the original and its page leads there. A closed
 * duplicate can be reopened; a merged one cannot (its answers have moved).
 */
export class DuplicatesService {
  readonly #deps: DuplicatesDeps;
  readonly #now: () => Date;

  constructor(deps: DuplicatesDeps) {
    this.#deps = deps;
    this.#now = deps.clock ?? (() => new Date());
  }

  #allowed(actor: SessionUser): void {
    if (!can(actor, 'posts.closeDuplicate')) throw new ForbiddenError('posts.duplicates.notAllowed');
  }

  async #question(postId: string): Promise<PostRow> {
    const [post] = /^[0-9a-f]{24}$/i.test(postId) ? await this.#deps.posts.listed([postId]) : [];
    if (!post) throw new NotFoundError('posts.notFound');
    if (post.kind !== 'question') throw new ConflictError('posts.duplicates.onlyQuestions');
    return post;
  }

  /** The question to close and the similar open questions offered as its original. */
  async candidates(actor: SessionUser, postId: string) {
    this.#allowed(actor);
    const post = await this.#question(postId);
    if (post.duplicateOf) throw new ConflictError('posts.duplicates.already');
    const similar = await this.#deps.search.similar({ id: actor.id, roles: actor.roles }, post.title, 20);
    const ids = similar
      .filter((s) => s.type === 'post' && s.kind === 'question' && s.id !== postId)
      .map((s) => s.id);
    const found = await this.#deps.posts.listed(ids);
    const candidates: DuplicateCandidate[] = found
      .filter((q) => !q.duplicateOf)
      .slice(0, CANDIDATES)
      .map((q) => ({
        id: String(q._id),
        title: q.title,
        answerCount: Number(q.answerCount ?? 0),
        accepted: Boolean(q.acceptedAnswer),
      }));
    return {
      post: { id: postId, title: post.title, answerCount: Number(post.answerCount ?? 0) },
      candidates,
    };
  }

  /**
   * Closes a question as a duplicate of `originalRef` (an id or a link);
   * with `merge`, moves its answers there. The original's id.
   */
  async close(actor: SessionUser, postId: string, originalRef: string, merge: boolean): Promise<string> {
    this.#allowed(actor);
    const originalId = originalIdIn(originalRef);
    if (!originalId) throw new ValidationError({ original: { key: 'posts.duplicates.originalUnknown' } });
    if (originalId === postId) throw new ValidationError({ original: { key: 'posts.duplicates.notItself' } });
    const post = await this.#question(postId);
    if (post.duplicateOf) throw new ConflictError('posts.duplicates.already');
    const [original] = await this.#deps.posts.listed([originalId]);
    if (original?.kind !== 'question')
      throw new ValidationError({ original: { key: 'posts.duplicates.originalUnknown' } });
    if (original.duplicateOf)
      throw new ValidationError({ original: { key: 'posts.duplicates.originalIsDuplicate' } });

    const at = this.#now();
    const closed = await this.#deps.posts.markDuplicate(postId, {
      of: originalId,
      by: actor.id,
      at,
      merged: merge,
    });
    if (!closed) throw new ConflictError('posts.duplicates.already');

    let moved: string[] = [];
    if (merge) {
      // One accepted answer per question: the duplicate's keeps its mark only where the original has none.
      const accepted = post.acceptedAnswer ? String(post.acceptedAnswer) : null;
      if (accepted && original.acceptedAnswer) await this.#deps.answers.unaccept(accepted, actor);
      const answers = await this.#deps.threads.moveAnswers(postId, originalId);
      const live = answers.filter((a) => !a.deleted);
      const keptAccepted = original.acceptedAnswer ? null : (live.find((a) => a.accepted)?._id ?? null);
      await this.#deps.posts.shiftAnswers(
        postId,
        originalId,
        live.length,
        keptAccepted ? String(keptAccepted) : null,
        at,
      );
      moved = answers.map((a) => String(a._id));
    }

    await this.#deps.audit.record({
      actor: { id: actor.id, displayName: actor.displayName },
      action: merge ? 'posts.merged' : 'posts.closedAsDuplicate',
      target: { type: 'post', id: postId, label: post.title },
      details: { original: originalId, originalTitle: original.title, movedAnswers: moved.length },
    });
    await this.#deps.events.publish('post.closedAsDuplicate', {
      postId,
      originalId,
      authorId: String(post.author),
      actorId: actor.id,
      title: post.title,
      originalTitle: original.title,
      merged: merge,
      movedAnswerIds: moved,
      at,
    });
    return originalId;
  }

  /** Opens a question closed as a duplicate again (not a merged one). */
  async reopen(actor: SessionUser, postId: string): Promise<void> {
    this.#allowed(actor);
    const post = await this.#question(postId);
    if (!post.duplicateOf) throw new ConflictError('posts.duplicates.notClosed');
    if (post.duplicateOf.merged) throw new ConflictError('posts.duplicates.mergedForGood');
    if (!(await this.#deps.posts.reopen(postId))) throw new ConflictError('posts.duplicates.notClosed');
    await this.#deps.audit.record({
      actor: { id: actor.id, displayName: actor.displayName },
      action: 'posts.reopened',
      target: { type: 'post', id: postId, label: post.title },
    });
    await this.#deps.events.publish('post.reopened', { postId, actorId: actor.id, at: this.#now() });
  }
}
