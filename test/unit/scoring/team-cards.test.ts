import { expect } from 'chai';
import type { ScoreCardDoc } from '../../../server/scoring/scores.repo.ts';
import { TeamCards } from '../../../server/scoring/team-cards.ts';

describe('team cards kept for the dashboard', () => {
  function store() {
    const cards = new Map<string, ScoreCardDoc>();
    const reads: string[][] = [];
    const read = async (users: readonly string[]) => {
      reads.push([...users]);
      await new Promise((r) => setTimeout(r, 5));
      return new Map(users.filter((u) => cards.has(u)).map((u) => [u, structuredClone(cards.get(u)!)]));
    };
    return { cards, reads, read };
  }
  const card = (points: number): ScoreCardDoc => ({
    t: {
      competence: { g: { all: points }, tpa: { all: points, '2026-W49': points } },
      participation: { g: { all: 1, '2026-W49': 1 } },
    },
    accepted: { a: 1 },
    levels: { a: 'contributor' },
  });

  it('reads each member once, then only those whose card changed or who joined', async () => {
    const { cards, reads, read } = store();
    cards.set('u1', card(10));
    cards.set('u2', card(20));
    const kept = new TeamCards(read);
    const first = await kept.of('team', ['u1', 'u2', 'u3']);
    expect(first.get('u1')!.t.competence).to.deep.equal({ g: { all: 10 }, tpa: { all: 10 } });
    expect(first.get('u1')!.t.participation.g).to.deep.equal({ all: 1, '2026-W49': 1 });
    expect(first.get('u1')!.accepted).to.deep.equal({ a: 1 });
    expect(first.get('u3')!.t.competence, 'no card: empty').to.deep.equal({});
    await kept.of('team', ['u1', 'u2', 'u3']);
    expect(reads).to.deep.equal([['u1', 'u2', 'u3']]);
    cards.set('u2', card(25));
    kept.changed('u2');
    const after = await kept.of('team', ['u1', 'u2', 'u3', 'u4']);
    expect(reads[1]).to.deep.equal(['u2', 'u4']);
    expect(after.get('u2')!.t.competence.tpa!.all).to.equal(25);
    kept.clear();
    await kept.of('team', ['u1']);
    expect(reads[2]).to.deep.equal(['u1']);
  });

  it('shares one read between requests that arrive together, and reads again past its age', async () => {
    const { cards, reads, read } = store();
    cards.set('u1', card(1));
    let now = 0;
    const kept = new TeamCards(read, { now: () => now, maxAgeMs: 1000 });
    await Promise.all([kept.of('t', ['u1']), kept.of('t', ['u1']), kept.of('t', ['u1'])]);
    expect(reads).to.have.length(1);
    now = 2000;
    await kept.of('t', ['u1']);
    expect(reads).to.have.length(2);
  });

  it('reads again a card that changed while it was being read', async () => {
    const { cards, reads, read } = store();
    cards.set('u1', card(1));
    const kept = new TeamCards(read);
    const pending = kept.of('t', ['u1']);
    kept.changed('u1');
    await pending;
    await kept.of('t', ['u1']);
    expect(reads).to.have.length(2);
  });
});
