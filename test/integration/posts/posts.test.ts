import { expect } from 'chai';
import { AuditEntry } from '../../../models/audit-entry.ts';
import { Confirmation } from '../../../models/confirmation.ts';
import { Post } from '../../../models/post.ts';
import { PostContent } from '../../../models/post-content.ts';
import { Revision } from '../../../models/revision.ts';
import { ScoreEvent } from '../../../models/score.ts';
import { Topic } from '../../../models/topic.ts';
import type { DomainEvents } from '../../../server/core/events.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { decodeHtml } from '../../helpers/html.ts';
import { createUser, signedIn } from '../../helpers/users.ts';

function recordEvents<K extends keyof DomainEvents>(
  t: { events: { on: (n: K, h: (p: DomainEvents[K]) => void) => () => void } },
  name: K,
) {
  const seen: Array<DomainEvents[K]> = [];
  const off = t.events.on(name, (payload) => {
    seen.push(payload);
  });
  return { seen, off };
}

describe('posts: case insights, tips and questions', () => {
  const t = useTestApp({ env: FAST_POSTING });
  let topics: Awaited<ReturnType<typeof createTopics>>;

  before(async () => {
    topics = await createTopics();
  });

  it('publishes a case insight from its form, with its own fields, and shows it', async () => {
    const { agent, user } = await signedIn(t);
    const form = await agent.get('/posts/new?kind=insight').expect(200);
    expect(form.text).to.include('name="situation"');
    expect(form.text).to.include('name="channel"');
    const token = await csrfToken(agent, '/posts/new?kind=insight');
    const created = recordEvents(t, 'post.created');
    const res = await agent
      .post('/posts')
      .field('_csrf', token)
      .field('kind', 'insight')
      .field('title', 'Doppio addebito dopo attivazione SDD')
      .field('situation', 'Il cliente vede **due addebiti** della stessa bolletta.')
      .field('action', '1. Verificato il mandato\n2. Aperto il rimborso')
      .field('outcome', 'Rimborso in 9 giorni.')
      .field('channel', 'phone')
      .field('topics', topics.sdd)
      .field('tags', 'Doppio Addebito, sdd')
      .expect(303);
    created.off();
    const id = String(res.headers.location).split('/').pop()!;
    // A script's fetch that reaches the server before the page (live "search first", a
    // live-update fragment) does not take the page's "published" message with it.
    await agent.get('/api/search/similar?q=addebito').set('Sec-Fetch-Dest', 'empty').expect(200);
    await agent.get(`/posts/${id}/card`).set('Sec-Fetch-Dest', 'empty').expect(200);
    const landed = await agent.get(`/posts/${id}`).set('Sec-Fetch-Dest', 'document').expect(200);
    expect(landed.text).to.include('Il tuo caso è pubblicato. Grazie per averlo condiviso.');
    const again = await agent.get(`/posts/${id}`).expect(200);
    expect(again.text, 'shown once').not.to.include('Il tuo caso è pubblicato.');
    const post = await Post.findById(id).lean();
    expect(post).to.include({
      kind: 'insight',
      title: 'Doppio addebito dopo attivazione SDD',
      channel: 'phone',
    });
    expect(post?.tags).to.deep.equal(['doppio-addebito', 'sdd']);
    expect(String(post?.author)).to.equal(user.id);
    const content = await PostContent.findById(id).lean();
    expect(content?.situationHtml).to.include('<strong>due addebiti</strong>');
    expect(created.seen[0]).to.include({ postId: id, kind: 'insight', authorId: user.id });
    expect(created.seen[0]?.topicIds).to.deep.equal([topics.sdd]);
    const page = await agent.get(`/posts/${id}`).expect(200);
    expect(page.text).to.include('Doppio addebito dopo attivazione SDD');
    expect(page.text).to.include('<strong>due addebiti</strong>');
    expect(page.text).to.include('Telefono');
    expect(page.text).to.include('Cosa ha funzionato');
  });

  it('publishes tips and questions with a body', async () => {
    const { agent } = await signedIn(t, ['operator'], { locale: 'en' });
    const token = await csrfToken(agent, '/posts/new?kind=question');
    for (const kind of ['tip', 'question']) {
      const res = await agent
        .post('/posts')
        .field('_csrf', token)
        .field('kind', kind)
        .field('title', `A ${kind} about direct debit mandates`)
        .field('body', 'Read the IBAN back in groups of four.')
        .field('topics', topics.billing)
        .expect(303);
      const page = await agent.get(String(res.headers.location)).expect(200);
      expect(page.text).to.include(kind === 'tip' ? 'Tip' : 'Question');
      expect(page.text).to.include('groups of four');
    }
  });

  it('explains each bad field, keeps what was typed, and creates nothing', async () => {
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/posts/new?kind=insight');
    const before = await Post.countDocuments();
    const res = await agent
      .post('/posts')
      .field('_csrf', token)
      .set('Accept', 'application/json')
      .field('kind', 'insight')
      .field('title', 'short')
      .field('situation', 'Testo che non deve andare perso')
      .field('channel', 'pigeon')
      .expect(422);
    expect(res.body.error.fields).to.have.keys(['title', 'action', 'outcome', 'channel', 'topics']);
    const back = await agent
      .post('/posts')
      .field('_csrf', token)
      .field('_return', '/posts/new?kind=insight')
      .field('kind', 'insight')
      .field('title', 'short')
      .field('situation', 'Testo che non deve andare perso')
      .expect(303);
    expect(back.headers.location).to.equal('/posts/new?kind=insight');
    // A background fetch first (the form's "search first" script) leaves the errors for the page.
    await agent.get('/api/search/similar?q=short').set('Sec-Fetch-Dest', 'empty').expect(200);
    const form = await agent.get('/posts/new?kind=insight').expect(200);
    expect(form.text).to.include('Testo che non deve andare perso');
    expect(form.text).to.include('Usa almeno 8 caratteri.');
    expect(await Post.countDocuments()).to.equal(before);
    // Unknown topics are refused too.
    const unknown = await agent
      .post('/posts')
      .field('_csrf', token)
      .set('Accept', 'application/json')
      .field('kind', 'tip')
      .field('title', 'A perfectly fine title')
      .field('body', 'text')
      .field('topics', '0123456789abcdef01234567')
      .expect(422);
    expect(unknown.body.error.fields.topics).to.include('non esiste');
  });

  it('edits with a revision per save and a readable diff; only the author or a moderator may', async () => {
    const author = await createUser();
    const id = await createPost(t, author, 'tip', [topics.billing], {
      title: 'Consiglio originale sulle bollette',
      body: 'Prima versione del testo.',
    });
    const { agent } = await signedIn(t, ['operator'], { email: `again.${author.email}` });
    await agent.get(`/posts/${id}/edit`).expect(403);
    const token = await csrfToken(agent, '/');
    await agent
      .post(`/posts/${id}/edit`)
      .field('_csrf', token)
      .field('title', 'Hijacked title here')
      .field('body', 'x')
      .field('topics', topics.billing)
      .expect(403);

    const { signIn } = await import('../../helpers/users.ts');
    const own = t.agent();
    await signIn(own, author.email, author.password);
    const ownToken = await csrfToken(own, `/posts/${id}/edit`);
    await own
      .post(`/posts/${id}/edit`)
      .field('_csrf', ownToken)
      .field('title', 'Consiglio rivisto sulle bollette')
      .field('body', 'Seconda versione del testo, più chiara.')
      .field('topics', topics.billing)
      .expect(303);
    expect(await Revision.countDocuments({ targetId: id })).to.equal(2);
    const history = await own.get(`/posts/${id}/history`).expect(200);
    expect(history.text).to.include('<del>Prima</del>');
    expect(history.text).to.include('<ins>Seconda</ins>');
    expect(history.text).to.include('<ins>rivisto</ins>');

    const { agent: moderator, user: km } = await signedIn(t, ['knowledge_manager']);
    const modToken = await csrfToken(moderator, `/posts/${id}/edit`);
    await moderator
      .post(`/posts/${id}/edit`)
      .field('_csrf', modToken)
      .field('title', 'Consiglio rivisto sulle bollette (corretto)')
      .field('body', 'Seconda versione del testo, più chiara.')
      .field('topics', topics.billing)
      .field('topics', topics.fibre)
      .expect(303);
    const revisions = await Revision.find({ targetId: id }).sort({ number: 1 }).lean();
    expect(revisions.map((r) => r.number)).to.deep.equal([1, 2, 3]);
    expect(String(revisions[2]?.editor)).to.equal(km.id);
    expect(await AuditEntry.exists({ action: 'moderation.editPost', 'target.id': id })).to.not.equal(null);
    const compare = await own.get(`/posts/${id}/history?from=1&to=3`).expect(200);
    expect(compare.text).to.include('dalla versione 1 alla versione 3');
    // Topics read as names in the reader's language, never as ids.
    const fibre = (await Topic.findById(topics.fibre).lean())!;
    expect(decodeHtml(compare.text)).to.match(new RegExp(`<ins>[^<]*${fibre.names!.it.split(' ')[0]}`));
    expect(compare.text).to.not.include(topics.fibre);
    const english = await own
      .get(`/posts/${id}/history?from=1&to=3`)
      .set('Accept-Language', 'en')
      .expect(200);
    expect(decodeHtml(english.text)).to.include(fibre.names!.en);
  });

  it('saves one of several edits made from the same revision and refuses the others (409); deletes once', async () => {
    const author = await createUser();
    const id = await createPost(t, author, 'tip', [topics.billing], {
      title: 'Consiglio da modificare insieme',
    });
    const actor = await sessionUserOf(author);
    const edit = (n: number) =>
      t.services.posts.update(
        id,
        actor,
        {
          kind: 'tip',
          title: `Versione concorrente ${n}`,
          topics: [topics.billing],
          tags: [],
          body: `Testo ${n}`,
        },
        [],
        [],
      );
    const outcomes = await Promise.allSettled([1, 2, 3].map(edit));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
    for (const o of outcomes.filter((o) => o.status === 'rejected'))
      expect((o as PromiseRejectedResult).reason).to.include({
        status: 409,
        messageKey: 'posts.editedMeanwhile',
      });
    const saved = await Post.findById(id).lean();
    expect(saved?.revision).to.equal(2);
    expect((await PostContent.findById(id).lean())?.body).to.equal(`Testo ${saved?.title.split(' ').pop()}`);
    expect(await Revision.countDocuments({ targetId: id })).to.equal(2);

    const deleted: string[] = [];
    const off = t.events.on('post.deleted', (e) => {
      deleted.push(e.postId);
    });
    try {
      await Promise.all(Array.from({ length: 5 }, () => t.services.posts.remove(id, actor, '')));
    } finally {
      off();
    }
    expect(deleted).to.deep.equal([id]);
  });

  it('soft-deletes: gone from feeds, a tombstone for colleagues, the reason for moderators', async () => {
    const author = await createUser();
    const id = await createPost(t, author, 'tip', [topics.fibre], {
      title: 'Un consiglio da eliminare presto',
    });
    const { agent } = await signedIn(t, ['knowledge_manager']);
    const token = await csrfToken(agent, `/posts/${id}`);
    const noReason = await agent
      .post(`/posts/${id}/delete`)
      .set('Accept', 'application/json')
      .send({ _csrf: token, reason: '' })
      .expect(422);
    expect(noReason.body.error.fields.reason).to.include('motivo');
    await agent
      .post(`/posts/${id}/delete`)
      .type('form')
      .send({ _csrf: token, reason: 'Informazione superata' })
      .expect(303);
    const post = await Post.findById(id).lean();
    expect(post?.deleted?.reason).to.equal('Informazione superata');
    const { agent: colleague } = await signedIn(t);
    const feed = await colleague.get('/posts').expect(200);
    expect(feed.text).to.not.include('Un consiglio da eliminare presto');
    const tombstone = await colleague.get(`/posts/${id}`).expect(410);
    expect(tombstone.text).to.include('Questo post è stato eliminato');
    expect(tombstone.text).to.include('Informazione superata');
    expect(tombstone.text).to.not.include('Un consiglio da eliminare presto');
    const moderatorView = await agent.get(`/posts/${id}`).expect(200);
    expect(moderatorView.text).to.include('Un consiglio da eliminare presto');
    expect(await AuditEntry.exists({ action: 'moderation.deletePost', 'target.id': id })).to.not.equal(null);
  });

  it("tells the author why a moderator removed their post, and their page says so; removing one's own tells no one", async () => {
    const { agent: authorAgent, user: author } = await signedIn(t, ['operator'], { locale: 'en' });
    const id = await createPost(t, author, 'tip', [topics.fibre], {
      title: 'Un consiglio con dati del cliente',
    });
    const { agent: moderator } = await signedIn(t, ['knowledge_manager'], {
      displayName: 'Moderatrice Attenta',
    });
    const token = await csrfToken(moderator, `/posts/${id}`);
    await moderator
      .post(`/posts/${id}/delete`)
      .type('form')
      .send({ _csrf: token, reason: 'Contiene il numero di telefono del cliente' })
      .expect(303);

    const inbox = await authorAgent.get('/notifications').set('Accept-Language', 'en').expect(200);
    expect(inbox.text).to.include(
      'Moderatrice Attenta removed your post «Un consiglio con dati del cliente»: Contiene il numero di telefono del cliente',
    );
    const own = await authorAgent.get(`/posts/${id}`).set('Accept-Language', 'en').expect(200);
    const banner = /data-testid="post-deleted">([^<]*)</.exec(own.text)?.[1] ?? '';
    expect(banner).to.include('Removed by a moderator, Moderatrice Attenta');
    expect(banner).to.include('Reason: Contiene il numero di telefono del cliente');
    expect(banner).to.not.include('because you moderate');

    // Deleting one's own post: no notification, and the page says who did it.
    const mine = await createPost(t, author, 'tip', [topics.fibre], { title: 'Un consiglio che ritiro io' });
    const ownToken = await csrfToken(authorAgent, `/posts/${mine}`);
    await authorAgent.post(`/posts/${mine}/delete`).type('form').send({ _csrf: ownToken }).expect(303);
    const page = await authorAgent.get(`/posts/${mine}`).set('Accept-Language', 'en').expect(200);
    expect(/data-testid="post-deleted">([^<]*)</.exec(page.text)?.[1]).to.include('You deleted this post');
    const after = await authorAgent.get('/notifications').set('Accept-Language', 'en').expect(200);
    expect(after.text).to.not.include('Un consiglio che ritiro io');
  });

  it('counts "I\'ve seen this too" once per colleague, never on one\'s own insight, retractable, with names', async () => {
    const author = await createUser({ displayName: 'Autrice Caso' });
    const id = await createPost(t, author, 'insight', [topics.sdd]);
    const added = recordEvents(t, 'confirmation.added');
    const colleagues = await Promise.all(
      [1, 2, 3].map((n) => signedIn(t, ['operator'], { displayName: `Collega Visto ${n}` })),
    );
    for (const { agent } of colleagues) {
      const token = await csrfToken(agent, `/posts/${id}`);
      await agent.post(`/posts/${id}/confirm`).type('form').send({ _csrf: token }).expect(303);
      const again = await agent
        .post(`/posts/${id}/confirm`)
        .set('Accept', 'application/json')
        .send({ _csrf: token })
        .expect(200);
      expect(again.body.confirmed).to.equal(true);
    }
    added.off();
    expect((await Post.findById(id).lean())?.confirmations).to.equal(3);
    expect(await Confirmation.countDocuments({ post: id })).to.equal(3);
    expect(added.seen.map((e) => e.count)).to.deep.equal([1, 2, 3]);
    const page = await colleagues[0]!.agent.get(`/posts/${id}`).expect(200);
    expect(page.text).to.include('Collega Visto 1');
    expect(page.text).to.include('Collega Visto 3');
    expect(page.text).to.include('Ritira il mio');

    const [first] = colleagues;
    const token = await csrfToken(first!.agent, `/posts/${id}`);
    const retracted = await first!.agent
      .post(`/posts/${id}/unconfirm`)
      .set('Accept', 'application/json')
      .send({ _csrf: token })
      .expect(200);
    expect(retracted.body.confirmations).to.equal(2);

    const { signIn } = await import('../../helpers/users.ts');
    const own = t.agent();
    await signIn(own, author.email, author.password);
    const ownToken = await csrfToken(own, `/posts/${id}`);
    const refused = await own
      .post(`/posts/${id}/confirm`)
      .set('Accept', 'application/json')
      .send({ _csrf: ownToken })
      .expect(409);
    expect(refused.body.error.message).to.include('tuo stesso post');
    const tip = await createPost(t, author, 'tip', [topics.sdd]);
    await first!.agent
      .post(`/posts/${tip}/confirm`)
      .set('Accept', 'application/json')
      .send({ _csrf: token })
      .expect(409);
  });

  it('lets colleagues vote on a question and say "I have this question too", shown on the page and in lists', async () => {
    const asker = await createUser({ displayName: 'Chiede Spesso' });
    const id = await createPost(t, asker, 'question', [topics.sdd], {
      title: 'Il RID scaduto si riattiva da solo?',
    });
    const colleague = await signedIn(t, ['operator'], { displayName: 'Anche Io' });
    const token = await csrfToken(colleague.agent, `/posts/${id}`);
    const textOf = (html: string) => decodeHtml(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
    let page = decodeHtml((await colleague.agent.get(`/posts/${id}`).expect(200)).text);
    expect(textOf(page)).to.include('0 colleghi hanno la stessa domanda');
    expect(page).to.include('Ho anche io questa domanda');
    expect(page, 'the question has its vote buttons').to.include('name="targetType" value="post"');

    const voted = await colleague.agent
      .post('/votes')
      .set('Accept', 'application/json')
      .send({ _csrf: token, targetType: 'post', targetId: id, value: '1' })
      .expect(200);
    expect(voted.body.voteScore).to.equal(1);
    await colleague.agent.post(`/posts/${id}/confirm`).type('form').send({ _csrf: token }).expect(303);
    const stored = await Post.findById(id).lean();
    expect([stored?.voteScore, stored?.confirmations]).to.deep.equal([1, 1]);

    page = decodeHtml((await colleague.agent.get(`/posts/${id}`).expect(200)).text);
    expect(textOf(page)).to.include('1 collega ha la stessa domanda');
    expect(page).to.include('Anche Io');
    expect(page).to.include('Ritira il mio «anche io»');
    const list = decodeHtml((await colleague.agent.get(`/questions?topic=${topics.sdd}`).expect(200)).text);
    const row = list.slice(list.indexOf(`id="post-${id}"`));
    expect(row.slice(0, row.indexOf('</li>\n  </ul>')))
      .to.include('1 voto')
      .and.include('1 la chiede');

    // The asker is told, in the question's words; seconding a question gives the asker no competence.
    const told = (await t.services.notifications.list(asker.id)).filter((n) => n.type === 'seenThisToo');
    expect(told.map((n) => n.variant)).to.deep.equal(['question']);
    const askerAgent = t.agent();
    const { signIn } = await import('../../helpers/users.ts');
    await signIn(askerAgent, asker.email, asker.password);
    expect(decodeHtml((await askerAgent.get('/notifications').expect(200)).text)).to.include(
      'Anche Io: «Ho anche io questa domanda» su «Il RID scaduto si riattiva da solo?»',
    );
    await t.services.scoring.ledger.boards.flush();
    const askerRules = (await ScoreEvent.find({ user: asker.id }).lean()).map((l) => l.rule);
    expect(askerRules).to.not.include('confirmationReceived').and.not.include('upvoteReceived');
    const colleagueRules = (await ScoreEvent.find({ user: colleague.user.id }).lean()).map((l) => l.rule);
    expect(colleagueRules).to.include.members(['voteCast', 'confirmationGiven']);

    // Not on one's own question, and a retraction counts down.
    const ownToken = await csrfToken(askerAgent, `/posts/${id}`);
    await askerAgent
      .post(`/posts/${id}/confirm`)
      .set('Accept', 'application/json')
      .send({ _csrf: ownToken })
      .expect(409);
    await askerAgent
      .post('/votes')
      .set('Accept', 'application/json')
      .send({ _csrf: ownToken, targetType: 'post', targetId: id, value: '1' })
      .expect(409);
    const back = await colleague.agent
      .post(`/posts/${id}/unconfirm`)
      .set('Accept', 'application/json')
      .send({ _csrf: token })
      .expect(200);
    expect(back.body.confirmations).to.equal(0);
  });

  it('keeps "seen this too" exact under concurrent presses', async () => {
    const author = await createUser();
    const id = await createPost(t, author, 'insight', [topics.sdd]);
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, `/posts/${id}`);
    await Promise.all(
      Array.from({ length: 12 }, () =>
        agent.post(`/posts/${id}/confirm`).set('Accept', 'application/json').send({ _csrf: token }),
      ),
    );
    expect((await Post.findById(id).lean())?.confirmations).to.equal(1);
    expect(await Confirmation.countDocuments({ post: id })).to.equal(1);
  });

  it('links @mentions to profiles and announces them', async () => {
    const mentioned = await createUser({
      email: 'giulia.menzione@aurora.example',
      displayName: 'Giulia Menzione',
    });
    const author = await createUser();
    const events = recordEvents(t, 'content.mentioned');
    const id = await createPost(t, author, 'tip', [topics.billing], {
      body: 'Chiedete a @giulia.menzione, lei sa tutto. E a @nessuno.qui.',
    });
    events.off();
    const content = await PostContent.findById(id).lean();
    expect(content?.bodyHtml).to.include(
      `<a href="/people/${mentioned.id}" class="mention" title="Giulia Menzione">@giulia.menzione</a>`,
    );
    expect(events.seen[0]?.userIds).to.deep.equal([mentioned.id]);
  });

  it('saves posts for later in the bookmarks feed', async () => {
    const author = await createUser();
    const id = await createPost(t, author, 'tip', [topics.billing], {
      title: 'Da rileggere con calma domani',
    });
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, `/posts/${id}`);
    await agent.post(`/posts/${id}/bookmark`).type('form').send({ _csrf: token }).expect(303);
    expect((await agent.get('/my/bookmarks').expect(200)).text).to.include('Da rileggere con calma domani');
    expect((await agent.get(`/posts/${id}`)).text).to.include('Togli dai salvati');
    await agent.post(`/posts/${id}/unbookmark`).type('form').send({ _csrf: token }).expect(303);
    expect((await agent.get('/my/bookmarks').expect(200)).text).to.not.include(
      'Da rileggere con calma domani',
    );
  });

  it('answers 404 for unknown or malformed post ids', async () => {
    const { agent } = await signedIn(t);
    await agent.get('/posts/0123456789abcdef01234567').expect(404);
    await agent.get('/posts/not-an-id').expect(404);
    await agent.get('/posts/0123456789abcdef01234567/edit').expect(404);
  });
});

describe('posting limits', () => {
  const t = useTestApp({ env: { POST_INTERVAL_SECONDS: '30', DUPLICATE_POST_MINUTES: '5' } });

  it('refuses an identical post within minutes, and a new post every few seconds', async () => {
    const topics = await createTopics();
    const { agent } = await signedIn(t);
    const token = await csrfToken(agent, '/posts/new?kind=tip');
    const post = () =>
      agent
        .post('/posts')
        .field('_csrf', token)
        .set('Accept', 'application/json')
        .field('kind', 'tip')
        .field('title', 'Lo stesso consiglio due volte')
        .field('body', 'Identico.')
        .field('topics', topics.billing);
    await post().expect(303);
    const tooFast = await post().expect(409);
    expect(tooFast.body.error.message).to.include('appena pubblicato lo stesso post');
    const other = await agent
      .post('/posts')
      .field('_csrf', token)
      .set('Accept', 'application/json')
      .field('kind', 'tip')
      .field('title', 'Un altro consiglio subito dopo')
      .field('body', 'Diverso.')
      .field('topics', topics.billing)
      .expect(429);
    expect(other.body.error.message).to.include('molto velocemente');
    expect(Number(other.headers['retry-after'])).to.be.within(1, 30);
  });
});
