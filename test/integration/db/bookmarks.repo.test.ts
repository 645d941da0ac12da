import { expect } from 'chai';
import { Types } from 'mongoose';
import { Bookmark, bookmarkId } from '../../../models/bookmark.ts';
import { useTestApp } from '../../helpers/app.ts';

describe('bookmarks in the posts repository (contract, both adapters)', () => {
  const t = useTestApp();

  it('lists a person’s saved posts, most recently saved first, page by page, following saves and removals', async () => {
    const { posts } = t.runtime.repos;
    await t.runtime.repos.ready();
    const me = new Types.ObjectId();
    const other = new Types.ObjectId();
    const ids = Array.from({ length: 7 }, () => new Types.ObjectId());
    // Two saved in the same millisecond: the id decides, the same way on both adapters.
    const times = [1, 2, 3, 3, 5, 6, 7].map((m) => new Date(Date.UTC(2026, 2, 1, 10, m)));
    for (const [i, post] of ids.entries())
      await Bookmark.create({
        _id: bookmarkId(String(me), String(post)),
        user: me,
        post,
        createdAt: times[i],
      });
    await Bookmark.create({ _id: bookmarkId(String(other), String(ids[0])), user: other, post: ids[0] });

    const all = await posts.bookmarked(String(me), 0, 100);
    expect(all).to.deep.equal([6, 5, 4, 3, 2, 1, 0].map((i) => String(ids[i])));
    const pages = [
      ...(await posts.bookmarked(String(me), 0, 3)),
      ...(await posts.bookmarked(String(me), 3, 3)),
      ...(await posts.bookmarked(String(me), 6, 3)),
    ];
    expect(pages).to.deep.equal(all);
    expect(await posts.bookmarked(String(me), 7, 3)).to.deep.equal([]);

    await Bookmark.deleteOne({ _id: bookmarkId(String(me), String(ids[6])) });
    expect((await posts.bookmarked(String(me), 0, 1))[0]).to.equal(String(ids[5]));
    expect(await posts.bookmarked(String(other), 0, 10)).to.deep.equal([String(ids[0])]);
    expect(await posts.bookmarked('not-an-id', 0, 10)).to.deep.equal([]);
  });
});
