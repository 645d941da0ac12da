/** Every model, imported once so that all are registered before indexes are built. */
export { AuditEntry } from './audit-entry.ts';
export { NotificationInbox } from './notification-inbox.ts';
export { NotificationState } from './notification-state.ts';
export { PasswordReset } from './password-reset.ts';
export { RateLimitCounter } from './rate-limit-counter.ts';
export { Session } from './session.ts';
export { Team } from './team.ts';
export { Topic } from './topic.ts';
export { User } from './user.ts';
export { UserIdentity } from './user-identity.ts';
