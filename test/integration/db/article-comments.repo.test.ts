import { expect } from 'chai';
import { Types } from 'mongoose';
import { Comment } from '../../../models/comment.ts';
import { useTestApp } from '../../helpers/app.ts';

describe('comments on items outside posts in the threads repository (contract, both adapters)', () => {
  const t = useTestApp();

  it('lists an article’s comments oldest first, apart from posts’ comments and other articles’, following writes', async () => {
    const { threads } = t.runtime.repos;
    await t.runtime.repos.ready();
    const article = new Types.ObjectId();
    const otherArticle = new Types.ObjectId();
    const post = new Types.ObjectId();
    const author = new Types.ObjectId();
    const at = (m: number) => new Date(Date.UTC(2026, 2, 1, 10, m));
    const comment = (fields: Record<string, unknown>, minute: number) =>
      Comment.create({ author, body: 'x', bodyHtml: '<p>x</p>', createdAt: at(minute), ...fields });
    const second = await comment({ targetType: 'article', targetId: article }, 2);
    const first = await comment({ targetType: 'article', targetId: article }, 1);
    await comment({ targetType: 'article', targetId: otherArticle }, 0);
    // A post's comment whose id happens to be the article's: not the article's.
    await comment({ targetType: 'post', targetId: article, post }, 0);

    const ids = async (id: Types.ObjectId) =>
      (await threads.commentsOnItem('article', String(id))).map((c) => String(c._id));
    expect(await ids(article)).to.deep.equal([String(first._id), String(second._id)]);
    expect((await threads.commentsOnItem('article', String(article)))[0]!.body).to.equal('x');
    expect(await ids(otherArticle)).to.have.length(1);

    const third = await comment({ targetType: 'article', targetId: article }, 3);
    await Comment.updateOne({ _id: first._id }, { $set: { body: 'edited' } });
    const listed = await threads.commentsOnItem('article', String(article));
    expect(listed.map((c) => String(c._id))).to.deep.equal([first, second, third].map((c) => String(c._id)));
    expect(listed[0]!.body).to.equal('edited');

    await Comment.deleteOne({ _id: second._id });
    expect(await ids(article)).to.deep.equal([String(first._id), String(third._id)]);
    expect(await threads.commentsOnItem('article', 'not-an-id')).to.deep.equal([]);
    expect(await threads.commentsOnItem('article', String(new Types.ObjectId()))).to.deep.equal([]);
  });
});
