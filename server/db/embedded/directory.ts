import { Team } from '../../../models/team.ts';
import { Topic } from '../../../models/topic.ts';
import { User } from '../../../models/user.ts';
import type { DirectoryRepo, PersonRow, TeamRow, TopicRow } from '../../people/directory.repo.ts';
import type { Mirror, MirrorDoc, MirroredCollection } from './mirror.ts';

/** People, topics and teams, held in memory whole (a person's `_id` reads are answered from it too). */
export class EmbeddedDirectoryRepo implements DirectoryRepo {
  readonly #users: MirroredCollection;
  readonly #topics: MirroredCollection;
  readonly #teams: MirroredCollection;
  readonly #topicsBySlug = new Map<string, MirrorDoc>();
  readonly #followers = new Map<string, number>();

  readonly #ready: () => Promise<void>;

  constructor(mirror: Mirror) {
    this.#ready = () => mirror.ready();
    this.#users = mirror.track(User as never);
    this.#topics = mirror.track(Topic as never);
    this.#teams = mirror.track(Team as never, ['name']);
    this.#topics.onChange((_id, topic, previous) => {
      if (previous) this.#topicsBySlug.delete(String(previous.slug));
      if (topic) this.#topicsBySlug.set(String(topic.slug), topic);
    });
    // Followers per topic, counted as people follow and unfollow (active people only).
    const follows = (person: MirrorDoc | undefined) =>
      person?.active ? ((person.followedTopics as unknown[]) ?? []).map(String) : [];
    this.#users.onChange((_id, person, previous) => {
      for (const t of follows(previous)) this.#followers.set(t, (this.#followers.get(t) ?? 1) - 1);
      for (const t of follows(person)) this.#followers.set(t, (this.#followers.get(t) ?? 0) + 1);
    });
  }

  async people(ids: string[]): Promise<PersonRow[]> {
    await this.#ready();
    const out: PersonRow[] = [];
    for (const id of new Set(ids)) {
      const person = this.#users.get(id);
      if (person) out.push(person as unknown as PersonRow);
    }
    return out;
  }

  async topics(): Promise<TopicRow[]> {
    await this.#ready();
    return [...this.#topics.docs.values()].filter((t) => !t.mergedInto) as unknown as TopicRow[];
  }

  async topicBySlug(slug: string): Promise<TopicRow | null> {
    await this.#ready();
    return (this.#topicsBySlug.get(slug) as unknown as TopicRow | undefined) ?? null;
  }

  async topicFollowers(topicId: string): Promise<number> {
    await this.#ready();
    return this.#followers.get(topicId) ?? 0;
  }

  async subtree(topicId: string): Promise<string[]> {
    await this.#ready();
    if (!this.#topics.get(topicId)) return [topicId];
    const below: string[] = [];
    for (const [id, topic] of this.#topics.docs) {
      if (((topic.ancestors as unknown[]) ?? []).some((a) => String(a) === topicId)) below.push(id);
    }
    return [topicId, ...below];
  }

  async withAncestors(topicIds: string[]): Promise<string[]> {
    await this.#ready();
    const out = new Set(topicIds);
    for (const id of topicIds)
      for (const a of (this.#topics.get(id)?.ancestors as unknown[] | undefined) ?? []) out.add(String(a));
    return [...out];
  }

  async liveTopics(topicIds: string[]): Promise<string[]> {
    await this.#ready();
    return [...new Set(topicIds)].filter((id) => {
      const topic = this.#topics.get(id);
      return topic !== undefined && !topic.mergedInto;
    });
  }

  async teams(ids: string[]): Promise<TeamRow[]> {
    await this.#ready();
    const out: TeamRow[] = [];
    for (const id of new Set(ids)) {
      const team = this.#teams.get(id);
      if (team) out.push(team as unknown as TeamRow);
    }
    return out;
  }

  async following(userId: string) {
    await this.#ready();
    const me = this.#users.get(userId);
    return {
      topics: ((me?.followedTopics as unknown[]) ?? []).map(String),
      people: ((me?.followedPeople as unknown[]) ?? []).map(String),
      team: me?.team ? String(me.team) : null,
    };
  }
}
