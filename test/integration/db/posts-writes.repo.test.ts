import { expect } from 'chai';
import { Types } from 'mongoose';
import { Post } from '../../../models/post.ts';
import { PostContent } from '../../../models/post-content.ts';
import { useTestApp } from '../../helpers/app.ts';

describe('posts repository writes (contract, both adapters)', () => {
  const t = useTestApp();
  const at = new Date('2026-03-01T10:00:00Z');

  async function post() {
    const id = new Types.ObjectId();
    await PostContent.create({ _id: id, body: 'Testo', bodyHtml: '<p>Testo</p>' });
    await Post.create({ _id: id, kind: 'tip', title: 'Prima versione', author: new Types.ObjectId() });
    await t.runtime.repos.ready();
    return String(id);
  }

  it('marks a post deleted once: a second call, a missing or a malformed id change nothing', async () => {
    const { posts } = t.runtime.repos;
    const id = await post();
    const by = String(new Types.ObjectId());
    expect(await posts.markDeleted(id, { at, by, reason: 'doppione' })).to.equal(true);
    const stored = await Post.findById(id).lean();
    expect([stored?.deleted?.reason, String(stored?.deleted?.by)]).to.deep.equal(['doppione', by]);
    expect(await posts.listed([id]), 'no longer listed').to.deep.equal([]);

    expect(await posts.markDeleted(id, { at: new Date(), by, reason: 'ancora' })).to.equal(false);
    expect((await Post.findById(id).lean())?.deleted?.reason).to.equal('doppione');
    expect(await posts.markDeleted(String(new Types.ObjectId()), { at, by, reason: '' })).to.equal(false);
    expect(await posts.markDeleted('not-an-id', { at, by, reason: '' })).to.equal(false);
  });

  it('marks a post deleted exactly once under concurrent calls', async () => {
    const { posts } = t.runtime.repos;
    const id = await post();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        posts.markDeleted(id, { at, by: String(new Types.ObjectId()), reason: `r${i}` }),
      ),
    );
    expect(results.filter(Boolean)).to.have.length(1);
  });

  it('saves a revision only from the revision the post is at', async () => {
    const { posts } = t.runtime.repos;
    const id = await post();
    const edit = (title: string) => ({
      card: { title, editedAt: at },
      content: { body: `Testo ${title}`, bodyHtml: `<p>${title}</p>` },
    });
    expect(await posts.revise(id, 1, edit('Seconda'))).to.equal(true);
    const card = await Post.findById(id).lean();
    expect([card?.title, card?.revision]).to.deep.equal(['Seconda', 2]);
    expect((await PostContent.findById(id).lean())?.body).to.equal('Testo Seconda');
    expect((await posts.listed([id]))[0]?.title, 'lists follow').to.equal('Seconda');

    expect(await posts.revise(id, 1, edit('Stantia')), 'from a stale revision').to.equal(false);
    expect((await Post.findById(id).lean())?.title).to.equal('Seconda');
    expect((await PostContent.findById(id).lean())?.body).to.equal('Testo Seconda');
    expect(await posts.revise(String(new Types.ObjectId()), 1, edit('Nessuno'))).to.equal(false);

    const concurrent = await Promise.all(['A', 'B', 'C'].map((title) => posts.revise(id, 2, edit(title))));
    expect(concurrent.filter(Boolean), 'one of three edits from the same revision').to.have.length(1);
    expect((await Post.findById(id).lean())?.revision).to.equal(3);
  });
});
