import { Types } from 'mongoose';
import { Bookmark } from '../../../models/bookmark.ts';
import { Post } from '../../../models/post.ts';
import { PostContent } from '../../../models/post-content.ts';
import {
  type Deletion,
  type Duplicate,
  duplicateDocument,
  type FeedSpec,
  ORDER_FIELDS,
  type PostMatch,
  type PostRevision,
  type PostRow,
  type PostsRepo,
} from '../../posts/posts.repo.ts';
import { op } from '../query.ts';

const oid = (id: string) => new Types.ObjectId(id);
const OBJECT_ID = /^[0-9a-f]{24}$/i;

function cursorValue(field: string, value: string | number): unknown {
  if (field === '_id') return oid(String(value));
  if (field === 'createdAt' || field === 'lastActivityAt') return new Date(Number(value));
  return Number(value);
}

/**
 * "After this cursor" for a descending sort on several fields:
 * (a < va) or (a = va and b < vb) or … — stable under new posts arriving.
 */
function afterCursor(fields: readonly string[], values: Array<string | number>): Record<string, unknown> {
  return {
    $or: fields.map((field, i) => {
      const clause: Record<string, unknown> = {};
      for (let j = 0; j < i; j++) clause[fields[j]!] = cursorValue(fields[j]!, values[j]!);
      clause[field] = op({ $lt: cursorValue(field, values[i]!) });
      return clause;
    }),
  };
}

function anyOf(match: PostMatch): Array<Record<string, unknown>> {
  const any: Array<Record<string, unknown>> = [];
  if (match.topics?.length) any.push({ topics: op({ $in: match.topics.map(oid) }) });
  if (match.authors?.length) any.push({ author: op({ $in: match.authors.map(oid) }) });
  if (match.team) any.push({ team: oid(match.team) });
  return any;
}

function noneOf(match: PostMatch): Record<string, unknown> {
  const none: Record<string, unknown> = {};
  if (match.topics?.length) none.topics = op({ $nin: match.topics.map(oid) });
  if (match.authors?.length) none.author = op({ $nin: match.authors.map(oid) });
  if (match.team) none.team = op({ $ne: oid(match.team) });
  return none;
}

/** Posts on MongoDB: indexed queries (see the indexes declared in models/post.ts). */
export class MongoPostsRepo implements PostsRepo {
  async revise(postId: string, from: number, revision: PostRevision): Promise<boolean> {
    if (!OBJECT_ID.test(postId)) return false;
    // The revision number is the condition: of two edits from the same revision, one is saved.
    const saved = await Post.updateOne(
      { _id: oid(postId), revision: from },
      { $set: { ...revision.card, revision: from + 1 }, $inc: { __v: 1 } },
    );
    if (saved.matchedCount !== 1) return false;
    await PostContent.updateOne({ _id: oid(postId) }, { $set: revision.content, $inc: { __v: 1 } });
    return true;
  }

  async addViews(counts: ReadonlyMap<string, number>): Promise<void> {
    const ops = [...counts]
      .filter(([id]) => OBJECT_ID.test(id))
      .map(([id, n]) => ({ updateOne: { filter: { _id: oid(id) }, update: { $inc: { views: n } } } }));
    if (ops.length > 0) await Post.bulkWrite(ops as never, { ordered: false });
  }

  async markDuplicate(postId: string, duplicate: Duplicate): Promise<boolean> {
    if (!OBJECT_ID.test(postId)) return false;
    const result = await Post.updateOne(
      { _id: oid(postId), deleted: null, duplicateOf: null },
      { $set: { duplicateOf: duplicateDocument(duplicate) } },
    );
    return result.modifiedCount === 1;
  }

  async reopen(postId: string): Promise<boolean> {
    if (!OBJECT_ID.test(postId)) return false;
    const result = await Post.updateOne(
      { _id: oid(postId), 'duplicateOf.merged': false },
      { $set: { duplicateOf: null } },
    );
    return result.modifiedCount === 1;
  }

  async shiftAnswers(
    from: string,
    to: string,
    live: number,
    accepted: string | null,
    at: Date,
  ): Promise<void> {
    if (!OBJECT_ID.test(from) || !OBJECT_ID.test(to)) return;
    await Post.updateOne(
      { _id: oid(from) },
      { $inc: { answerCount: -live }, $set: { acceptedAnswer: null } },
    );
    await Post.updateOne({ _id: oid(to) }, { $inc: { answerCount: live }, $set: { lastActivityAt: at } });
    // The accepted mark only where there is none: the condition makes it atomic.
    if (accepted && OBJECT_ID.test(accepted))
      await Post.updateOne(
        { _id: oid(to), acceptedAnswer: null },
        { $set: { acceptedAnswer: oid(accepted) } },
      );
  }

  async markDeleted(postId: string, deletion: Deletion): Promise<boolean> {
    if (!OBJECT_ID.test(postId)) return false;
    const result = await Post.updateOne({ _id: oid(postId), deleted: null }, { $set: { deleted: deletion } });
    return result.modifiedCount === 1;
  }

  async feed(spec: FeedSpec): Promise<PostRow[]> {
    const filter: Record<string, unknown> = { deleted: null };
    if (spec.kind) filter.kind = spec.kind;
    if (spec.unanswered) {
      filter.kind = 'question';
      filter.answerCount = 0;
      filter.duplicateOf = null;
    }
    if (spec.topics) filter.topics = op({ $in: spec.topics.map(oid) });
    if (spec.tag) filter.tags = spec.tag;
    if (spec.author) filter.author = oid(spec.author);
    if (spec.team) filter.team = oid(spec.team);
    if (spec.since) filter.createdAt = op({ $gte: spec.since });
    const and: Array<Record<string, unknown>> = [filter];
    if (spec.anyOf) {
      const any = anyOf(spec.anyOf);
      if (any.length === 0) return [];
      and.push({ $or: any });
    }
    if (spec.noneOf) and.push(noneOf(spec.noneOf));
    const fields = ORDER_FIELDS[spec.order];
    if (spec.after) and.push(afterCursor(fields, spec.after));
    const sort = Object.fromEntries(fields.map((f) => [f, -1 as const]));
    return (await Post.find(and.length === 1 ? filter : { $and: and })
      .sort(sort)
      .limit(spec.limit)
      .lean()) as unknown as PostRow[];
  }

  async listed(ids: string[]): Promise<PostRow[]> {
    const valid = ids.filter((id) => Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id));
    if (valid.length === 0) return [];
    const found = (await Post.find({
      _id: op({ $in: valid.map(oid) }),
      deleted: null,
    }).lean()) as unknown as PostRow[];
    const byId = new Map(found.map((p) => [String(p._id), p]));
    return valid.map((id) => byId.get(id)).filter((p): p is PostRow => Boolean(p));
  }

  async createdSince(since: Date, limit: number): Promise<PostRow[]> {
    return (await Post.find({ deleted: null, createdAt: op({ $gt: since }) })
      .sort({ createdAt: 1, _id: 1 })
      .limit(limit)
      .lean()) as unknown as PostRow[];
  }

  async bookmarked(userId: string, skip: number, limit: number): Promise<string[]> {
    if (!OBJECT_ID.test(userId)) return [];
    // The index { user, createdAt: -1 } serves it.
    const marks = await Bookmark.find({ user: oid(userId) }, { post: 1 })
      .sort({ createdAt: -1, _id: -1 })
      .skip(skip)
      .limit(limit)
      .lean();
    return marks.map((m) => String(m.post));
  }
}
