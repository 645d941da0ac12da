import { Team } from '../../models/team.ts';
import { TOPIC_KINDS, Topic, type TopicKind } from '../../models/topic.ts';
import { User } from '../../models/user.ts';
import { op } from '../db/query.ts';

export interface TeamSummary {
  id: string;
  name: string;
  slug: string;
  description: string;
  members: number;
  leads: string[];
}

export interface TopicNode {
  id: string;
  slug: string;
  names: { it: string; en: string };
  children: TopicNode[];
}

export interface OrganisationSnapshot {
  people: number;
  teams: TeamSummary[];
  topicsByKind: Array<{ kind: TopicKind; topics: TopicNode[] }>;
  topicCount: number;
}

/** What the organisation looks like: teams, people and the topic taxonomy. */
export class HomeService {
  async organisationSnapshot(): Promise<OrganisationSnapshot> {
    const [teams, memberCounts, topics] = await Promise.all([
      Team.find({}).sort({ name: 1 }).lean(),
      User.aggregate<{ _id: unknown; count: number }>([
        { $match: { active: true } },
        { $group: { _id: '$team', count: { $sum: 1 } } },
      ]),
      Topic.find({ mergedInto: null }).sort({ 'names.it': 1 }).lean(),
    ]);
    const people = memberCounts.reduce((sum, c) => sum + c.count, 0);
    const counts = new Map(memberCounts.map((c) => [String(c._id), c.count]));
    const leadIds = teams.flatMap((t) => t.leads);
    const leads = await User.find({ _id: op({ $in: leadIds }) }, { displayName: 1 }).lean();
    const leadName = new Map(leads.map((u) => [String(u._id), u.displayName]));

    const nodes = new Map<string, TopicNode & { kind: TopicKind; parent: string | null }>();
    for (const t of topics) {
      nodes.set(String(t._id), {
        id: String(t._id),
        slug: t.slug,
        names: { it: t.names?.it ?? t.slug, en: t.names?.en ?? t.slug },
        children: [],
        kind: t.kind as TopicKind,
        parent: t.parent ? String(t.parent) : null,
      });
    }
    const roots: Array<TopicNode & { kind: TopicKind }> = [];
    for (const node of nodes.values()) {
      const parent = node.parent ? nodes.get(node.parent) : undefined;
      if (parent) parent.children.push(node);
      else roots.push(node);
    }

    return {
      people,
      teams: teams.map((t) => ({
        id: String(t._id),
        name: t.name,
        slug: t.slug,
        description: t.description,
        members: counts.get(String(t._id)) ?? 0,
        leads: t.leads.map((id) => leadName.get(String(id))).filter((n): n is string => Boolean(n)),
      })),
      topicsByKind: TOPIC_KINDS.map((kind) => ({
        kind,
        topics: roots.filter((r) => r.kind === kind),
      })).filter((group) => group.topics.length > 0),
      topicCount: topics.length,
    };
  }
}
