import type { KbState } from '../../models/kb-article.ts';
import { can } from '../auth/permissions.ts';

/**
 * The editorial workflow of an article, in one place.
 *
 *   draft ──submit──▶ review ──publish──▶ published ──archive──▶ archived
 *     ▲                 │                      │                      │
 *     └──── rework ─────┴──────── rework ──────┴────── reopen ────────┘
 *
 * Knowledge managers may make every move. The person who started a draft may
 * submit it for review. Editing: drafts by their creator or knowledge
 * managers; articles in review by knowledge managers; published articles by
 * knowledge managers and by people at the Publisher level in one of the
 * article's topics (every such edit is logged); archived articles by nobody
 * (reopen as a draft first).
 */
export const TRANSITIONS: Record<KbState, KbState[]> = {
  draft: ['review'],
  review: ['published', 'draft'],
  published: ['archived', 'draft'],
  archived: ['draft'],
};

export interface WorkflowActor {
  id: string;
  roles: readonly string[];
}

export function isKnowledgeManager(actor: WorkflowActor): boolean {
  return can(actor, 'kb.manage');
}

export function canMove(
  actor: WorkflowActor,
  article: { state: KbState; createdBy: string },
  to: KbState,
): boolean {
  if (!TRANSITIONS[article.state].includes(to)) return false;
  if (isKnowledgeManager(actor)) return true;
  return article.state === 'draft' && to === 'review' && article.createdBy === actor.id;
}

export function nextStates(actor: WorkflowActor, article: { state: KbState; createdBy: string }): KbState[] {
  return TRANSITIONS[article.state].filter((to) => canMove(actor, article, to));
}

export function canEdit(
  actor: WorkflowActor,
  article: { state: KbState; createdBy: string },
  isPublisherInTopic: boolean,
): boolean {
  switch (article.state) {
    case 'draft':
      return isKnowledgeManager(actor) || article.createdBy === actor.id;
    case 'review':
      return isKnowledgeManager(actor);
    case 'published':
      return isKnowledgeManager(actor) || isPublisherInTopic;
    case 'archived':
      return false;
  }
}

/** Drafts and articles in review are visible only to knowledge managers and their creator. */
export function canRead(
  actor: WorkflowActor,
  article: { state: KbState; createdBy: string; contributors: string[] },
): boolean {
  if (article.state === 'published' || article.state === 'archived') return true;
  return (
    isKnowledgeManager(actor) || article.createdBy === actor.id || article.contributors.includes(actor.id)
  );
}
