import { Types } from 'mongoose';
import { Post } from '../../models/post.ts';
import { TOPIC_KINDS, Topic, type TopicKind } from '../../models/topic.ts';
import { User } from '../../models/user.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { SessionUser } from '../auth/session-user.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import { slugify } from '../teams/teams.service.ts';
import '../posts/posts.events.ts';
import type { DirectoryRepo } from '../people/directory.repo.ts';
import type { TopicInput } from './topics.schemas.ts';

/** Topic names in the order the taxonomy lists them (Italian names, as MongoDB's binary sort would). */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface TopicNode {
  id: string;
  slug: string;
  kind: TopicKind;
  names: { it: string; en: string };
  descriptions: { it: string; en: string };
  parent: string | null;
  children: TopicNode[];
  followed: boolean;
}

/** The managed taxonomy (products, services, processes, channels) and who follows what. */
export class TopicsService {
  readonly #audit: AuditService;
  readonly #events: EventBus;
  readonly #directory: DirectoryRepo;

  constructor(audit: AuditService, events: EventBus, directory: DirectoryRepo) {
    this.#audit = audit;
    this.#events = events;
    this.#directory = directory;
  }

  /** The taxonomy as trees grouped by kind, marking what the viewer follows. */
  async tree(viewer?: SessionUser) {
    const [unsorted, me] = await Promise.all([
      this.#directory.topics(),
      viewer ? this.#directory.following(viewer.id) : null,
    ]);
    const topics = [...unsorted].sort((a, b) => compareNames(a.names?.it ?? a.slug, b.names?.it ?? b.slug));
    const followed = new Set(me?.topics ?? []);
    const nodes = new Map<string, TopicNode>();
    for (const t of topics) {
      nodes.set(String(t._id), {
        id: String(t._id),
        slug: t.slug,
        kind: t.kind as TopicKind,
        names: { it: t.names?.it ?? t.slug, en: t.names?.en ?? t.slug },
        descriptions: { it: t.descriptions?.it ?? '', en: t.descriptions?.en ?? '' },
        parent: t.parent ? String(t.parent) : null,
        children: [],
        followed: followed.has(String(t._id)),
      });
    }
    const roots: TopicNode[] = [];
    for (const node of nodes.values()) {
      const parent = node.parent ? nodes.get(node.parent) : undefined;
      if (parent) parent.children.push(node);
      else roots.push(node);
    }
    return {
      groups: TOPIC_KINDS.map((kind) => ({ kind, topics: roots.filter((r) => r.kind === kind) })).filter(
        (g) => g.topics.length,
      ),
      all: [...nodes.values()],
    };
  }

  async bySlug(slug: string, viewer: SessionUser) {
    const topic = await this.#directory.topicBySlug(slug.toLowerCase().slice(0, 80));
    if (!topic) throw new NotFoundError('topics.notFound');
    if (topic.mergedInto) {
      const target = await Topic.findById(topic.mergedInto, { slug: 1 }).lean();
      if (target) return { redirectTo: `/topics/${target.slug}` } as const;
    }
    const [all, me, followers] = await Promise.all([
      this.#directory.topics(),
      this.#directory.following(viewer.id),
      this.#directory.topicFollowers(String(topic._id)),
    ]);
    const children = all
      .filter((t) => String(t.parent) === String(topic._id))
      .sort((a, b) => compareNames(a.names?.it ?? a.slug, b.names?.it ?? b.slug));
    const ancestorIds = new Set(topic.ancestors.map(String));
    const ancestors = all.filter((t) => ancestorIds.has(String(t._id)));
    const name = (t: { names?: { it?: string | null; en?: string | null } | null; slug: string }) => ({
      it: t.names?.it ?? t.slug,
      en: t.names?.en ?? t.slug,
    });
    const order = new Map(topic.ancestors.map((id, i) => [String(id), i]));
    return {
      topic: {
        id: String(topic._id),
        slug: topic.slug,
        kind: topic.kind,
        names: name(topic),
        descriptions: { it: topic.descriptions?.it ?? '', en: topic.descriptions?.en ?? '' },
        followers,
        followed: me.topics.includes(String(topic._id)),
      },
      children: children.map((c) => ({ id: String(c._id), slug: c.slug, names: name(c) })),
      ancestors: ancestors
        .sort((a, b) => (order.get(String(a._id)) ?? 0) - (order.get(String(b._id)) ?? 0))
        .map((a) => ({ id: String(a._id), slug: a.slug, names: name(a) })),
    } as const;
  }

  async follow(viewer: SessionUser, kind: 'topic' | 'user', targetId: string, on: boolean): Promise<void> {
    if (!/^[0-9a-f]{24}$/i.test(targetId)) throw new NotFoundError('topics.notFound');
    const target = new Types.ObjectId(targetId);
    if (kind === 'topic' && !(await Topic.exists({ _id: target, mergedInto: null })))
      throw new NotFoundError('topics.notFound');
    if (kind === 'user') {
      if (targetId === viewer.id) throw new ConflictError('people.cannotFollowSelf');
      const [person] = await this.#directory.people([targetId]);
      if (!person?.active) throw new NotFoundError('people.notFound');
    }
    const field = kind === 'topic' ? 'followedTopics' : 'followedPeople';
    await User.updateOne(
      { _id: new Types.ObjectId(viewer.id) },
      on ? { $addToSet: { [field]: target } } : { $pull: { [field]: target } },
    );
    await this.#events.publish('follow.changed', { userId: viewer.id, kind, targetId, following: on });
  }

  async isFollowingPerson(viewer: SessionUser, personId: string): Promise<boolean> {
    const me = await User.findById(viewer.id, { followedPeople: 1 }).lean();
    return (me?.followedPeople ?? []).some((p) => String(p) === personId);
  }

  async #checkParent(parentId: string | undefined, selfId?: Types.ObjectId) {
    if (!parentId) return null;
    const parent = await Topic.findOne({ _id: new Types.ObjectId(parentId), mergedInto: null }).lean();
    if (!parent) throw new ValidationError({ parent: { key: 'validation.topicUnknown' } });
    if (selfId && (parent._id.equals(selfId) || parent.ancestors.some((a) => a.equals(selfId)))) {
      throw new ValidationError({ parent: { key: 'validation.topicCycle' } });
    }
    return parent;
  }

  async create(input: TopicInput, actor: SessionUser): Promise<string> {
    const slug = slugify(input.nameIt);
    if (!slug) throw new ValidationError({ nameIt: { key: 'validation.invalid' } });
    if (await Topic.exists({ slug }))
      throw new ValidationError({ nameIt: { key: 'validation.topicExists' } });
    const parent = await this.#checkParent(input.parent);
    const topic = await Topic.create({
      slug,
      names: { it: input.nameIt, en: input.nameEn },
      descriptions: { it: input.descriptionIt, en: input.descriptionEn },
      kind: input.kind,
      parent: parent?._id ?? null,
      ancestors: parent ? [...parent.ancestors, parent._id] : [],
    });
    await this.#audit.record({
      actor: { id: actor.id, displayName: actor.displayName },
      action: 'topics.create',
      target: { type: 'topic', id: String(topic._id), label: input.nameIt },
    });
    return String(topic._id);
  }

  /** Renames (both languages), re-describes or moves a topic; moving carries its whole subtree. */
  async update(id: string, input: TopicInput, actor: SessionUser): Promise<void> {
    const topic = /^[0-9a-f]{24}$/i.test(id) ? await Topic.findById(id) : null;
    if (!topic || topic.mergedInto) throw new NotFoundError('topics.notFound');
    const parent = await this.#checkParent(input.parent, topic._id);
    const moved = String(topic.parent ?? '') !== String(parent?._id ?? '');
    const before = { it: topic.names?.it ?? '', en: topic.names?.en ?? '' };
    topic.names = { it: input.nameIt, en: input.nameEn };
    topic.descriptions = { it: input.descriptionIt, en: input.descriptionEn };
    topic.kind = input.kind;
    if (moved) {
      const oldChain = [...topic.ancestors];
      topic.parent = parent?._id ?? null;
      topic.ancestors = parent ? [...parent.ancestors, parent._id] : [];
      // Every descendant's chain: new chain + the part below this topic.
      const descendants = await Topic.find({ ancestors: topic._id });
      for (const d of descendants) {
        const below = d.ancestors.slice(oldChain.length);
        d.ancestors = [...topic.ancestors, ...below];
        await d.save();
      }
    }
    await topic.save();
    await this.#audit.record({
      actor: { id: actor.id, displayName: actor.displayName },
      action: 'topics.update',
      target: { type: 'topic', id, label: input.nameIt },
      details: { names: `${before.it} / ${before.en} → ${input.nameIt} / ${input.nameEn}`, moved },
    });
  }

  /**
   * Merges a topic into another: its posts, its followers, its people and its
   * subtopics move to the target; the merged topic redirects there.
   */
  async merge(id: string, intoId: string, actor: SessionUser): Promise<{ posts: number }> {
    if (id === intoId) throw new ValidationError({ into: { key: 'validation.topicMergeSelf' } });
    const [source, target] = await Promise.all([
      /^[0-9a-f]{24}$/i.test(id) ? Topic.findById(id) : null,
      Topic.findOne({ _id: new Types.ObjectId(intoId), mergedInto: null }),
    ]);
    if (!source || source.mergedInto) throw new NotFoundError('topics.notFound');
    if (!target) throw new ValidationError({ into: { key: 'validation.topicUnknown' } });
    if (target.ancestors.some((a) => a.equals(source._id)))
      throw new ValidationError({ into: { key: 'validation.topicCycle' } });
    const posts = await Post.find({ topics: source._id }, { _id: 1 }).lean();
    for (const p of posts) {
      await Post.updateOne({ _id: p._id }, { $addToSet: { topics: target._id } });
      await Post.updateOne({ _id: p._id }, { $pull: { topics: source._id } });
    }
    for (const field of ['followedTopics', 'topics'] as const) {
      const holders = await User.find({ [field]: source._id }, { _id: 1 }).lean();
      for (const u of holders) {
        await User.updateOne({ _id: u._id }, { $addToSet: { [field]: target._id } });
        await User.updateOne({ _id: u._id }, { $pull: { [field]: source._id } });
      }
    }
    const children = await Topic.find({ parent: source._id });
    for (const child of children) {
      child.parent = target._id;
      await child.save();
    }
    for (const d of await Topic.find({ ancestors: source._id })) {
      const at = d.ancestors.findIndex((a) => a.equals(source._id));
      d.ancestors = [...target.ancestors, target._id, ...d.ancestors.slice(at + 1)];
      await d.save();
    }
    source.mergedInto = target._id;
    await source.save();
    await this.#audit.record({
      actor: { id: actor.id, displayName: actor.displayName },
      action: 'topics.merge',
      target: { type: 'topic', id, label: source.names?.it ?? source.slug },
      details: { into: target.names?.it ?? target.slug, posts: posts.length },
    });
    return { posts: posts.length };
  }
}
