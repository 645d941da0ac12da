import { expect } from 'chai';
import { Types } from 'mongoose';
import { Vote, voteId } from '../../../models/vote.ts';
import type { VoteSubject } from '../../../server/votes/votes.repo.ts';
import { useTestApp } from '../../helpers/app.ts';

describe('votes repository (contract, both adapters)', () => {
  const t = useTestApp();
  const at = new Date('2026-03-01T10:00:00Z');

  function subject(): VoteSubject {
    const voter = String(new Types.ObjectId());
    const targetId = new Types.ObjectId();
    return {
      id: voteId(voter, 'post', String(targetId)),
      voter,
      targetType: 'post',
      targetId,
      post: targetId,
      author: String(new Types.ObjectId()),
    };
  }

  it('stores, changes and removes a vote, returning the value it had before', async () => {
    const { votes } = t.runtime.repos;
    const s = subject();
    expect(await votes.set(s, 1, at)).to.deep.equal({ previous: 0, changed: true });
    expect(await votes.valueOf(s.id)).to.equal(1);
    const stored = await Vote.findById(s.id).lean();
    expect([stored?.voter.toString(), stored?.targetType, stored?.value]).to.deep.equal([s.voter, 'post', 1]);
    expect(stored?.createdAt?.toISOString()).to.equal(at.toISOString());
    expect(await votes.set(s, -1, at)).to.deep.equal({ previous: 1, changed: true });
    expect(await votes.valueOf(s.id)).to.equal(-1);
    expect(await votes.set(s, 0, at)).to.deep.equal({ previous: -1, changed: true });
    expect(await votes.valueOf(s.id)).to.equal(0);
    expect(await Vote.findById(s.id).lean()).to.equal(null);
  });

  it('changes nothing when the vote is already so', async () => {
    const { votes } = t.runtime.repos;
    const s = subject();
    expect(await votes.set(s, 0, at), 'retracting no vote').to.deep.equal({ previous: 0, changed: false });
    expect(await Vote.findById(s.id).lean()).to.equal(null);
    await votes.set(s, 1, at);
    const later = new Date(at.getTime() + 60_000);
    expect(await votes.set(s, 1, later)).to.deep.equal({ previous: 1, changed: false });
    expect((await Vote.findById(s.id).lean())?.updatedAt?.toISOString()).to.equal(at.toISOString());
  });

  it('applies concurrent votes one after the other: one change for identical ones, exact differences', async () => {
    const { votes } = t.runtime.repos;
    const s = subject();
    const same = await Promise.all(Array.from({ length: 20 }, () => votes.set(s, 1, at)));
    expect(same.filter((c) => c.changed)).to.have.length(1);
    expect(await Vote.countDocuments({ _id: s.id })).to.equal(1);

    // Up, down and retract at once: the changes chain, so summing their differences gives the final value.
    const mixed = await Promise.all(
      [1, -1, 0, -1, 1, 0, 1, -1].map((v) => votes.set(s, v as 1 | -1 | 0, at)),
    );
    const values = [1, -1, 0, -1, 1, 0, 1, -1];
    const moved = mixed.reduce((sum, c, i) => sum + (c.changed ? values[i]! - c.previous : 0), 1);
    expect(moved).to.equal(await votes.valueOf(s.id));
  });

  it('reads several votes at once, only those that exist, and never keeps a value a write changed', async () => {
    const { votes } = t.runtime.repos;
    const [up, down, none] = [subject(), subject(), subject()];
    await votes.set(up, 1, at);
    await votes.set(down, -1, at);
    const read = await votes.valuesOf([up.id, down.id, none.id, up.id]);
    expect([...read].sort()).to.deep.equal(
      [
        [up.id, 1],
        [down.id, -1],
      ].sort(),
    );
    expect((await votes.valuesOf([])).size).to.equal(0);

    // Reads racing with changes: once the changes are done, every read gives the stored value.
    const s = subject();
    const sequence = [1, -1, 0, 1, 0, -1] as const;
    await Promise.all(
      sequence.flatMap((v) => [votes.set(s, v, at), votes.valuesOf([s.id]), votes.valueOf(s.id)]),
    );
    // Concurrent changes land in some order: whichever value is stored, reads give it.
    const stored = (await Vote.findById(s.id).lean())?.value ?? 0;
    expect(await votes.valueOf(s.id)).to.equal(stored);
    expect((await votes.valuesOf([s.id])).get(s.id)).to.equal(stored);
    await votes.set(s, 0, at);
    expect((await votes.valuesOf([s.id])).has(s.id), 'a retracted vote').to.equal(false);
    expect(await votes.valueOf(s.id)).to.equal(0);
  });
});
