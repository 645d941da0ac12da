import { expect } from 'chai';
import { Types } from 'mongoose';
import { Topic } from '../../../models/topic.ts';
import { useTestApp } from '../../helpers/app.ts';
import { createTopics } from '../../helpers/content.ts';

describe('topics with their ancestors, and topics in use, in the directory repository (contract, both adapters)', () => {
  const t = useTestApp();

  it('adds every ancestor once, keeps unknown ids, and follows merges and new topics', async () => {
    const { directory } = t.runtime.repos;
    await t.runtime.repos.ready();
    const topics = await createTopics();
    const leaf = await Topic.create({
      slug: `leaf-${Date.now()}`,
      names: { it: 'Foglia', en: 'Leaf' },
      kind: 'process',
      parent: new Types.ObjectId(topics.sdd),
      ancestors: [new Types.ObjectId(topics.billing), new Types.ObjectId(topics.sdd)],
    });
    const unknown = String(new Types.ObjectId());
    expect((await directory.withAncestors([String(leaf._id), topics.sdd])).sort()).to.deep.equal(
      [String(leaf._id), topics.sdd, topics.billing].sort(),
    );
    expect(await directory.withAncestors([topics.fibre, unknown])).to.deep.equal([topics.fibre, unknown]);
    expect(await directory.withAncestors([])).to.deep.equal([]);

    expect(
      (await directory.liveTopics([topics.billing, topics.fibre, unknown, topics.fibre])).sort(),
    ).to.deep.equal([topics.billing, topics.fibre].sort());
    await Topic.updateOne(
      { _id: topics.fibre },
      { $set: { mergedInto: new Types.ObjectId(topics.billing) } },
    );
    expect(await directory.liveTopics([topics.billing, topics.fibre])).to.deep.equal([topics.billing]);
    expect(await directory.liveTopics(['not-an-id'])).to.deep.equal([]);
  });
});
