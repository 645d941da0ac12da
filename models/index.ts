/** Every model, imported once so that all are registered before indexes are built. */
export { Session } from './session.ts';
export { Team } from './team.ts';
export { Topic } from './topic.ts';
export { User } from './user.ts';
