import { avatarUrl, initialsOf } from '../auth/session-user.ts';
import type { Locale } from '../config.ts';
import type { DirectoryRepo } from './directory.repo.ts';

export interface PersonRef {
  id: string;
  displayName: string;
  initials: string;
  avatarUrl: string | null;
  active: boolean;
}

export interface TopicRef {
  id: string;
  slug: string;
  names: { it: string; en: string };
}

/** Names of people, topics and teams as pages show them, from the directory repository. */
export class Directory {
  readonly repo: DirectoryRepo;

  constructor(repo: DirectoryRepo) {
    this.repo = repo;
  }

  /** People by id, for showing authors (one look-up for a whole page). */
  async people(ids: Iterable<unknown>): Promise<Map<string, PersonRef>> {
    const unique = [...new Set([...ids].filter(Boolean).map(String))];
    if (unique.length === 0) return new Map();
    const found = await this.repo.people(unique);
    return new Map(
      found.map((u) => {
        const id = String(u._id);
        return [
          id,
          {
            id,
            displayName: u.displayName,
            initials: initialsOf(u.displayName),
            avatarUrl: avatarUrl(id, u.avatar),
            active: u.active,
          },
        ];
      }),
    );
  }

  /** Every topic by id (the taxonomy is small and named on most pages). */
  async topics(): Promise<Map<string, TopicRef>> {
    const topics = await this.repo.topics();
    return new Map(
      topics.map((t) => [
        String(t._id),
        { id: String(t._id), slug: t.slug, names: { it: t.names?.it ?? t.slug, en: t.names?.en ?? t.slug } },
      ]),
    );
  }

  /**
   * How a stored list of topic ids ("id1,id2", as revisions keep it) reads in
   * a language: "Fatturazione, Fibra" (a topic that no longer exists keeps its id).
   */
  async topicListReader(locale: Locale): Promise<(ids: string) => string> {
    const topics = await this.topics();
    return (ids) =>
      ids
        .split(',')
        .filter(Boolean)
        .map((id) => topics.get(id)?.names[locale] ?? id)
        .join(', ');
  }

  /** Team names by id. */
  async teamNames(ids: Iterable<unknown>): Promise<Map<string, string>> {
    const unique = [...new Set([...ids].filter(Boolean).map(String))];
    if (unique.length === 0) return new Map();
    return new Map((await this.repo.teams(unique)).map((t) => [String(t._id), t.name]));
  }

  /** A topic and every topic below it — the one place that answers it. */
  subtree(topicId: string): Promise<string[]> {
    return this.repo.subtree(topicId);
  }

  /** Topics with every ancestor (a post in "SDD" also belongs to the "Billing" page). */
  withAncestors(topicIds: string[]): Promise<string[]> {
    return this.repo.withAncestors(topicIds);
  }

  /** Whether every one of these ids is a topic in use. */
  async allLive(topicIds: string[]): Promise<boolean> {
    const unique = [...new Set(topicIds)];
    return (await this.repo.liveTopics(unique)).length === unique.length;
  }

  following(userId: string) {
    return this.repo.following(userId);
  }
}
