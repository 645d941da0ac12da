import { expect } from 'chai';
import { Types } from 'mongoose';
import { NOTIFICATION_INBOX_SIZE, NotificationInbox } from '../../../models/notification-inbox.ts';
import { NotificationState } from '../../../models/notification-state.ts';
import {
  NOTIFICATION_TYPES,
  type NotificationType,
} from '../../../server/notifications/notification-types.ts';
import type { NotifyInput } from '../../../server/notifications/notifications.service.ts';
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
          if (type === 'passwordResetByAdmin') expect(again.delivered).to.equal(true);
          else expect(again).to.deep.equal({ delivered: false, reason: 'muted' });
          const settings = await agent.get('/settings/notifications').expect(200);
          expect(settings.text).to.match(
            type === 'passwordResetByAdmin'
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

  it(`keeps the ${NOTIFICATION_INBOX_SIZE} most recent notifications, and the counter exact`, async () => {
    const user = await createUser();
    const ids: string[] = [];
    for (let i = 0; i < NOTIFICATION_INBOX_SIZE + 2; i++) {
      const outcome = await t.services.notifications.notify(sample('promoted', user.id, actor.id));
      if (outcome.delivered) ids.push(outcome.id);
      if (i === 0) await t.services.notifications.markRead(user.id, outcome.delivered ? outcome.id : '');
    }
    const list = await inboxOf(user.id);
    expect(list).to.have.length(NOTIFICATION_INBOX_SIZE);
    // The read one went first, then the oldest unread one.
    expect(list.map((n) => n.id)).to.not.include.members([ids[0], ids[1]]);
    expect(await counterOf(user.id)).to.equal(NOTIFICATION_INBOX_SIZE);
    expect(await t.services.notifications.reconcile(user.id)).to.deep.equal({
      counter: NOTIFICATION_INBOX_SIZE,
      actual: NOTIFICATION_INBOX_SIZE,
      repaired: false,
    });
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

  it('stores one document per person, addressed by their id', async () => {
    const user = await createUser();
    await t.services.notifications.notify(sample('mention', user.id, actor.id));
    const inbox = await NotificationInbox.findById(user.id).lean();
    expect(inbox).to.not.equal(null);
    expect(Object.keys(inbox!.items)).to.have.length(1);
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
