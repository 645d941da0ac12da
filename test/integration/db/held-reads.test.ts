import { expect } from 'chai';
import { Types } from 'mongoose';
import { Bookmark, bookmarkId } from '../../../models/bookmark.ts';
import { Team } from '../../../models/team.ts';
import { User } from '../../../models/user.ts';
import { useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, sessionUserOf } from '../../helpers/content.ts';
import { createUser } from '../../helpers/users.ts';

/**
 * Reads by `_id` give what the engine stores, on either adapter: on the
 * embedded one they are answered from the documents it holds (whole, or by the
 * fields a read asks for), and follow every write of the process.
 */
describe('reads by id of held documents', () => {
  const t = useTestApp();

  it('a team by id with its name, after a rename and a removal', async () => {
    const team = await Team.create({ name: 'Fatturazione', slug: `fatturazione-${Date.now()}`, leads: [] });
    expect((await Team.findById(team._id, { name: 1 }).lean())?.name).to.equal('Fatturazione');
    await Team.updateOne({ _id: team._id }, { $set: { name: 'Fatture e pagamenti' } });
    const renamed = await Team.findById(team._id, { name: 1 }).lean();
    expect(renamed).to.deep.equal({ _id: team._id, name: 'Fatture e pagamenti' });
    // A field the embedded adapter does not hold is read from the engine.
    expect((await Team.findById(team._id, { leads: 1 }).lean())?.leads).to.deep.equal([]);
    await Team.deleteOne({ _id: team._id });
    expect(await Team.findById(team._id, { name: 1 }).lean()).to.equal(null);
  });

  it('whether a bookmark exists, as it is set and removed', async () => {
    const topics = await createTopics();
    const reader = await createUser();
    const post = await createPost(t, await createUser(), 'tip', [topics.billing]);
    const session = await sessionUserOf(reader);
    const id = bookmarkId(reader.id, post);
    expect(await Bookmark.exists({ _id: id })).to.equal(null);
    await t.services.posts.setBookmark(post, session, true);
    expect(await Bookmark.exists({ _id: id })).to.deep.equal({ _id: id });
    await t.services.posts.setBookmark(post, session, false);
    expect(await Bookmark.exists({ _id: id })).to.equal(null);
  });

  it('a projection of the id alone gives the id alone', async () => {
    const user = await createUser();
    expect(await User.findById(user.id, { _id: 1 }).lean()).to.deep.equal({
      _id: new Types.ObjectId(user.id),
    });
    expect(await User.exists({ _id: user.id })).to.deep.equal({ _id: new Types.ObjectId(user.id) });
  });
});
