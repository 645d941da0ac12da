import { Types } from 'mongoose';
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

export const MENTION_FIELDS = { displayName: 1, email: 1, team: 1, avatar: 1 } as const;

/**
 * How well a person matches what was typed after @: 0 the handle or a word of
 * the name starts with it, 1 the name contains it elsewhere, -1 no match.
 * `part` is folded (see foldName).
 */
export function mentionRank(nameKey: string, email: string, part: string): number {
  const at = email.indexOf('@');
  const handle = (at === -1 ? email : email.slice(0, at)).toLowerCase();
  if (handle.startsWith(part) || nameKey.startsWith(part) || nameKey.includes(` ${part}`)) return 0;
  return nameKey.includes(part) ? 1 : -1;
}

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

  async mentionable(part: string, limit: number): Promise<MentionSuggestionRow[]> {
    const literal = escapeRegex(part);
    const find = (filter: Record<string, unknown>, n: number) =>
      User.find({ active: true, ...filter }, MENTION_FIELDS)
        .sort({ nameKey: 1, _id: 1 })
        .limit(n)
        .lean();
    // First whose handle or a word of whose name starts with it, then whose name contains it.
    const first = await find(
      {
        $or: [{ nameKey: op({ $regex: `(^| )${literal}` }) }, { email: op({ $regex: `^${literal}[^@]*@` }) }],
      },
      limit,
    );
    const rest =
      first.length < limit
        ? await find(
            { nameKey: op({ $regex: literal }), _id: op({ $nin: first.map((p) => p._id) }) },
            limit - first.length,
          )
        : [];
    return [...first, ...rest] as unknown as MentionSuggestionRow[];
  }

  async profile(id: string): Promise<ProfileRow | null> {
    if (!OBJECT_ID.test(id)) return null;
    return (await User.findById(id, PROFILE_FIELDS).lean()) as unknown as ProfileRow | null;
  }

  async teams(): Promise<TeamRow[]> {
    return (await Team.find({}, { name: 1 }).sort({ name: 1, _id: 1 }).lean()) as unknown as TeamRow[];
  }
}
