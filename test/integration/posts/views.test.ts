import { expect } from 'chai';
import { Post } from '../../../models/post.ts';
import { VIEW_WINDOW_MS, ViewCounter } from '../../../server/posts/view-counter.ts';
import { useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING } from '../../helpers/content.ts';
import { createUser, signedIn, signIn } from '../../helpers/users.ts';

/** Post views: real counts, one per person and half hour, never the author's own, without a write per page. */
describe('post views', function () {
  this.timeout(60_000);
  const t = useTestApp({ env: FAST_POSTING });
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async () => {
    topics = await createTopics();
  });

  it('counts each colleague once per half hour, not the author, and shows the views on the page and in the feed', async () => {
    const author = await createUser();
    const postId = await createPost(t, author, 'question', [topics.fibre], { title: 'Quante letture ha?' });
    const reader = await signedIn(t);
    const other = await signedIn(t);
    const own = t.agent();
    await signIn(own, author.email, author.password);
    await reader.agent.get(`/posts/${postId}`).expect(200);
    await reader.agent.get(`/posts/${postId}`).expect(200);
    await other.agent.get(`/posts/${postId}`).expect(200);
    await own.get(`/posts/${postId}`).expect(200);
    // Counted in memory until the next flush: nothing written per page.
    expect((await Post.findById(postId).lean())?.views ?? 0).to.equal(0);
    await t.services.posts.views.flush();
    // Two colleagues: the second visit within the half hour and the author's own do not count.
    expect((await Post.findById(postId).lean())?.views).to.equal(2);
    const feed = await reader.agent.get('/questions').expect(200);
    const row = new RegExp(`id="post-${postId}"[\\s\\S]*?</li>\\s*</ul>`).exec(feed.text)?.[0] ?? '';
    expect(row).to.include('2 letture');
  });

  it('keeps one view per person and post in the window, counts again after it, and keeps what a failed write held', async () => {
    let now = 1_000_000;
    const written: Array<Map<string, number>> = [];
    let fail = true;
    const counter = new ViewCounter(
      {
        addViews: async (counts) => {
          if (fail) throw new Error('database down');
          written.push(new Map(counts));
        },
      },
      { warn: () => {} } as never,
      { delayMs: 60_000, clock: () => now },
    );
    expect(counter.seen('p1', 'u1', 'author')).to.equal(true);
    expect(counter.seen('p1', 'u1', 'author')).to.equal(false);
    expect(counter.seen('p1', 'author', 'author')).to.equal(false);
    expect(counter.seen('p1', 'u2', 'author')).to.equal(true);
    now += VIEW_WINDOW_MS;
    expect(counter.seen('p1', 'u1', 'author')).to.equal(true);
    expect(counter.pendingFor('p1')).to.equal(3);
    await counter.flush().catch(() => {});
    expect(counter.pendingFor('p1')).to.equal(3);
    fail = false;
    await counter.flush();
    expect(written).to.deep.equal([new Map([['p1', 3]])]);
    expect(counter.pendingFor('p1')).to.equal(0);
  });
});
