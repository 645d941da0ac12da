import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { Notification } from '../../../models/notification.ts';
import { NotificationState } from '../../../models/notification-state.ts';
import { migrateNotificationInboxes } from '../../../server/db/migrations.ts';
import {
  NOTIFICATION_RULES,
  NOTIFICATION_TYPES,
  type NotificationType,
} from '../../../server/notifications/notification-types.ts';
import {
  NOTIFICATIONS_PAGE_SIZE,
  type NotifyInput,
} from '../../../server/notifications/notifications.service.ts';
import { csrfToken, useTestApp } from '../../helpers/app.ts';
import { createUser, signedIn, signIn } from '../../helpers/users.ts';

const question = (id = new Types.ObjectId().toHexString(), title = 'Rimborso bolletta doppia') => ({
  kind: 'post',
  id,
  title,
  url: `/posts/${id}`,
});

/** The call each feature makes for its type, as documented in the README. */
function sample(type: NotificationType, recipientId: string, actorId: string): NotifyInput {
  const post = question();
  switch (type) {
    case 'mention':
      return { recipientId, type, actorId, target: post };
    case 'answer':
      return { recipientId, type, actorId, target: post };
    case 'comment':
      return { recipientId, type, actorId, target: post };
    case 'seenThisToo':
      return { recipientId, type, actorId, target: { ...post, url: `${post.url}#seen-this-too` } };
    case 'answerAccepted':
      return { recipientId, type, actorId, target: { ...post, url: `${post.url}#answer-1` } };
    case 'promoted':
      return {
        recipientId,
        type,
        actorId,
        target: {
          kind: 'article',
          id: 'kb1',
          title: 'Bolletta doppia: rimborso',
          url: '/kb/bolletta-doppia',
        },
      };
    case 'articleFlagged':
      return {
        recipientId,
        type,
        actorId,
        target: { kind: 'article', id: 'kb2', title: 'Fibra: attivazione', url: '/kb/fibra-attivazione' },
        data: { flag: { it: 'superato', en: 'outdated' } },
      };
    case 'award':
      return {
        recipientId,
        type,
        actorId: null,
        variant: 'level',
        target: {
          kind: 'topic',
          id: 't1',
          title: { it: 'Bollette', en: 'Bills' },
          url: `/people/${recipientId}`,
        },
        data: { level: { it: 'Contributore', en: 'Contributor' } },
      };
    case 'reviewPending':
      return {
        recipientId,
        type,
        actorId,
        groupKey: 'review-queue',
        target: { kind: 'article', id: 'kb3', title: 'Roaming estero', url: '/kb/review' },
      };
    case 'passwordResetByAdmin':
      return {
        recipientId,
        type,
        actorId,
        target: { kind: 'account', id: recipientId, title: '', url: '/settings/account' },
      };
    case 'removedByModerator':
      return {
        recipientId,
        type,
        actorId,
        variant: 'postWithReason',
        target: post,
        data: { reason: 'dati personali del cliente' },
      };
    case 'closedAsDuplicate':
      return {
        recipientId,
        type,
        actorId,
        variant: 'merged',
        target: post,
        data: { original: 'Doppio addebito: come si rimborsa' },
      };
  }
}

const EXPECTED: Record<NotificationType, { it: string; en: string }> = {
  mention: {
    it: 'Anna Verdi ti ha menzionato in «Rimborso bolletta doppia»',
    en: 'Anna Verdi mentioned you in',
  },
  answer: {
    it: 'Anna Verdi ha risposto alla tua domanda «Rimborso',
    en: 'Anna Verdi answered your question',
  },
  comment: { it: 'Anna Verdi ha commentato «Rimborso', en: 'Anna Verdi commented on «Rimborso' },
  seenThisToo: {
    it: 'Anna Verdi: «È capitato anche a me» su «Rimborso bolletta doppia»',
    en: 'Anna Verdi has seen this too: «Rimborso bolletta doppia»',
  },
  answerAccepted: {
    it: 'Anna Verdi ha accettato la tua risposta a',
    en: 'Anna Verdi accepted your answer to',
  },
  promoted: {
    it: 'ha trasformato il tuo contributo nell&#x27;articolo della base di conoscenza «Bolletta doppia: rimborso»',
    en: 'turned your contribution into the knowledge-base article «Bolletta doppia: rimborso»',
  },
  articleFlagged: {
    it: 'Anna Verdi ha segnalato il tuo articolo «Fibra: attivazione»: superato',
    en: 'Anna Verdi flagged your article «Fibra: attivazione»: outdated',
  },
  award: {
    it: 'Hai raggiunto il livello Contributore in Bollette',
    en: 'You reached the level Contributor in Bills',
  },
  reviewPending: {
    it: '«Roaming estero» attende la tua revisione',
    en: '«Roaming estero» awaits your review',
  },
  passwordResetByAdmin: {
    it: 'Anna Verdi ha creato un link per impostare una nuova password',
    en: 'Anna Verdi created a link to set a new password for your account',
  },
  removedByModerator: {
    it: 'Anna Verdi ha rimosso il tuo post «Rimborso bolletta doppia»: dati personali del cliente',
    en: 'Anna Verdi removed your post «Rimborso bolletta doppia»: dati personali del cliente',
  },
  closedAsDuplicate: {
    it: 'Anna Verdi ha unito la tua domanda «Rimborso bolletta doppia» a «Doppio addebito: come si rimborsa»',
    en: 'Anna Verdi merged your question «Rimborso bolletta doppia» into «Doppio addebito: come si rimborsa»',
  },
};

describe('notifications', () => {
  const t = useTestApp();
  let actor: { id: string };

  before(async () => {
    actor = await createUser({ displayName: 'Anna Verdi' });
  });

  const inboxOf = async (userId: string) => t.services.notifications.list(userId);
  const counterOf = async (userId: string) => (await NotificationState.findById(userId).lean())?.unread ?? 0;

  describe('each type', () => {
    for (const type of NOTIFICATION_TYPES) {
      it(`renders "${type}" in Italian and English, and follows its preference`, async () => {
        for (const locale of ['it', 'en'] as const) {
          const { agent, user } = await signedIn(t, ['operator'], { locale });
          const outcome = await t.services.notifications.notify(sample(type, user.id, actor.id));
          expect(outcome.delivered).to.equal(true);
          const page = await agent.get('/notifications').expect(200);
          expect(page.text).to.include(EXPECTED[type][locale]);
          expect(page.text).to.include(locale === 'it' ? '1 notifica da leggere' : '1 unread notification');

          // The preference: optional types can be turned off, security notices cannot.
          const token = await csrfToken(agent, '/settings/notifications');
          const others = NOTIFICATION_TYPES.filter((other) => other !== type);
          await agent
            .post('/settings/notifications')
            .type('form')
            .send(`_csrf=${token}&${others.map((o) => `enabled=${o}`).join('&')}`)
            .expect(303);
          const again = await t.services.notifications.notify(sample(type, user.id, actor.id));
          const alwaysTold = !NOTIFICATION_RULES[type].optional;
          if (alwaysTold) expect(again.delivered).to.equal(true);
          else expect(again).to.deep.equal({ delivered: false, reason: 'muted' });
          const settings = await agent.get('/settings/notifications').expect(200);
          expect(settings.text).to.match(
            alwaysTold
              ? /<input type="checkbox" checked disabled/
              : new RegExp(`<input type="checkbox" name="enabled" value="${type}" >`),
          );
        }
      });
    }
  });

  it('tells the person when an administrator creates a password link for them', async () => {
    const { agent: adminAgent } = await signedIn(t, ['admin'], { displayName: 'Amministratrice Uno' });
    const { agent, user } = await signedIn(t, ['operator'], { locale: 'en' });
    const token = await csrfToken(adminAgent, `/admin/users/${user.id}`);
    await adminAgent
      .post(`/admin/users/${user.id}/reset-password`)
      .type('form')
      .send({ _csrf: token })
      .expect(200);
    const home = await agent.get('/').expect(200);
    expect(home.text).to.match(/data-rt-counter="notifications:unread">1</);
    const page = await agent.get('/notifications').expect(200);
    expect(page.text).to.include('Amministratrice Uno created a link to set a new password for your account');
  });

  it('never notifies people of their own actions, nor inactive accounts', async () => {
    const user = await createUser();
    expect(await t.services.notifications.notify(sample('comment', user.id, user.id))).to.deep.equal({
      delivered: false,
      reason: 'self',
    });
    const gone = await createUser({ active: false });
    expect(await t.services.notifications.notify(sample('comment', gone.id, actor.id))).to.deep.equal({
      delivered: false,
      reason: 'inactive',
    });
    expect(
      await t.services.notifications.notify(sample('comment', new Types.ObjectId().toHexString(), actor.id)),
    ).to.deep.equal({ delivered: false, reason: 'unknownRecipient' });
    expect(await inboxOf(user.id)).to.deep.equal([]);
    expect(await counterOf(user.id)).to.equal(0);
  });

  it('groups repeated events on the same item while unread, and starts again once read', async () => {
    const { agent, user } = await signedIn(t, ['operator'], { locale: 'en' });
    const post = question(undefined, 'SIM non attiva');
    const helpers = await Promise.all(['Bruno', 'Carla', 'Dario'].map((n) => createUser({ displayName: n })));
    for (const helper of helpers) {
      await t.services.notifications.notify({
        recipientId: user.id,
        type: 'answer',
        actorId: helper.id,
        target: post,
      });
    }
    // A comment on the same post is another notification; an answer elsewhere too.
    await t.services.notifications.notify({
      recipientId: user.id,
      type: 'comment',
      actorId: actor.id,
      target: post,
    });
    await t.services.notifications.notify({
      recipientId: user.id,
      type: 'answer',
      actorId: actor.id,
      target: question(),
    });
    const list = await inboxOf(user.id);
    expect(list.map((n) => [n.type, n.count])).to.deep.equal([
      ['answer', 1],
      ['comment', 1],
      ['answer', 3],
    ]);
    expect(await counterOf(user.id)).to.equal(3);
    const page = await agent.get('/notifications').expect(200);
    expect(page.text).to.include('3 new answers to your question «SIM non attiva»');

    const grouped = list[2]!;
    expect(await t.services.notifications.markRead(user.id, grouped.id)).to.equal(true);
    expect(await counterOf(user.id)).to.equal(2);
    await t.services.notifications.notify({
      recipientId: user.id,
      type: 'answer',
      actorId: actor.id,
      target: post,
    });
    const reopened = (await inboxOf(user.id))[0]!;
    expect([reopened.id, reopened.count, reopened.unread]).to.deep.equal([grouped.id, 1, true]);
    expect(await counterOf(user.id)).to.equal(3);
    expect((await agent.get('/notifications').expect(200)).text).to.include(
      'Anna Verdi answered your question «SIM non attiva»',
    );
  });

  it('marks one read, or all, from the page; the header badge follows', async () => {
    const { agent, user } = await signedIn(t, ['operator'], { locale: 'en' });
    for (let i = 0; i < 3; i++) {
      await t.services.notifications.notify(sample('mention', user.id, actor.id));
    }
    const first = (await inboxOf(user.id))[0]!;
    let page = await agent.get('/notifications').expect(200);
    expect(page.text).to.match(/data-rt-counter="notifications:unread">3</);
    expect(page.text).to.include('3 unread notifications');

    // The card's own form carries the token.
    const cardForm = new RegExp(`data-rt-item="${first.id}"[\\s\\S]*?name="_csrf" value="([^"]+)"`).exec(
      page.text,
    );
    expect(cardForm, 'mark-read form of the card').to.not.equal(null);
    let token = cardForm![1]!;
    const one = await agent
      .post(`/notifications/${first.id}/read`)
      .type('form')
      .send({ _csrf: token, next: '/notifications?status=unread' })
      .expect(303);
    expect(one.headers.location).to.equal('/notifications?status=unread');
    page = await agent.get('/notifications?status=unread').expect(200);
    expect(page.text).to.match(/data-rt-counter="notifications:unread">2</);
    expect(page.text).to.not.include(`data-rt-item="${first.id}"`);

    // JSON for scripts.
    const second = (await inboxOf(user.id)).find((n) => n.unread)!;
    const json = await agent
      .post(`/notifications/${second.id}/read`)
      .set('Accept', 'application/json')
      .send({ _csrf: token })
      .expect(200);
    expect(json.body).to.deep.equal({ unread: 1 });

    token = await csrfToken(agent, '/notifications');
    await agent
      .post('/notifications/read-all')
      .type('form')
      .send({ _csrf: token, next: '//evil.example' })
      .expect(303)
      .expect('Location', '/notifications');
    page = await agent.get('/notifications').expect(200);
    expect(page.text).to.include('All notifications are marked read.');
    expect(page.text).to.match(/data-rt-show-when="notifications:unread" hidden/);
    expect(await counterOf(user.id)).to.equal(0);
    expect((await inboxOf(user.id)).every((n) => !n.unread)).to.equal(true);
    // Marking an unknown one is a 404, not a new fragment in the inbox.
    await agent.post('/notifications/AAAAAAAAAAAAAAAA/read').type('form').send({ _csrf: token }).expect(404);
    expect(await inboxOf(user.id)).to.have.length(3);
  });

  it('opens a notification: marks it read and goes to what it is about', async () => {
    const { agent, user } = await signedIn(t);
    const outcome = await t.services.notifications.notify(sample('answerAccepted', user.id, actor.id));
    if (!outcome.delivered) throw new Error('not delivered');
    const res = await agent.get(`/notifications/${outcome.id}`).expect(303);
    expect(res.headers.location).to.match(/^\/posts\/[0-9a-f]{24}#answer-1$/);
    expect(await counterOf(user.id)).to.equal(0);
    await agent.get('/notifications/not-a-notification').expect(404);
  });

  it('filters the page by type and by unread', async () => {
    const { agent, user } = await signedIn(t, ['operator'], { locale: 'en' });
    await t.services.notifications.notify(sample('mention', user.id, actor.id));
    const read = await t.services.notifications.notify(sample('comment', user.id, actor.id));
    if (read.delivered) await t.services.notifications.markRead(user.id, read.id);
    const mentions = await agent.get('/notifications?type=mention').expect(200);
    expect(mentions.text).to.include('mentioned you');
    expect(mentions.text).to.not.include('commented on');
    expect(mentions.text).to.include('data-rt-accept="mention"');
    const unread = await agent.get('/notifications?status=unread').expect(200);
    expect(unread.text).to.include('mentioned you');
    expect(unread.text).to.not.include('commented on');
    const none = await agent.get('/notifications?type=award').expect(200);
    expect(none.text).to.include('No notifications match these filters.');
    // Nonsense filters are ignored.
    await agent.get('/notifications?type=%24ne&status=bogus').expect(200);
  });

  it('serves one notification as an HTML fragment, only to its recipient', async () => {
    const { agent, user } = await signedIn(t, ['operator'], { locale: 'it' });
    const outcome = await t.services.notifications.notify(sample('comment', user.id, actor.id));
    if (!outcome.delivered) throw new Error('not delivered');
    const card = await agent.get(`/notifications/${outcome.id}/card`).expect(200);
    expect(card.text.trim()).to.match(
      new RegExp(`^<li class="notification notification-unread" data-rt-item="${outcome.id}">`),
    );
    expect(card.text).to.not.include('<html');
    expect(card.text).to.include('Anna Verdi ha commentato');
    const { agent: other } = await signedIn(t);
    await other.get(`/notifications/${outcome.id}/card`).expect(404);
    await other.get(`/notifications/${outcome.id}`).expect(404);
  });

  it('keeps every notification beyond 50, paged newest first by cursor, the counter exact', async function () {
    this.timeout(60_000);
    const { agent, user } = await signedIn(t, ['operator'], { locale: 'en' });
    const total = 65;
    const ids: string[] = [];
    for (let i = 0; i < total; i++) {
      const outcome = await t.services.notifications.notify({
        ...sample('promoted', user.id, actor.id),
        target: { kind: 'article', id: `kb${i}`, title: `Articolo numero ${i}`, url: `/kb/${i + 1}` },
      });
      if (!outcome.delivered) throw new Error('not delivered');
      ids.push(outcome.id);
      if (i === 0) await t.services.notifications.markRead(user.id, outcome.id);
    }
    expect(await counterOf(user.id)).to.equal(total - 1);

    // Through the page: the newest first, then older pages by the "older" link, each once.
    const seen: string[] = [];
    let url: string | null = '/notifications';
    let pages = 0;
    while (url) {
      const page = await agent.get(url).expect(200);
      pages++;
      const onPage = [...page.text.matchAll(/data-rt-item="([A-Za-z0-9_-]{16})"/g)].map((m) => m[1]!);
      expect(onPage.length).to.be.at.most(NOTIFICATIONS_PAGE_SIZE);
      seen.push(...onPage);
      const next = /<a rel="next" class="button button-secondary" href="([^"]+)">Older notifications/.exec(
        page.text,
      );
      url = next ? next[1]!.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&') : null;
    }
    expect(pages).to.equal(Math.ceil(total / NOTIFICATIONS_PAGE_SIZE));
    // Each once, newest first (ties in time by id, as the service lists them).
    const all = await t.services.notifications.list(user.id, {}, 1000);
    expect(seen).to.have.members(ids);
    expect(seen).to.deep.equal(all.map((n) => n.id));
    for (let i = 1; i < all.length; i++) {
      expect(all[i - 1]!.at.getTime()).to.be.at.least(all[i]!.at.getTime());
    }
    // The oldest one (read) is still there.
    const last = await agent.get(`/notifications/${ids[0]}/card`).expect(200);
    expect(last.text).to.include('Articolo numero 0');

    // Unread only, paged too: every one but the first.
    const unread: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.services.notifications.page(user.id, { status: 'unread', cursor });
      unread.push(...page.items.map((n) => n.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(unread).to.deep.equal(all.filter((n) => n.id !== ids[0]).map((n) => n.id));

    // Marking all read reaches the notifications beyond the first page.
    expect(await t.services.notifications.markAllRead(user.id)).to.equal(total - 1);
    expect(await counterOf(user.id)).to.equal(0);
    expect((await t.services.notifications.page(user.id, { status: 'unread' })).items).to.deep.equal([]);
    expect(await t.services.notifications.reconcile(user.id)).to.deep.equal({
      counter: 0,
      actual: 0,
      repaired: false,
    });
  });

  it('answers a malformed page cursor with a 400', async () => {
    const { agent } = await signedIn(t);
    for (const bad of [
      'nonsense',
      '12.short',
      '1.AAAAAAAAAAAAAAAA&cursor=2.AAAAAAAAAAAAAAAA',
      '-1.AAAAAAAAAAAAAAAA',
    ]) {
      await agent.get(`/notifications?cursor=${bad}`).expect(400);
    }
    // A well-formed cursor past the end is an empty page.
    const empty = await agent.get('/notifications?cursor=1.AAAAAAAAAAAAAAAA').expect(200);
    expect(empty.text).to.not.include('data-rt-item=');
  });

  it('keeps the counter equal to the unread notifications under concurrent events', async () => {
    const user = await createUser();
    const post = question();
    const others = [question(), question(), question()];
    const actors = await Promise.all([1, 2, 3, 4, 5].map(() => createUser()));
    await Promise.all([
      ...actors.map((a) =>
        t.services.notifications.notify({
          recipientId: user.id,
          type: 'answer',
          actorId: a.id,
          target: post,
        }),
      ),
      ...others.map((p) =>
        t.services.notifications.notify({
          recipientId: user.id,
          type: 'comment',
          actorId: actor.id,
          target: p,
        }),
      ),
    ]);
    const list = await inboxOf(user.id);
    expect(list.find((n) => n.type === 'answer')?.count).to.equal(5);
    expect(list).to.have.length(4);
    expect(await counterOf(user.id)).to.equal(4);
    await Promise.all([
      t.services.notifications.markAllRead(user.id),
      t.services.notifications.notify({
        recipientId: user.id,
        type: 'answer',
        actorId: actor.id,
        target: post,
      }),
      t.services.notifications.markRead(user.id, list[0]!.id),
    ]);
    const { counter, actual, repaired } = await t.services.notifications.reconcile(user.id);
    expect(repaired).to.equal(false);
    expect(counter).to.equal(actual);
  });

  it('proves the counter against the notifications and repairs it', async () => {
    const user = await createUser();
    await t.services.notifications.notify(sample('mention', user.id, actor.id));
    await NotificationState.updateOne({ _id: user.id }, { $set: { unread: 9 } });
    expect(await t.services.notifications.reconcile(user.id)).to.deep.equal({
      counter: 9,
      actual: 1,
      repaired: true,
    });
    expect(await counterOf(user.id)).to.equal(1);
    const all = await t.services.notifications.reconcileAll();
    expect(all.repaired).to.equal(0);
    expect(all.checked).to.be.greaterThan(0);
  });

  it('stores one document per notification, addressed by the person and the notification', async () => {
    const user = await createUser();
    const outcome = await t.services.notifications.notify(sample('mention', user.id, actor.id));
    if (!outcome.delivered) throw new Error('not delivered');
    const doc = await Notification.findById(`${user.id}:${outcome.id}`).lean();
    expect([doc?.recipient, doc?.type, doc?.count]).to.deep.equal([user.id, 'mention', 1]);
    // Another person cannot reach it by its short id.
    const other = await createUser();
    expect(await t.services.notifications.get(other.id, outcome.id)).to.equal(null);
    expect(await t.services.notifications.markRead(other.id, outcome.id)).to.equal(false);
  });

  it('moves the notifications of the old per-person inboxes, keeping ids, read states and counts', async () => {
    const user = await createUser({ locale: 'en' });
    const at = new Date(Date.now() - 60_000);
    const item = (title: string, readAt: Date | null, count: number, minutes: number) => ({
      type: 'answer',
      variant: null,
      count,
      actorId: actor.id,
      actorName: 'Anna Verdi',
      target: { kind: 'post', id: title, title, url: '/posts/1' },
      data: {},
      at: new Date(at.getTime() - minutes * 60_000),
      readAt,
    });
    await mongoose.connection.collection('notification_inboxes').insertOne({
      _id: user.id as never,
      items: {
        AAAAAAAAAAAAAAAA: item('Vecchia letta', at, 1, 10),
        BBBBBBBBBBBBBBBB: item('Nuova da leggere', null, 2, 1),
      },
    });
    expect(await migrateNotificationInboxes()).to.equal(2);
    const list = await t.services.notifications.list(user.id);
    expect(list.map((n) => [n.id, n.count, n.unread])).to.deep.equal([
      ['BBBBBBBBBBBBBBBB', 2, true],
      ['AAAAAAAAAAAAAAAA', 1, false],
    ]);
    const names = (await mongoose.connection.db!.listCollections().toArray()).map((c) => c.name);
    expect(names).to.not.include('notification_inboxes');
    expect(await migrateNotificationInboxes()).to.equal(0);
  });

  it('refuses calls that break the rules of the API', async () => {
    const user = await createUser();
    const notify = (input: Partial<NotifyInput>) =>
      t.services.notifications.notify({ ...sample('award', user.id, actor.id), ...input } as NotifyInput);
    for (const bad of [
      { type: 'nonsense' as NotificationType },
      { recipientId: 'x' },
      { variant: 'gold' },
      { target: { kind: 'post', id: '1', title: 'x', url: 'https://evil.example/' } },
      { data: { 'a.b': 'x' } },
    ]) {
      let failed = false;
      await notify(bad).catch(() => {
        failed = true;
      });
      expect(failed, JSON.stringify(bad)).to.equal(true);
    }
  });

  it('shows the badge on every page from the first one after signing in', async () => {
    const user = await createUser({ locale: 'en' });
    await t.services.notifications.notify(sample('mention', user.id, actor.id));
    const agent = t.agent();
    await signIn(agent, user.email, user.password);
    const page = await agent.get('/').expect(200);
    expect(page.text).to.match(
      /<span class="notifications-badge" data-rt-show-when="notifications:unread" >/,
    );
    expect(page.text).to.include('<span class="visually-hidden"> unread</span>');
  });
});
