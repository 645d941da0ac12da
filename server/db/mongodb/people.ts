import { Types } from 'mongoose';
import { Team } from '../../../models/team.ts';
import { User } from '../../../models/user.ts';
import type { TeamRow } from '../../people/directory.repo.ts';
import type { DirectorySpec, PeopleRepo, PersonCardRow, ProfileRow } from '../../people/people.repo.ts';
import { escapeRegex, op } from '../query.ts';

const OBJECT_ID = /^[0-9a-f]{24}$/i;

export const CARD_FIELDS = { displayName: 1, avatar: 1, team: 1, roles: 1, topics: 1, active: 1 } as const;
export const PROFILE_FIELDS = {
  ...CARD_FIELDS,
  email: 1,
  bio: 1,
  languages: 1,
  createdAt: 1,
  lastSeenAt: 1,
} as const;

/** People on MongoDB: the directory from the `nameKey` and `team` indexes. */
export class MongoPeopleRepo implements PeopleRepo {
  async directory(spec: DirectorySpec): Promise<{ people: PersonCardRow[]; total: number }> {
    const filter: Record<string, unknown> = { active: true };
    if (spec.nameContains) filter.nameKey = op({ $regex: escapeRegex(spec.nameContains) });
    if (spec.team) {
      if (!OBJECT_ID.test(spec.team)) return { people: [], total: 0 };
      filter.team = new Types.ObjectId(spec.team);
    }
    if (spec.topic) {
      if (!OBJECT_ID.test(spec.topic)) return { people: [], total: 0 };
      filter.topics = new Types.ObjectId(spec.topic);
    }
    const [total, people] = await Promise.all([
      User.countDocuments(filter),
      User.find(filter, CARD_FIELDS).sort({ nameKey: 1, _id: 1 }).skip(spec.offset).limit(spec.limit).lean(),
    ]);
    return { people: people as unknown as PersonCardRow[], total };
  }

  async profile(id: string): Promise<ProfileRow | null> {
    if (!OBJECT_ID.test(id)) return null;
    return (await User.findById(id, PROFILE_FIELDS).lean()) as unknown as ProfileRow | null;
  }

  async teams(): Promise<TeamRow[]> {
    return (await Team.find({}, { name: 1 }).sort({ name: 1, _id: 1 }).lean()) as unknown as TeamRow[];
  }
}
