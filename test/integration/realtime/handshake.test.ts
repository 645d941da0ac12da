import { expect } from 'chai';
import { Types } from 'mongoose';
import { User } from '../../../models/user.ts';
import { rooms } from '../../../server/realtime/rooms.ts';
import { useTestApp } from '../../helpers/app.ts';
import {
  connectSocket,
  disconnection,
  type LiveSession,
  refusalOf,
  signInLive,
  useLiveServer,
} from '../../helpers/realtime.ts';
import { createUser, TEST_PASSWORD } from '../../helpers/users.ts';

describe('realtime: sockets share the page session', () => {
  const t = useTestApp();
  const live = useLiveServer(t);

  const signedInLive = async (roles: Parameters<typeof createUser>[0] = {}) => {
    const user = await createUser(roles);
    const session = await signInLive(live.url, user.email, TEST_PASSWORD);
    return { user, session };
  };

  const membersOf = (room: string) => [...(live.realtime.io.of('/').adapter.rooms.get(room) ?? [])];

  describe('handshake', () => {
    it('refuses a socket without a session cookie', async () => {
      expect(await refusalOf(live.url)).to.equal('no_session');
    });

    it('refuses a cookie whose signature is wrong, and a made-up session id', async () => {
      const { session } = await signedInLive();
      const tampered = session.cookie.replace(/pp\.sid=s%3A([^.]+)\.[^;]+/, 'pp.sid=s%3A$1.forgedsignature');
      expect(tampered).to.not.equal(session.cookie);
      expect(await refusalOf(live.url, { cookie: tampered })).to.equal('no_session');
      expect(await refusalOf(live.url, { cookie: 'pp.sid=plain-session-id' })).to.equal('no_session');
    });

    it('refuses an anonymous session (cookie of a visitor who never signed in)', async () => {
      const res = await fetch(`${live.url}/login`);
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      expect(cookie).to.include('pp.sid=');
      expect(await refusalOf(live.url, { cookie })).to.equal('signed_out');
    });

    it('refuses the session of a deactivated person', async () => {
      const { user, session } = await signedInLive();
      // Deactivated directly in the database: the session still exists, the person does not count.
      await User.updateOne({ _id: user.id }, { $set: { active: false } });
      expect(await refusalOf(live.url, { cookie: session.cookie })).to.equal('inactive');
    });

    it('refuses a session past its absolute limit', async () => {
      const { session } = await signedInLive();
      const sid = decodeURIComponent(/pp\.sid=([^;]+)/.exec(session.cookie)![1]!)
        .slice(2)
        .split('.')[0]!;
      const stored = (await t.services.sessions.read(sid))!;
      const data = { ...stored.data, authAt: Date.now() - (t.config.sessionAbsoluteHours * 3600_000 + 1000) };
      await new Promise<void>((resolve, reject) =>
        t.services.sessions.set(sid, data, (err) => (err ? reject(err) : resolve())),
      );
      expect(await refusalOf(live.url, { cookie: session.cookie })).to.equal('expired');
    });

    it("refuses another site's page (Origin), whatever the cookie", async () => {
      const { session } = await signedInLive();
      // Refused before the handshake: the WebSocket upgrade itself is rejected.
      expect(
        await refusalOf(live.url, { cookie: session.cookie, headers: { Origin: 'http://evil.example' } }),
      ).to.equal('websocket error');
      const own = await connectSocket(live.url, {
        cookie: session.cookie,
        headers: { Origin: live.url },
      });
      own.close();
    });

    it('accepts a signed-in person, bound to them, in their own room', async () => {
      const { user, session } = await signedInLive();
      const socket = await connectSocket(live.url, { cookie: session.cookie });
      try {
        expect(membersOf(rooms.user(user.id))).to.deep.equal([socket.id]);
        const server = live.realtime.io.of('/').sockets.get(socket.id!)!;
        expect(server.data.user.id).to.equal(user.id);
      } finally {
        socket.close();
      }
    });
  });

  describe('ending sessions ends sockets', () => {
    let admin: { session: LiveSession };
    before(async () => {
      admin = await signedInLive({ roles: ['admin'] });
    });

    it('disconnects the sockets of a session that signs out, not those of other sessions', async () => {
      const user = await createUser();
      const tab = await signInLive(live.url, user.email, TEST_PASSWORD);
      const phone = await signInLive(live.url, user.email, TEST_PASSWORD);
      const [tabSocket, otherTabSocket, phoneSocket] = await Promise.all([
        connectSocket(live.url, { cookie: tab.cookie }),
        connectSocket(live.url, { cookie: tab.cookie }),
        connectSocket(live.url, { cookie: phone.cookie }),
      ]);
      try {
        const signedOutCookie = tab.cookie;
        const ended = Promise.all([disconnection(tabSocket), disconnection(otherTabSocket)]);
        expect((await tab.post('/logout')).status).to.equal(303);
        expect(await ended).to.deep.equal(['io server disconnect', 'io server disconnect']);
        expect(phoneSocket.connected).to.equal(true);
        expect(membersOf(rooms.user(user.id))).to.deep.equal([phoneSocket.id]);
        // The signed-out cookie cannot open a new one.
        expect(await refusalOf(live.url, { cookie: signedOutCookie })).to.equal('signed_out');
      } finally {
        for (const s of [tabSocket, otherTabSocket, phoneSocket]) s.close();
      }
    });

    it('disconnects every socket of a person an administrator deactivates', async () => {
      const { user, session } = await signedInLive();
      const socket = await connectSocket(live.url, { cookie: session.cookie });
      try {
        const ended = disconnection(socket);
        const res = await admin.session.post(`/admin/users/${user.id}/deactivate`, {}, '/admin/users');
        expect(res.status).to.equal(303);
        expect(await ended).to.equal('io server disconnect');
        expect(await refusalOf(live.url, { cookie: session.cookie })).to.equal('signed_out');
      } finally {
        socket.close();
      }
    });

    it('keeps the socket of the session that changes the password and ends the others', async () => {
      const user = await createUser();
      const here = await signInLive(live.url, user.email, TEST_PASSWORD);
      const elsewhere = await signInLive(live.url, user.email, TEST_PASSWORD);
      const [hereSocket, elsewhereSocket] = await Promise.all([
        connectSocket(live.url, { cookie: here.cookie }),
        connectSocket(live.url, { cookie: elsewhere.cookie }),
      ]);
      try {
        const ended = disconnection(elsewhereSocket);
        const res = await here.post('/settings/password', {
          currentPassword: TEST_PASSWORD,
          newPassword: 'a brand new passphrase for me',
          confirmPassword: 'a brand new passphrase for me',
        });
        expect(res.status).to.equal(303);
        expect(res.headers.get('location')).to.equal('/settings/account');
        expect(await ended).to.equal('io server disconnect');
        expect(hereSocket.connected).to.equal(true);
      } finally {
        hereSocket.close();
        elsewhereSocket.close();
      }
    });

    it('disconnects every socket when the password is set through a reset link', async () => {
      const { user, session } = await signedInLive();
      const socket = await connectSocket(live.url, { cookie: session.cookie });
      try {
        const link = await t.services.auth.createResetLink({ _id: new Types.ObjectId(user.id) }, null);
        const token = new URL(link.url).pathname.split('/').pop()!;
        const visitor = await fetch(`${live.url}/password/reset/${token}`);
        const csrf = /name="_csrf" value="([^"]+)"/.exec(await visitor.text())?.[1] ?? '';
        const cookie = visitor.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; ');
        const ended = disconnection(socket);
        const res = await fetch(`${live.url}/password/reset/${token}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
          body: new URLSearchParams({
            _csrf: csrf,
            password: 'another long passphrase here',
            confirm: 'another long passphrase here',
          }).toString(),
        });
        expect(res.status, await res.text()).to.equal(303);
        expect(await ended).to.equal('io server disconnect');
      } finally {
        socket.close();
      }
    });
  });
});
