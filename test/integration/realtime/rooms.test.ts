import { expect } from 'chai';
import { Team } from '../../../models/team.ts';
import { ACTIONS, can } from '../../../server/auth/permissions.ts';
import { CLIENT_EVENTS } from '../../../server/realtime/realtime.bridge.ts';
import { roomName, rooms } from '../../../server/realtime/rooms.ts';
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

/** A room kind that exists only in this test: case files that only their owner may follow. */
const CASE = 'caseFile';

describe('realtime: rooms, permissions and the bridge', () => {
  const t = useTestApp();
  const live = useLiveServer(t, { throttleMs: 300 });
  const owners = new Map<string, string>();

  before(() => {
    live.realtime.bridge
      .defineRoom(CASE, { permission: 'app.use', canJoin: (user, id) => owners.get(id) === user.id })
      // A real domain event mapped to the rooms of the case files the person owns.
      .on('user.updated', (e) => ({
        to: [...owners].filter(([, owner]) => owner === e.userId).map(([id]) => roomName(CASE, id)),
        message: { type: 'caseFile.touched', data: { by: e.userId } },
      }))
      .request('test:adminOnly', { permission: 'users.manage', handle: () => ({ secret: 42 }) })
      .onResync(CASE, (_user, id) => ({ counters: { [`case:${id}:views`]: 7 } }));
  });

  const connected = async (options: Parameters<typeof createUser>[0] = {}) => {
    const user = await createUser(options);
    const session = await signInLive(live.url, user.email, TEST_PASSWORD);
    const socket = await connectSocket(live.url, { cookie: session.cookie });
    return { user, session, socket };
  };

  it('checks every socket request against the permission matrix', () => {
    for (const [name, handler] of live.realtime.bridge.requests()) {
      expect(ACTIONS, `socket request ${name}`).to.include(handler.permission);
    }
    expect([...live.realtime.bridge.requests().keys()]).to.include.members([
      'rt:join',
      'rt:leave',
      'rt:resync',
    ]);
  });

  it('answers a request only to the roles the matrix allows', async () => {
    const operator = await connected({ roles: ['operator'] });
    const admin = await connected({ roles: ['admin'] });
    try {
      expect(can({ roles: ['operator'] }, 'users.manage')).to.equal(false);
      expect(await request(operator.socket, 'test:adminOnly')).to.deep.equal({
        ok: false,
        error: 'forbidden',
      });
      expect(await request(admin.socket, 'test:adminOnly')).to.deep.equal({ ok: true, secret: 42 });
    } finally {
      operator.socket.close();
      admin.socket.close();
    }
  });

  it('lets a person join only the rooms the room kind allows them to see', async () => {
    const alice = await connected();
    const bob = await connected();
    owners.set('alicecase1', alice.user.id);
    try {
      const aliceJoin = await request(alice.socket, 'rt:join', { rooms: [roomName(CASE, 'alicecase1')] });
      expect(aliceJoin).to.deep.equal({ ok: true, joined: ['caseFile:alicecase1'], refused: [] });
      const bobJoin = await request(bob.socket, 'rt:join', {
        rooms: [
          roomName(CASE, 'alicecase1'),
          rooms.user(alice.user.id),
          'unknownKind:123',
          'not a room',
          rooms.user(bob.user.id),
        ],
      });
      expect(bobJoin).to.deep.equal({
        ok: true,
        joined: [rooms.user(bob.user.id)],
        refused: ['caseFile:alicecase1', rooms.user(alice.user.id), 'unknownKind:123', 'not a room'],
      });
      expect(await request(bob.socket, 'rt:join', { rooms: 'caseFile:alicecase1' })).to.deep.equal({
        ok: false,
        error: 'invalid',
      });

      // Only Alice hears what happens in her case file.
      const bobHeard = record(bob.socket, CLIENT_EVENTS.message);
      const heard = nextEvent<{ type: string; data: { by: string } }>(alice.socket, CLIENT_EVENTS.message);
      await t.events.publish('user.updated', {
        userId: alice.user.id,
        actorId: alice.user.id,
        changed: ['x'],
      });
      expect(await heard).to.deep.equal({ type: 'caseFile.touched', data: { by: alice.user.id } });
      // A message Bob might get would have arrived with Alice's; a round trip later there is none.
      await request(bob.socket, 'rt:resync');
      expect(bobHeard).to.deep.equal([]);
    } finally {
      alice.socket.close();
      bob.socket.close();
    }
  });

  it('removes members who may no longer see a room when the bridge is told visibility changed', async () => {
    const alice = await connected();
    owners.set('alicecase2', alice.user.id);
    try {
      await request(alice.socket, 'rt:join', { rooms: ['caseFile:alicecase2'] });
      const server = live.realtime.io.of('/').sockets.get(alice.socket.id!)!;
      expect([...server.rooms]).to.include('caseFile:alicecase2');
      owners.set('alicecase2', 'someone-else');
      await live.realtime.bridge.deliver({ recheck: 'caseFile:alicecase2' });
      expect([...server.rooms]).to.not.include('caseFile:alicecase2');
      expect([...server.rooms]).to.include(rooms.user(alice.user.id));
    } finally {
      alice.socket.close();
    }
  });

  it('lets team members and leads join their team room, nobody else', async () => {
    const team = await Team.create({ name: 'Fatturazione', slug: 'fatturazione' });
    const member = await connected({ team: team._id });
    const outsider = await connected();
    const lead = await connected({ roles: ['team_lead'] });
    await Team.updateOne({ _id: team._id }, { $set: { leads: [lead.user.id] } });
    const room = rooms.team(String(team._id));
    try {
      expect((await request(member.socket, 'rt:join', { rooms: [room] })).joined).to.deep.equal([room]);
      expect((await request(lead.socket, 'rt:join', { rooms: [room] })).joined).to.deep.equal([room]);
      expect((await request(outsider.socket, 'rt:join', { rooms: [room] })).refused).to.deep.equal([room]);
    } finally {
      for (const c of [member, outsider, lead]) c.socket.close();
    }
  });

  it('leaves rooms a person may no longer see when their account changes', async () => {
    const team = await Team.create({ name: 'Tecnico', slug: 'tecnico' });
    const member = await connected({ team: team._id });
    const room = rooms.team(String(team._id));
    try {
      await request(member.socket, 'rt:join', { rooms: [room] });
      const server = live.realtime.io.of('/').sockets.get(member.socket.id!)!;
      expect([...server.rooms]).to.include(room);
      const admin = await createUser({ roles: ['admin'] });
      const adminSession = await signInLive(live.url, admin.email, TEST_PASSWORD);
      const res = await adminSession.post(
        `/admin/users/${member.user.id}`,
        {
          email: member.user.email,
          displayName: member.user.displayName,
          roles: 'operator',
          team: '',
          locale: '',
        },
        `/admin/users/${member.user.id}`,
      );
      expect(res.status).to.equal(303);
      expect([...server.rooms]).to.not.include(room);
      expect(server.data.user.teamId).to.equal(null);
    } finally {
      member.socket.close();
    }
  });

  it('lets a client leave rooms but never its own', async () => {
    const alice = await connected();
    owners.set('alicecase3', alice.user.id);
    try {
      await request(alice.socket, 'rt:join', { rooms: ['caseFile:alicecase3'] });
      await request(alice.socket, 'rt:leave', { rooms: ['caseFile:alicecase3', rooms.user(alice.user.id)] });
      const server = live.realtime.io.of('/').sockets.get(alice.socket.id!)!;
      expect([...server.rooms].filter((r) => r !== server.id)).to.deep.equal([rooms.user(alice.user.id)]);
    } finally {
      alice.socket.close();
    }
  });

  it('throttles counter updates per room: the first at once, then the latest value only', async () => {
    const alice = await connected();
    owners.set('alicecase4', alice.user.id);
    try {
      await request(alice.socket, 'rt:join', { rooms: ['caseFile:alicecase4'] });
      const received = record<{ room: string; values: Record<string, number> }>(
        alice.socket,
        CLIENT_EVENTS.counters,
      );
      const last = nextEvent<{ values: Record<string, number> }>(
        alice.socket,
        CLIENT_EVENTS.counters,
        (m) => m.values['case:4:votes'] === 200,
      );
      // A burst of 200 votes in one go, and a second counter in the middle of it.
      for (let votes = 1; votes <= 200; votes++) {
        void live.realtime.bridge.deliver({ to: 'caseFile:alicecase4', counters: { 'case:4:votes': votes } });
        if (votes === 100) {
          void live.realtime.bridge.deliver({ to: 'caseFile:alicecase4', counters: { 'case:4:answers': 3 } });
        }
      }
      await last;
      expect(received).to.deep.equal([
        { room: 'caseFile:alicecase4', values: { 'case:4:votes': 1 } },
        { room: 'caseFile:alicecase4', values: { 'case:4:votes': 200, 'case:4:answers': 3 } },
      ]);
    } finally {
      alice.socket.close();
    }
  });

  it('answers a resync with the current state of every room the client is in', async () => {
    const alice = await connected();
    owners.set('alicecase5', alice.user.id);
    try {
      await request(alice.socket, 'rt:join', { rooms: ['caseFile:alicecase5'] });
      const state = await request<{ ok: boolean; counters: Record<string, number>; now: string }>(
        alice.socket,
        'rt:resync',
        { since: new Date().toISOString() },
      );
      expect(state.ok).to.equal(true);
      expect(state.counters).to.deep.equal({ 'case:alicecase5:views': 7, 'notifications:unread': 0 });
      expect(Date.parse(state.now)).to.be.greaterThan(0);
    } finally {
      alice.socket.close();
    }
  });
});
