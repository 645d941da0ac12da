/**
 * The actions the audit log records, each read as a sentence in the reader's
 * language (`admin.audit.sentence.<action>`, with `actor` and `target`).
 */
export const AUDIT_ACTIONS = [
  'auth.login.success',
  'auth.login.failure',
  'auth.logout',
  'auth.password.changed',
  'auth.password.reset',
  'users.create',
  'users.update',
  'users.import',
  'users.resetPassword',
  'users.deactivate',
  'users.reactivate',
  'teams.create',
  'teams.update',
  'teams.delete',
  'topics.create',
  'topics.update',
  'topics.merge',
  'posts.closedAsDuplicate',
  'posts.merged',
  'posts.reopened',
  'moderation.deletePost',
  'moderation.deleteAnswer',
  'moderation.deleteComment',
  'moderation.editPost',
  'moderation.editAnswer',
  'moderation.flag.dismissed',
  'moderation.flag.deleted',
  'moderation.flag.edited',
  'kb.promote',
  'kb.publisherEdit',
  'kb.draft',
  'kb.review',
  'kb.published',
  'kb.archived',
  'kb.flag.fixed',
  'kb.flag.declined',
  'kb.secondReviewerOn',
  'kb.secondReviewerOff',
  'scoring.rulesChanged',
  'scoring.recomputed',
  'scoring.privacyChanged',
  'scoring.minimumGroupSizeChanged',
  'scoring.lineReversed',
  'scoring.votesReversed',
  'scoring.serialVoting',
  'scoring.coachNominated',
  'scoring.coachWithdrawn',
  'search.synonymsChanged',
] as const;

/** Sign-ins and sign-outs: most of the log, left out unless asked for. */
export const SIGN_IN_ACTIONS: readonly string[] = ['auth.login.success', 'auth.login.failure', 'auth.logout'];

/** The i18n key of an action's sentence, or null for an action without one. */
export function auditSentenceKey(action: string): string | null {
  return (AUDIT_ACTIONS as readonly string[]).includes(action) ? `admin.audit.sentence.${action}` : null;
}
