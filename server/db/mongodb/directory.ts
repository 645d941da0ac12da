import { Types } from 'mongoose';
import { Team } from '../../../models/team.ts';
import { Topic } from '../../../models/topic.ts';
import { User } from '../../../models/user.ts';
import type { DirectoryRepo, PersonRow, TeamRow, TopicRow } from '../../people/directory.repo.ts';
import { op } from '../query.ts';

const OBJECT_ID = /^[0-9a-f]{24}$/i;
const oids = (ids: string[]) =>
  [...new Set(ids)].filter((id) => OBJECT_ID.test(id)).map((id) => new Types.ObjectId(id));

/** People, topics and teams on MongoDB: `$in` on `_id`, indexed subtree queries. */
export class MongoDirectoryRepo implements DirectoryRepo {
  async people(ids: string[]): Promise<PersonRow[]> {
    const wanted = oids(ids);
    if (wanted.length === 0) return [];
    return (await User.find(
      { _id: op({ $in: wanted }) },
      { displayName: 1, avatar: 1, active: 1 },
    ).lean()) as unknown as PersonRow[];
  }

  async topics(): Promise<TopicRow[]> {
    return (await Topic.find({ mergedInto: null }).lean()) as unknown as TopicRow[];
  }

  async topicBySlug(slug: string): Promise<TopicRow | null> {
    return (await Topic.findOne({ slug }).lean()) as unknown as TopicRow | null;
  }

  async topicFollowers(topicId: string): Promise<number> {
    if (!OBJECT_ID.test(topicId)) return 0;
    return User.countDocuments({ followedTopics: new Types.ObjectId(topicId), active: true });
  }

  async subtree(topicId: string): Promise<string[]> {
    if (!OBJECT_ID.test(topicId)) return [];
    const below = await Topic.find({ ancestors: new Types.ObjectId(topicId) }, { _id: 1 }).lean();
    return [topicId, ...below.map((t) => String(t._id))];
  }

  async withAncestors(topicIds: string[]): Promise<string[]> {
    const wanted = oids(topicIds);
    if (wanted.length === 0) return [...new Set(topicIds)];
    const topics = await Topic.find({ _id: op({ $in: wanted }) }, { ancestors: 1 }).lean();
    return [...new Set([...topicIds, ...topics.flatMap((t) => t.ancestors.map(String))])];
  }

  async liveTopics(topicIds: string[]): Promise<string[]> {
    const wanted = oids(topicIds);
    if (wanted.length === 0) return [];
    const found = await Topic.find({ _id: op({ $in: wanted }), mergedInto: null }, { _id: 1 }).lean();
    return found.map((t) => String(t._id));
  }

  async teams(ids: string[]): Promise<TeamRow[]> {
    const wanted = oids(ids);
    if (wanted.length === 0) return [];
    return (await Team.find({ _id: op({ $in: wanted }) }, { name: 1 }).lean()) as unknown as TeamRow[];
  }

  async following(userId: string) {
    const me = OBJECT_ID.test(userId)
      ? await User.findById(userId, { followedTopics: 1, followedPeople: 1, team: 1 }).lean()
      : null;
    return {
      topics: (me?.followedTopics ?? []).map(String),
      people: (me?.followedPeople ?? []).map(String),
      team: me?.team ? String(me.team) : null,
    };
  }
}
