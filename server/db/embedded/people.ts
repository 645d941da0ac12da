import { Team } from '../../../models/team.ts';
import { User } from '../../../models/user.ts';
import type { TeamRow } from '../../people/directory.repo.ts';
import type {
  DirectorySpec,
  MentionSuggestionRow,
  PeopleRepo,
  PersonCardRow,
  ProfileRow,
} from '../../people/people.repo.ts';
import { CARD_FIELDS, MENTION_FIELDS, mentionRank, PROFILE_FIELDS } from '../mongodb/people.ts';
import type { Mirror, MirrorDoc, MirroredCollection } from './mirror.ts';

/** Directory order: folded name, then id (as MongoDB sorts `{ nameKey: 1, _id: 1 }`). */
function byName(a: MirrorDoc, b: MirrorDoc): number {
  const ka = String(a.nameKey ?? '');
  const kb = String(b.nameKey ?? '');
  if (ka !== kb) return ka < kb ? -1 : 1;
  const ia = String(a._id);
  const ib = String(b._id);
  return ia === ib ? 0 : ia < ib ? -1 : 1;
}

function pick<T>(doc: MirrorDoc, fields: Record<string, 1>): T {
  const out: Record<string, unknown> = { _id: doc._id };
  for (const f of Object.keys(fields)) if (f in doc) out[f] = doc[f];
  return out as T;
}

/** Adds or removes `id` under each key. */
function move(groups: Map<string, Set<string>>, id: string, before: string[], after: string[]) {
  for (const key of before) groups.get(key)?.delete(id);
  for (const key of after) {
    let group = groups.get(key);
    if (!group) {
      group = new Set();
      groups.set(key, group);
    }
    group.add(id);
  }
}

/**
 * People on the embedded engine: the people collection is held whole (see
 * directory.ts); the directory keeps active people in name order (sorted again
 * only after a change), with who is in each team and who declares each topic.
 */
export class EmbeddedPeopleRepo implements PeopleRepo {
  readonly #ready: () => Promise<void>;
  readonly #users: MirroredCollection;
  readonly #teams: MirroredCollection;
  readonly #active = new Map<string, MirrorDoc>();
  readonly #byTeam = new Map<string, Set<string>>();
  readonly #byTopic = new Map<string, Set<string>>();
  #sorted: MirrorDoc[] | undefined;

  constructor(mirror: Mirror) {
    this.#ready = () => mirror.ready();
    this.#users = mirror.track(User as never);
    this.#teams = mirror.track(Team as never, ['name']);
    const teamOf = (p: MirrorDoc | undefined) => (p?.active && p.team ? [String(p.team)] : []);
    const topicsOf = (p: MirrorDoc | undefined) =>
      p?.active ? [...new Set(((p.topics as unknown[]) ?? []).map(String))] : [];
    this.#users.onChange((id, person, previous) => {
      if (person?.active) this.#active.set(id, person);
      else this.#active.delete(id);
      move(this.#byTeam, id, teamOf(previous), teamOf(person));
      move(this.#byTopic, id, topicsOf(previous), topicsOf(person));
      this.#sorted = undefined;
    });
  }

  async directory(spec: DirectorySpec): Promise<{ people: PersonCardRow[]; total: number }> {
    await this.#ready();
    let candidates: MirrorDoc[];
    if (spec.team || spec.topic) {
      // The smaller of the two groups, checked against the other filters.
      const groups = [
        spec.team ? (this.#byTeam.get(spec.team) ?? new Set<string>()) : undefined,
        spec.topic ? (this.#byTopic.get(spec.topic) ?? new Set<string>()) : undefined,
      ].filter((g) => g !== undefined);
      groups.sort((a, b) => a.size - b.size);
      const [smallest, ...others] = groups;
      candidates = [...smallest!]
        .filter((id) => others.every((g) => g.has(id)))
        .map((id) => this.#active.get(id))
        .filter((p) => p !== undefined)
        .sort(byName);
    } else {
      this.#sorted ??= [...this.#active.values()].sort(byName);
      candidates = this.#sorted;
    }
    const part = spec.nameContains;
    const matching = part ? candidates.filter((p) => String(p.nameKey ?? '').includes(part)) : candidates;
    return {
      people: matching
        .slice(spec.offset, spec.offset + spec.limit)
        .map((p) => pick<PersonCardRow>(p, CARD_FIELDS)),
      total: matching.length,
    };
  }

  async mentionable(part: string, limit: number): Promise<MentionSuggestionRow[]> {
    await this.#ready();
    this.#sorted ??= [...this.#active.values()].sort(byName);
    const found: Array<{ rank: number; at: number; person: MirrorDoc }> = [];
    this.#sorted.forEach((person, at) => {
      const rank = mentionRank(String(person.nameKey ?? ''), String(person.email ?? ''), part);
      if (rank >= 0) found.push({ rank, at, person });
    });
    found.sort((a, b) => a.rank - b.rank || a.at - b.at);
    return found.slice(0, limit).map((f) => pick<MentionSuggestionRow>(f.person, MENTION_FIELDS));
  }

  async profile(id: string): Promise<ProfileRow | null> {
    await this.#ready();
    const person = this.#users.get(id);
    return person ? pick<ProfileRow>(person, PROFILE_FIELDS) : null;
  }

  async teams(): Promise<TeamRow[]> {
    await this.#ready();
    return ([...this.#teams.docs.values()] as unknown as TeamRow[]).sort((a, b) =>
      a.name === b.name ? (String(a._id) < String(b._id) ? -1 : 1) : a.name < b.name ? -1 : 1,
    );
  }
}
