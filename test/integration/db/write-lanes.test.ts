import { expect } from 'chai';
import { Types } from 'mongoose';
import { Post } from '../../../models/post.ts';
import { busyLanes } from '../../../server/db/embedded/write-lanes.ts';
import { useTestApp } from '../../helpers/app.ts';

describe('write lanes (exact counters on every engine)', () => {
  useTestApp();

  it('keeps 50 concurrent $inc on one document exact', async () => {
    const post = await Post.create({
      kind: 'tip',
      title: 'Counter under load',
      author: new Types.ObjectId(),
    });
    await Promise.all(
      Array.from({ length: 50 }, () =>
        Post.updateOne({ _id: post._id }, { $inc: { voteScore: 1, upvotes: 1 } }),
      ),
    );
    const stored = await Post.findById(post._id).lean();
    expect([stored?.voteScore, stored?.upvotes]).to.deep.equal([50, 50]);
    expect(busyLanes()).to.deep.equal([]);
  });

  it('keeps concurrent updates of different fields of one document', async () => {
    const post = await Post.create({ kind: 'tip', title: 'Fields under load', author: new Types.ObjectId() });
    const fields = ['views', 'confirmations', 'answerCount', 'commentCount', 'downvotes'] as const;
    await Promise.all(
      fields.map((field, i) => Post.updateOne({ _id: post._id }, { $set: { [field]: i + 1 } })),
    );
    const stored = await Post.findById(post._id).lean();
    expect(fields.map((f) => stored?.[f])).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it('lets a failing write release its lane', async () => {
    const id = new Types.ObjectId();
    await Post.create({ _id: id, kind: 'tip', title: 'Duplicate one', author: new Types.ObjectId() });
    let failed = false;
    try {
      await Post.create({ _id: id, kind: 'tip', title: 'Duplicate two', author: new Types.ObjectId() });
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
    await Post.updateOne({ _id: id }, { $set: { views: 7 } });
    expect((await Post.findById(id).lean())?.views).to.equal(7);
  });
});
