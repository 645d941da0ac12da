import { expect } from 'chai';
import { Types } from 'mongoose';
import { createRepositories, type Repositories } from '../../../server/db/repositories.ts';
import type { NotificationEvent, NotificationRow } from '../../../server/notifications/notifications.repo.ts';
import { useTestApp } from '../../helpers/app.ts';
import { testStorageAdapter } from '../../helpers/engine.ts';

const event = (type: string, title = 'Rimborso'): NotificationEvent => ({
  type,
  variant: null,
  actorId: null,
  actorName: null,
  target: { kind: 'post', id: title, title, url: '/posts/1' },
  data: {},
});

const person = () => new Types.ObjectId().toHexString();
const id = (n: number) => `N${String(n).padStart(15, '0')}`;

/** Every page of a person's notifications, `size` at a time, through the cursor. */
async function walk(
  repos: Repositories,
  recipient: string,
  size: number,
  filters: { type?: string; unreadOnly?: boolean } = {},
): Promise<NotificationRow[]> {
  const out: NotificationRow[] = [];
  let after: { at: number; id: string } | undefined;
  for (;;) {
    const page = await repos.notifications.page(recipient, { ...filters, after, limit: size });
    out.push(...page);
    if (page.length < size) return out;
    const last = page[page.length - 1]!;
    after = { at: last.at.getTime(), id: last.id };
  }
}

describe('notifications repository (contract)', () => {
  useTestApp();
  let repos: Repositories;

  before(() => {
    repos = createRepositories(testStorageAdapter());
  });

  it('records an event: new, grouped while unread, opened again counting from one once read', async () => {
    const me = person();
    const at = new Date('2026-03-01T10:00:00Z');
    expect(await repos.notifications.record(me, id(1), event('answer'), at)).to.deep.equal({ before: null });
    expect(await repos.notifications.record(me, id(1), event('answer'), at)).to.deep.equal({
      before: { readAt: null },
    });
    expect((await repos.notifications.get(me, id(1)))?.count).to.equal(2);
    const readAt = new Date('2026-03-01T11:00:00Z');
    expect(await repos.notifications.markRead(me, id(1), readAt)).to.equal('unread');
    expect(await repos.notifications.markRead(me, id(1), readAt)).to.equal('read');
    const again = await repos.notifications.record(me, id(1), event('answer'), new Date('2026-03-02'));
    expect(again.before?.readAt?.getTime()).to.equal(readAt.getTime());
    const row = await repos.notifications.get(me, id(1));
    expect([row?.id, row?.recipient, row?.count, row?.readAt, row?.at.toISOString()]).to.deep.equal([
      id(1),
      me,
      1,
      null,
      '2026-03-02T00:00:00.000Z',
    ]);
  });

  it('pages newest first, ties in time by id, each notification once across pages', async () => {
    const me = person();
    const same = new Date('2026-04-01T08:00:00Z');
    // Seven at the same millisecond, three earlier, two later.
    for (let n = 0; n < 7; n++) await repos.notifications.record(me, id(100 + n), event('comment'), same);
    for (let n = 0; n < 3; n++) {
      await repos.notifications.record(me, id(n), event('answer'), new Date(same.getTime() - (n + 1) * 1000));
    }
    for (let n = 0; n < 2; n++) {
      await repos.notifications.record(me, id(200 + n), event('mention'), new Date(same.getTime() + n + 1));
    }
    const expected = [
      id(201),
      id(200),
      ...[6, 5, 4, 3, 2, 1, 0].map((n) => id(100 + n)),
      id(0),
      id(1),
      id(2),
    ];
    const all = await repos.notifications.page(me, { limit: 100 });
    expect(all.map((r) => r.id)).to.deep.equal(expected);
    for (const size of [1, 2, 3, 5]) {
      expect(
        (await walk(repos, me, size)).map((r) => r.id),
        `pages of ${size}`,
      ).to.deep.equal(expected);
    }
  });

  it('filters by type, unread, both, and by time; counts the unread', async () => {
    const me = person();
    const base = Date.parse('2026-05-01T00:00:00Z');
    const types = ['answer', 'comment', 'mention'];
    for (let n = 0; n < 12; n++) {
      await repos.notifications.record(me, id(n), event(types[n % 3]!), new Date(base + n * 1000));
    }
    for (const n of [0, 1, 2, 3]) await repos.notifications.markRead(me, id(n), new Date(base + 60_000));
    const ids = (rows: NotificationRow[]) => rows.map((r) => r.id);
    expect(ids(await walk(repos, me, 2, { type: 'answer' }))).to.deep.equal([9, 6, 3, 0].map(id));
    expect(ids(await walk(repos, me, 3, { unreadOnly: true }))).to.deep.equal(
      [11, 10, 9, 8, 7, 6, 5, 4].map(id),
    );
    expect(ids(await walk(repos, me, 1, { type: 'answer', unreadOnly: true }))).to.deep.equal([9, 6].map(id));
    expect(
      ids(await repos.notifications.page(me, { unreadOnly: true, since: new Date(base + 8000), limit: 50 })),
    ).to.deep.equal([11, 10, 9].map(id));
    expect(await repos.notifications.countUnread(me)).to.equal(8);
    expect(await repos.notifications.markAllRead(me, new Date(base + 120_000))).to.equal(8);
    expect(await repos.notifications.countUnread(me)).to.equal(0);
    expect(await repos.notifications.markAllRead(me, new Date(base + 180_000))).to.equal(0);
    expect(await repos.notifications.page(me, { unreadOnly: true, limit: 10 })).to.deep.equal([]);
    expect(await repos.notifications.page(me, { type: 'award', limit: 10 })).to.deep.equal([]);
    expect(await repos.notifications.recipients()).to.include(me);
  });

  it('keeps people apart, and answers unknown ids and people with nothing', async () => {
    const me = person();
    const other = person();
    await repos.notifications.record(me, id(1), event('answer'), new Date());
    expect(await repos.notifications.get(other, id(1))).to.equal(null);
    expect(await repos.notifications.markRead(other, id(1), new Date())).to.equal(null);
    expect(await repos.notifications.get(me, id(2))).to.equal(null);
    expect(await repos.notifications.markRead(me, id(2), new Date())).to.equal(null);
    // Marking an unknown one created nothing.
    expect((await repos.notifications.page(me, { limit: 10 })).map((r) => r.id)).to.deep.equal([id(1)]);
    expect(await repos.notifications.page(other, { limit: 10 })).to.deep.equal([]);
    expect(await repos.notifications.page('not-a-person', { limit: 10 })).to.deep.equal([]);
    expect(await repos.notifications.countUnread(other)).to.equal(0);
    expect(await repos.notifications.markAllRead(other, new Date())).to.equal(0);
    expect(
      await repos.notifications.page(me, { after: { at: 0, id: 'AAAAAAAAAAAAAAAA' }, limit: 10 }),
    ).to.deep.equal([]);
  });

  it('keeps the unread counter and the muted types of a person', async () => {
    const me = person();
    expect(await repos.notifications.unreadCounter(me)).to.equal(0);
    expect(await repos.notifications.moveUnreadCounter(me, 3)).to.equal(3);
    expect(await repos.notifications.moveUnreadCounter(me, -1)).to.equal(2);
    await repos.notifications.setUnreadCounter(me, 7);
    expect(await repos.notifications.unreadCounter(me)).to.equal(7);
    expect(await repos.notifications.muted(me)).to.deep.equal([]);
    await repos.notifications.setMuted(me, ['mention', 'comment']);
    expect(await repos.notifications.muted(me)).to.deep.equal(['mention', 'comment']);
  });
});
