/** Every model, imported once so that all are registered before indexes are built. */
export { Answer } from './answer.ts';
export { AuditEntry } from './audit-entry.ts';
export { Bookmark } from './bookmark.ts';
export { Comment } from './comment.ts';
export { Confirmation } from './confirmation.ts';
export { ContentFlag } from './content-flag.ts';
export { PasswordReset } from './password-reset.ts';
export { Post } from './post.ts';
export { PostContent } from './post-content.ts';
export { RateLimitCounter } from './rate-limit-counter.ts';
export { Revision } from './revision.ts';
export { Session } from './session.ts';
export { Team } from './team.ts';
export { Topic } from './topic.ts';
export { User } from './user.ts';
export { UserIdentity } from './user-identity.ts';
