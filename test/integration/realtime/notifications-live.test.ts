import { expect } from 'chai';
import { CLIENT_EVENTS, type ItemRef } from '../../../server/realtime/realtime.bridge.ts';
import { useTestApp } from '../../helpers/app.ts';
import {
  connectSocket,
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

describe('realtime: the unread badge and the notifications feed', () => {
  const t = useTestApp();
  // No throttle wait between the counter messages of this test.
  const live = useLiveServer(t, { throttleMs: 1 });

  it('tells every open page of the person, and only theirs, as notifications arrive and are read', async () => {
    const actor = await createUser();
    const user = await createUser();
    const other = await createUser();
    const session = await signInLive(live.url, user.email, TEST_PASSWORD);
    const [tab1, tab2] = await Promise.all([
      connectSocket(live.url, { cookie: session.cookie }),
      connectSocket(live.url, { cookie: session.cookie }),
    ]);
    const otherSocket = await connectSocket(live.url, {
      cookie: (await signInLive(live.url, other.email, TEST_PASSWORD)).cookie,
    });
    try {
      const counters = record<Counters>(tab1, CLIENT_EVENTS.counters);
      const items = record<ItemRef>(tab1, CLIENT_EVENTS.item);
      const otherHeard = record(otherSocket, CLIENT_EVENTS.counters);
      const target = { kind: 'post', id: 'p1', title: 'Modem', url: '/' };

      const inTab2 = nextEvent<Counters>(tab2, CLIENT_EVENTS.counters);
      const firstItem = nextEvent<ItemRef>(tab1, CLIENT_EVENTS.item);
      const outcome = await t.services.notifications.notify({
        recipientId: user.id,
        type: 'answer',
        actorId: actor.id,
        target,
      });
      if (!outcome.delivered) throw new Error('not delivered');
      expect((await inTab2).values).to.deep.equal({ 'notifications:unread': 1 });
      expect(await firstItem).to.deep.equal({
        feed: 'notifications',
        id: outcome.id,
        url: `/notifications/${outcome.id}/card`,
        tags: ['answer'],
      });

      // A second answer on the same question: the same notification changes, the count does not.
      const secondItem = nextEvent<ItemRef>(tab1, CLIENT_EVENTS.item);
      await t.services.notifications.notify({
        recipientId: user.id,
        type: 'answer',
        actorId: other.id,
        target,
      });
      expect((await secondItem).id).to.equal(outcome.id);

      // Read in another tab (HTTP): both tabs learn the new count.
      const zero = nextEvent<Counters>(
        tab2,
        CLIENT_EVENTS.counters,
        (m) => m.values['notifications:unread'] === 0,
      );
      const res = await session.post(`/notifications/${outcome.id}/read`, {}, '/notifications');
      expect(res.status).to.equal(303);
      await zero;
      await request(tab1, 'rt:resync');
      expect(counters.map((m) => m.values)).to.deep.equal([
        { 'notifications:unread': 1 },
        { 'notifications:unread': 0 },
      ]);
      expect(items.map((i) => i.id)).to.deep.equal([outcome.id, outcome.id]);
      expect(otherHeard).to.deep.equal([]);
    } finally {
      for (const s of [tab1, tab2, otherSocket]) s.close();
    }
  });

  it('resyncs a reconnecting page: the current count and the unread notifications it missed', async () => {
    const actor = await createUser();
    const user = await createUser();
    const session = await signInLive(live.url, user.email, TEST_PASSWORD);
    const before = await t.services.notifications.notify({
      recipientId: user.id,
      type: 'comment',
      actorId: actor.id,
      target: { kind: 'post', id: 'old', title: 'Old', url: '/' },
    });
    // Clearly apart in time (resync compares with the millisecond).
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    await pause();
    const since = new Date();
    await pause();
    const missed = await t.services.notifications.notify({
      recipientId: user.id,
      type: 'mention',
      actorId: actor.id,
      target: { kind: 'post', id: 'new', title: 'New', url: '/' },
    });
    if (!before.delivered || !missed.delivered) throw new Error('not delivered');
    const socket = await connectSocket(live.url, { cookie: session.cookie });
    try {
      const state = await request<{ counters: Record<string, number>; items: ItemRef[] }>(
        socket,
        'rt:resync',
        {
          since: since.toISOString(),
        },
      );
      expect(state.counters).to.deep.equal({ 'notifications:unread': 2 });
      expect(state.items.map((i) => i.id)).to.deep.equal([missed.id]);
    } finally {
      socket.close();
    }
  });
});
