import { ROLES, type Role } from '../../models/user.ts';

const EVERYONE = ROLES;

/**
 * The permission matrix: every action a route or socket handler checks, and the
 * roles that may perform it. A person with several roles has the union. This is
 * the only place permissions are decided; routes use `guard(action)`, services
 * and templates use `can(user, action)`, and a test walks every route through it.
 */
export const PERMISSIONS = {
  /** Use the app at all: home, directory, profiles, own settings. */
  'app.use': EVERYONE,
  'people.view': EVERYONE,
  'profile.editOwn': EVERYONE,
  'content.read': EVERYONE,
  'content.create': EVERYONE,
  /** Accept an answer on anyone's question (askers accept on their own). */
  'answers.acceptAny': ['team_lead', 'knowledge_manager'],
  /** Edit or delete anyone's content, handle the flag queue. */
  'content.moderate': ['knowledge_manager', 'admin'],
  'topics.manage': ['knowledge_manager', 'admin'],
  /** Close a question as a duplicate of another, merge it into it, reopen it. */
  'posts.closeDuplicate': ['knowledge_manager'],
  'kb.read': EVERYONE,
  /** Promote, edit, review, publish and archive articles; handle their flags. */
  'kb.manage': ['knowledge_manager'],
  'votes.cast': EVERYONE,
  /** Search posts, answers and the KB (drafts only where their visibility allows). */
  'search.use': EVERYONE,
  /** Leaderboards, and people's scores (protected mode narrows whose, see ScoringService). */
  'scores.view': EVERYONE,
  /** Nominate a Coach in a topic (leads for their team's members; knowledge managers for anyone). */
  'scores.nominateCoach': ['team_lead', 'knowledge_manager'],
  /** A team's competence dashboard (leads: their teams; admins: every team). */
  'scores.dashboard': ['team_lead', 'admin'],
  /** Edit the scoring rules and the privacy mode, recompute, reverse ledger lines and votes. */
  'scoring.manage': ['admin'],
  'admin.access': ['admin'],
  'users.manage': ['admin'],
  'users.import': ['admin'],
  'teams.manage': ['admin'],
  'audit.view': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;
export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

export interface Actor {
  roles: readonly string[];
  active?: boolean;
}

export function can(actor: Actor | undefined | null, action: Action): boolean {
  if (!actor || actor.active === false) return false;
  const allowed: readonly string[] = PERMISSIONS[action];
  return actor.roles.some((role) => allowed.includes(role));
}

/** Roles that grant an action (for the "why not" of a 403 page). */
export function rolesFor(action: Action): readonly Role[] {
  return PERMISSIONS[action];
}
