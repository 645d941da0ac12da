import { expect } from 'chai';
import { Types } from 'mongoose';
import { Post } from '../../../models/post.ts';
import { User } from '../../../models/user.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { createUser, signedIn } from '../../helpers/users.ts';
import { injectedMarkup, XSS_PAYLOADS } from '../../helpers/xss.ts';

describe('cross-site scripting: every place user text appears', function () {
  this.timeout(120_000);
  const t = useTestApp({ env: FAST_POSTING });

  it('has a checker that catches injected markup (so a pass means something)', () => {
    expect(injectedMarkup('<p><img src=x onerror=alert(1)></p>')).to.have.length(1);
    expect(injectedMarkup('<a href="javascript:alert(1)">x</a>')).to.have.length(1);
    expect(injectedMarkup('<script>alert(1)</script>')).to.have.length(1);
    expect(injectedMarkup('<p>&lt;script&gt;alert(1)&lt;/script&gt; src="javascript:x"</p>')).to.deep.equal(
      [],
    );
  });

  it(`renders ${XSS_PAYLOADS.length} payloads inert in titles, bodies, insight fields, answers, comments, tags, names and flags`, async () => {
    expect(XSS_PAYLOADS.length).to.be.at.least(40);
    const topics = await createTopics();
    const evilName = await createUser({ displayName: '<img src=x onerror=alert(1)> Evil "Name"' });
    const author = await sessionUserOf(evilName);
    const viewer = await signedIn(t, ['knowledge_manager']);
    const pages = new Set<string>([
      '/',
      '/posts',
      '/questions',
      '/people',
      `/people/${evilName.id}`,
      '/moderation',
    ]);

    for (const [i, payload] of XSS_PAYLOADS.entries()) {
      const title = `Caso ${i} ${payload}`.slice(0, 160);
      const question = await t.services.posts.create(
        author,
        { kind: 'question', title, body: payload, topics: [topics.billing], tags: [] },
        [],
      );
      const insight = await t.services.posts.create(
        author,
        {
          kind: 'insight',
          title: `Insight ${i} ${payload}`.slice(0, 160),
          situation: payload,
          action: `${payload} passi`,
          outcome: payload,
          channel: 'chat',
          topics: [topics.fibre],
          tags: [],
        },
        [],
      );
      const answer = await t.services.answers.create(
        question,
        await sessionUserOf(viewer.user),
        `Risposta ${payload}`,
      );
      await t.services.answers.comment('post', question, author, `Commento ${payload}`.slice(0, 1000));
      await t.services.answers.comment('answer', answer, author, payload.slice(0, 1000));
      await t.services.moderation.flag(
        'post',
        insight,
        await sessionUserOf(viewer.user),
        'other',
        payload.slice(0, 500),
      );
      pages.add(`/posts/${question}`);
      pages.add(`/posts/${insight}`);
      if (i % 10 === 0) pages.add(`/posts/${question}/history`);
    }
    // Tags go through the form's cleaning; try the payloads there too.
    const token = await csrfToken(viewer.agent, '/posts/new?kind=tip');
    const res = await viewer.agent
      .post('/posts')
      .field('_csrf', token)
      .field('kind', 'tip')
      .field('title', 'Etichette pericolose per prova')
      .field('body', 'corpo')
      .field('topics', topics.billing)
      .field('tags', '<script>alert(1)</script>, "><img src=x onerror=alert(1)>, javascript:alert(1)')
      .redirects(0)
      .expect(303);
    const tagged = await Post.findById(String(res.headers.location).split('/').pop()).lean();
    for (const tag of tagged?.tags ?? []) expect(tag).to.match(/^[\p{L}\p{N}_-]+$/u);
    pages.add(String(res.headers.location));

    // An edit makes a diff page with the payloads on both sides.
    const edited = [...pages]
      .find((p) => /^\/posts\/[0-9a-f]{24}$/.test(p))!
      .split('/')
      .pop()!;
    await Post.updateOne(
      { _id: new Types.ObjectId(edited) },
      { $set: { author: new Types.ObjectId(viewer.user.id) } },
    );
    await t.services.posts.update(
      edited,
      await sessionUserOf(viewer.user),
      {
        kind: 'question',
        title: 'Titolo cambiato <svg onload=alert(2)>',
        body: XSS_PAYLOADS.join('\n'),
        topics: [topics.billing],
        tags: [],
      },
      [],
      [],
    );
    pages.add(`/posts/${edited}/history?from=1&to=2`);

    expect((await User.findById(evilName.id).lean())?.displayName).to.include('<img');
    let checked = 0;
    for (const path of pages) {
      const page = await viewer.agent.get(path);
      expect(page.status, path).to.be.oneOf([200, 410]);
      expect(injectedMarkup(page.text), path).to.deep.equal([]);
      checked++;
    }
    expect(checked).to.be.greaterThan(80);
    // The names and titles are still readable, escaped.
    const profile = await viewer.agent.get(`/people/${evilName.id}`);
    expect(profile.text).to.include('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; Evil &quot;Name&quot;');
  });
});
