import { expect } from 'chai';
import { CounterThrottle } from '../../../server/realtime/throttle.ts';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('CounterThrottle', () => {
  it('sends the first update of a quiet room at once and coalesces the rest, last value winning', async () => {
    const sent: Array<[string, Record<string, number>]> = [];
    const throttle = new CounterThrottle(40, (room, values) => sent.push([room, values]));
    throttle.push('post:1', { votes: 1 });
    expect(sent).to.deep.equal([['post:1', { votes: 1 }]]);
    for (let votes = 2; votes <= 50; votes++) throttle.push('post:1', { votes });
    throttle.push('post:1', { answers: 2 });
    // Another room is not held back by the first.
    throttle.push('post:2', { votes: 7 });
    expect(sent).to.have.length(2);
    await tick(80);
    expect(sent).to.deep.equal([
      ['post:1', { votes: 1 }],
      ['post:2', { votes: 7 }],
      ['post:1', { votes: 50, answers: 2 }],
    ]);
  });

  it('closes the interval of a room that went quiet', async () => {
    const sent: number[] = [];
    const throttle = new CounterThrottle(20, (_room, values) => sent.push(values.n ?? 0));
    throttle.push('r', { n: 1 });
    await tick(70);
    expect(throttle.openRooms).to.equal(0);
    throttle.push('r', { n: 2 });
    expect(sent).to.deep.equal([1, 2]);
    throttle.flush();
  });

  it('sends what is pending when flushed (shutdown)', () => {
    const sent: number[] = [];
    const throttle = new CounterThrottle(10_000, (_room, values) => sent.push(values.n ?? 0));
    throttle.push('r', { n: 1 });
    throttle.push('r', { n: 2 });
    throttle.push('r', { n: 3 });
    throttle.flush();
    expect(sent).to.deep.equal([1, 3]);
    expect(throttle.openRooms).to.equal(0);
  });
});
