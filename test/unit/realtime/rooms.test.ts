import { expect } from 'chai';
import { parseRoom, roomName, rooms } from '../../../server/realtime/rooms.ts';
import { readCookie } from '../../../server/realtime/socket-session.ts';

describe('room names', () => {
  it('are spelled by one function', () => {
    expect(rooms.user('65a1b2c3d4e5f60718293a4b')).to.equal('user:65a1b2c3d4e5f60718293a4b');
    expect(rooms.team('t1')).to.equal('team:t1');
    expect(rooms.topic('x')).to.equal('topic:x');
    expect(rooms.post('p-9')).to.equal('post:p-9');
    expect(roomName('caseFile', 'a_b')).to.equal('caseFile:a_b');
  });

  it('refuse kinds and ids that are not plain', () => {
    for (const [kind, id] of [
      ['Post', '1'],
      ['post', ''],
      ['post', 'a:b'],
      ['po st', '1'],
      ['post', 'x'.repeat(65)],
    ] as const) {
      expect(() => roomName(kind, id), `${kind}:${id}`).to.throw();
    }
  });

  it('parses what clients send, or says it is not a room', () => {
    expect(parseRoom('post:abc')).to.deep.equal({ kind: 'post', id: 'abc' });
    for (const bad of [
      'post',
      ':abc',
      'post:',
      'post:a:b',
      'post:$ne',
      42,
      null,
      { kind: 'post' },
      'x'.repeat(101),
    ]) {
      expect(parseRoom(bad), String(bad)).to.equal(null);
    }
  });
});

describe('session cookie reading', () => {
  it('finds one cookie in a header and decodes it', () => {
    expect(readCookie('a=1; pp.sid=s%3Aabc.sig; b=2', 'pp.sid')).to.equal('s:abc.sig');
    expect(readCookie('pp.sidx=1; xpp.sid=2', 'pp.sid')).to.equal(undefined);
    expect(readCookie(undefined, 'pp.sid')).to.equal(undefined);
    expect(readCookie('pp.sid=%E0%A4%A', 'pp.sid')).to.equal(undefined);
  });
});
