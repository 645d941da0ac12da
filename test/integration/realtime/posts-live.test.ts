import { expect } from 'chai';
import type { Socket } from 'socket.io-client';
import { Post } from '../../../models/post.ts';
import { CLIENT_EVENTS, type ItemRef } from '../../../server/realtime/realtime.bridge.ts';
import { rooms } from '../../../server/realtime/rooms.ts';
import { useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { decodeHtml } from '../../helpers/html.ts';
import {
  connectSocket,
  type LiveSession,
  nextEvent,
  record,
  request,
  signInLive,
  useLiveServer,
} from '../../helpers/realtime.ts';
import { createUser, TEST_PASSWORD } from '../../helpers/users.ts';

interface Counters {
  room: string;
  values: Record<string, number>;
}

const counterOf = (key: string, value: number) => (p: Counters) => p.values[key] === value;

describe('realtime: posts, answers, comments and articles live', function () {
  this.timeout(30_000);
  const t = useTestApp({ env: FAST_POSTING });
  const live = useLiveServer(t, { throttleMs: 1 });
  let topics: Awaited<ReturnType<typeof createTopics>>;
  const sockets: Socket[] = [];

  before(async () => {
    topics = await createTopics();
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  /** A signed-in person with an open page (socket) that joined `joins`. */
  async function reader(
    joins: string[],
    roles: Array<'operator' | 'admin' | 'knowledge_manager'> = ['operator'],
  ) {
    const user = await createUser({ roles });
    const session = await signInLive(live.url, user.email, TEST_PASSWORD);
    const socket = await connectSocket(live.url, { cookie: session.cookie });
    sockets.push(socket);
    const joined = await request<{ ok: boolean; joined: string[]; refused: string[] }>(socket, 'rt:join', {
      rooms: joins,
    });
    return { user, session, socket, joined };
  }

  /** Fetches an item's fragment the way the page script does, with the reader's session. */
  async function fragment(session: LiveSession, url: string) {
    const res = await session.fetch(url, { headers: { Accept: 'text/html' } });
    return { status: res.status, html: decodeHtml(await res.text()) };
  }

  it('lets people follow a post only while they may see it', async () => {
    const author = await createUser();
    const postId = await createPost(t, author, 'tip', [topics.billing]);
    const a = await reader([rooms.post(postId), rooms.post('0123456789abcdef01234567'), 'feed:other']);
    expect(a.joined.joined).to.deep.equal([rooms.post(postId)]);
    expect(a.joined.refused).to.deep.equal([rooms.post('0123456789abcdef01234567'), 'feed:other']);

    // Administrators moderate content.
    const moderator = await reader([rooms.post(postId)], ['admin']);
    // Deleted by its author: others leave its room, a moderator stays.
    await t.services.posts.remove(postId, await sessionUserOf(author), 'duplicato');
    const after = await request<{ joined: string[]; refused: string[] }>(a.socket, 'rt:join', {
      rooms: [rooms.post(postId)],
    });
    expect(after.refused).to.deep.equal([rooms.post(postId)]);
    // Nor the names of those who had seen it: the fragment is refused like the page.
    expect((await fragment(a.session, `/posts/${postId}/confirmers`)).status).to.equal(404);
    expect((await fragment(moderator.session, `/posts/${postId}/confirmers`)).status).to.equal(200);
    const heard = record<Counters>(a.socket, CLIENT_EVENTS.counters);
    const modHeard = record<Counters>(moderator.socket, CLIENT_EVENTS.counters);
    await t.events.publish('confirmation.added', {
      postId,
      postKind: 'insight',
      userId: moderator.user.id,
      authorId: author.id,
      topicIds: [],
      count: 3,
      at: new Date(),
    });
    await request(a.socket, 'rt:resync');
    await request(moderator.socket, 'rt:resync');
    expect(
      heard.filter((c) => c.room === rooms.post(postId)),
      'nothing from a post one cannot see',
    ).to.deep.equal([]);
    expect(modHeard.map((c) => c.values)).to.deep.include({ [`post:${postId}:confirmations`]: 3 });
  });

  it('moves scores and "seen this too" counts on the post, in the lists and on its topics’ pages', async () => {
    const author = await createUser();
    const postId = await createPost(t, author, 'insight', [topics.sdd]);
    const onPost = await reader([rooms.post(postId)]);
    const onList = await reader(['feed:posts']);
    // The parent topic's page shows the sub-topic's posts.
    const onTopic = await reader([rooms.topic(topics.billing)]);
    const voter = await signInLive(
      live.url,
      (await createUser({ displayName: 'Vera Conferma' })).email,
      TEST_PASSWORD,
    );

    const everywhere = [onPost, onList, onTopic].map((r) =>
      nextEvent<Counters>(r.socket, CLIENT_EVENTS.counters, counterOf(`post:${postId}:score`, 1)),
    );
    const vote = await voter.post(
      '/votes',
      { targetType: 'post', targetId: postId, value: '1' },
      `/posts/${postId}`,
    );
    expect(vote.status).to.equal(303);
    await Promise.all(everywhere);

    const seen = [onPost, onList, onTopic].map((r) =>
      nextEvent<Counters>(r.socket, CLIENT_EVENTS.counters, counterOf(`post:${postId}:confirmations`, 1)),
    );
    const names = { key: `post:${postId}:confirmers`, url: `/posts/${postId}/confirmers` };
    const refreshed = nextEvent<{ key: string; url: string }>(onPost.socket, CLIENT_EVENTS.refresh);
    const listRefreshes = record<{ key: string }>(onList.socket, CLIENT_EVENTS.refresh);
    expect((await voter.post(`/posts/${postId}/confirm`, {}, `/posts/${postId}`)).status).to.equal(303);
    await Promise.all(seen);
    // The page of the case refreshes the names under the count (in lists there are none).
    expect(await refreshed).to.deep.include(names);
    let names1 = await fragment(onPost.session, names.url);
    expect(names1.status).to.equal(200);
    expect(names1.html).to.include(`data-rt-fragment="${names.key}"`);
    expect(names1.html).to.match(/<a href="\/people\/[0-9a-f]{24}">Vera Conferma<\/a>/);
    const unseen = nextEvent<Counters>(
      onPost.socket,
      CLIENT_EVENTS.counters,
      counterOf(`post:${postId}:confirmations`, 0),
    );
    const refreshedAgain = nextEvent<{ key: string }>(onPost.socket, CLIENT_EVENTS.refresh);
    await voter.post(`/posts/${postId}/unconfirm`, {}, `/posts/${postId}`);
    await unseen;
    expect((await refreshedAgain).key).to.equal(names.key);
    names1 = await fragment(onPost.session, names.url);
    expect(names1.html).not.to.include('Vera Conferma');
    expect(names1.html).to.include(' hidden>');
    expect(listRefreshes, 'no refresh outside the page of the case').to.deep.equal([]);

    // After a reconnection the page asks for the numbers as they are now.
    const state = await request<{ counters: Record<string, number> }>(onPost.socket, 'rt:resync', {
      since: new Date().toISOString(),
    });
    expect(state.counters).to.include({
      [`post:${postId}:score`]: 1,
      [`post:${postId}:confirmations`]: 0,
      [`post:${postId}:answers`]: 0,
    });
  });

  it('brings new answers and comments to the question’s open page, in the reader’s language', async () => {
    const asker = await createUser();
    const question = await createPost(t, asker, 'question', [topics.fibre], { title: 'Modem che lampeggia' });
    const englishReader = await createUser({ locale: 'en' });
    const session = await signInLive(live.url, englishReader.email, TEST_PASSWORD);
    const socket = await connectSocket(live.url, { cookie: session.cookie });
    sockets.push(socket);
    await request(socket, 'rt:join', { rooms: [rooms.post(question)] });
    const outsider = await reader(['feed:posts']);
    const outsiderItems = record<ItemRef>(outsider.socket, CLIENT_EVENTS.item);

    const helper = await signInLive(
      live.url,
      (await createUser({ displayName: 'Ugo Aiuta' })).email,
      TEST_PASSWORD,
    );
    const itemArrives = nextEvent<ItemRef>(
      socket,
      CLIENT_EVENTS.item,
      (i) => i.feed === `post:${question}:answers`,
    );
    const countArrives = nextEvent<Counters>(
      socket,
      CLIENT_EVENTS.counters,
      counterOf(`post:${question}:answers`, 1),
    );
    await helper.post(
      `/posts/${question}/answers`,
      { body: 'Controlla la **spia DSL**.' },
      `/posts/${question}`,
    );
    const item = await itemArrives;
    await countArrives;
    const answerId = item.id.replace('answer-', '');
    expect(item.url).to.equal(`/answers/${answerId}/card`);

    const card = await fragment(session, item.url);
    expect(card.status).to.equal(200);
    expect(card.html).to.match(
      new RegExp(`^<li class="answer[^"]*" id="answer-${answerId}" data-rt-item="answer-${answerId}"`),
    );
    expect(card.html).to.include('Controlla la <strong>spia DSL</strong>.');
    expect(card.html, 'in English, with its vote buttons').to.include('Vote up: useful');
    expect(card.html).to.include(`data-rt-counter="answer:${answerId}:score"`);

    // A comment on the answer arrives in its thread.
    const commentArrives = nextEvent<ItemRef>(
      socket,
      CLIENT_EVENTS.item,
      (i) => i.feed === `comments:answer:${answerId}`,
    );
    await helper.post(
      '/comments',
      { targetType: 'answer', targetId: answerId, body: 'Poi riavvia.' },
      `/posts/${question}`,
    );
    const comment = await commentArrives;
    const commentCard = await fragment(session, comment.url);
    expect(commentCard.status).to.equal(200);
    expect(commentCard.html).to.include('Poi riavvia.');
    expect(commentCard.html).to.include('Ugo Aiuta');

    // The asker accepts it: the answer is replaced in place, marked accepted.
    const replaced = nextEvent<ItemRef>(socket, CLIENT_EVENTS.item, (i) => i.id === `answer-${answerId}`);
    await t.services.answers.accept(answerId, await sessionUserOf(asker));
    expect((await fragment(session, (await replaced).url)).html).to.include('Accepted');

    await request(outsider.socket, 'rt:resync');
    expect(
      outsiderItems.filter((i) => i.feed.startsWith(`post:${question}`)),
      'answers stay in the post room',
    ).to.deep.equal([]);

    // Once the question is deleted, its fragments are no longer served to others.
    await t.services.posts.remove(question, await sessionUserOf(asker), '');
    expect((await fragment(session, item.url)).status).to.equal(404);
    expect((await fragment(session, comment.url)).status).to.equal(404);
  });

  it('announces new posts to the lists that would show them, with tags to filter on', async () => {
    const author = await createUser();
    const onFeed = await reader(['feed:posts']);
    const onParentTopic = await reader([rooms.topic(topics.billing)]);
    const onOtherTopic = await reader([rooms.topic(topics.fibre)]);
    const otherHeard = record<ItemRef>(onOtherTopic.socket, CLIENT_EVENTS.item);

    const arrives = [onFeed, onParentTopic].map((r) =>
      nextEvent<ItemRef>(r.socket, CLIENT_EVENTS.item, (i) => i.feed === 'posts'),
    );
    const postId = await createPost(t, author, 'question', [topics.sdd], {
      title: 'Mandato SDD revocato dalla banca',
      tags: ['sdd', 'banca'],
    });
    const [item] = await Promise.all(arrives);
    expect(item).to.deep.include({ feed: 'posts', id: `post-${postId}`, url: `/posts/${postId}/card` });
    expect(item?.tags).to.include.members([
      'kind:question',
      `author:${author.id}`,
      `topic:${topics.sdd}`,
      `topic:${topics.billing}`,
      'tag:sdd',
      'tag:banca',
    ]);
    await request(onOtherTopic.socket, 'rt:resync');
    expect(otherHeard).to.deep.equal([]);

    const card = await fragment(onFeed.session, `/posts/${postId}/card`);
    expect(card.status).to.equal(200);
    expect(card.html).to.match(
      new RegExp(`^<li class="post-card kind-question" id="post-${postId}" data-rt-item="post-${postId}"`),
    );
    expect(card.html).to.include('Mandato SDD revocato dalla banca');
    // Counts on the card follow the live numbers, in sentences of the reader's language.
    expect(card.html).to.include(`data-rt-counter="post:${postId}:answers"`);
    expect(card.html).to.include('data-rt-one="{count} risposta"');

    // A feed reconnecting after the post was published gets it in its resync.
    const state = await request<{ items: ItemRef[] }>(onFeed.socket, 'rt:resync', {
      since: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(state.items.map((i) => i.id)).to.include(`post-${postId}`);

    await Post.updateOne(
      { _id: postId },
      { $set: { deleted: { at: new Date(), by: author.id, reason: '' } } },
    );
    expect((await fragment(onFeed.session, `/posts/${postId}/card`)).status).to.equal(404);
  });

  it('refreshes an article’s state on its page, for those who may read it', async () => {
    const km = await createUser({ roles: ['knowledge_manager'] });
    const author = await createUser();
    const postId = await createPost(t, author, 'tip', [topics.fibre], { title: 'Reset ONT in due passi' });
    const number = await t.services.kb.promote(await sessionUserOf(km), 'post', postId);
    const article = await t.services.kb.status(number, await sessionUserOf(km));
    const room = `article:${article.article.id}`;

    const operator = await reader([room]);
    expect(operator.joined.refused, 'a draft is not for every reader').to.deep.equal([room]);
    const kmSession = await signInLive(live.url, km.email, TEST_PASSWORD);
    const kmSocket = await connectSocket(live.url, { cookie: kmSession.cookie });
    sockets.push(kmSocket);
    expect(
      (await request<{ joined: string[] }>(kmSocket, 'rt:join', { rooms: [room] })).joined,
    ).to.deep.equal([room]);

    const refresh = nextEvent<{ key: string; url: string }>(kmSocket, CLIENT_EVENTS.refresh);
    await t.services.kb.transition(number, await sessionUserOf(km), 'review');
    const message = await refresh;
    expect(message).to.deep.equal({ key: `kb:${article.article.id}:status`, url: `/kb/${number}/status` });
    const status = await fragment(kmSession, message.url);
    expect(status.status).to.equal(200);
    expect(status.html).to.match(
      new RegExp(`^<div class="kb-status" data-rt-fragment="kb:${article.article.id}:status">`),
    );
    expect(status.html).to.include('In revisione');
    expect(status.html).to.include('value="published"');

    // Published: every reader may follow it, and its comments arrive live.
    await t.services.kb.transition(number, await sessionUserOf(km), 'published');
    const reader2 = await reader([room]);
    expect(reader2.joined.joined).to.deep.equal([room]);
    const commentArrives = nextEvent<ItemRef>(reader2.socket, CLIENT_EVENTS.item);
    await kmSession.post(
      '/comments',
      { targetType: 'article', targetId: article.article.id, body: 'Aggiornato' },
      '/kb',
    );
    const comment = await commentArrives;
    expect(comment.feed).to.equal(`comments:article:${article.article.id}`);
    expect((await fragment(reader2.session, comment.url)).html).to.include('Aggiornato');
    expect(
      (await fragment(reader2.session, `/kb/${number}/status`)).html,
      'no moves for a reader',
    ).to.not.include('value="draft"');
  });
});
