import { expect } from 'chai';
import { ScoreCard } from '../../../models/score.ts';
import { useTestApp } from '../../helpers/app.ts';
import { createPost, createTopics, FAST_POSTING, sessionUserOf } from '../../helpers/content.ts';
import { createUser } from '../../helpers/users.ts';

describe('checking score totals against the ledger (npm run counters:check)', () => {
  const t = useTestApp({ env: FAST_POSTING });

  it('finds no drift after real activity, names a card that disagrees with its lines, and a rebuild repairs it', async () => {
    const topics = await createTopics();
    const author = await createUser();
    const voter = await createUser();
    const tip = await createPost(t, author, 'tip', [topics.billing]);
    await t.services.votes.vote(await sessionUserOf(voter), 'post', tip, 1);

    const clean = await t.services.scoring.checkTotals();
    expect(clean.drifted).to.deep.equal([]);
    expect(clean.people).to.be.at.least(2);
    expect(clean.lines).to.be.at.least(2);

    const before = await ScoreCard.findById(author.id).lean();
    const competence =
      (before as { t?: { competence?: { g?: { all?: number } } } })?.t?.competence?.g?.all ?? 0;
    expect(competence, 'the author earned competence from the vote').to.be.above(0);
    // A consequence lost halfway: the card's total no longer follows from the lines.
    await ScoreCard.collection.updateOne({ _id: author.id as never }, { $inc: { 't.competence.g.all': 7 } });
    const drift = await t.services.scoring.checkTotals();
    expect(drift.drifted).to.deep.equal([
      { user: author.id, dimension: 'competence', stored: competence + 7, actual: competence },
    ]);

    const report = await t.services.scoring.rebuild();
    expect(report.changed).to.equal(1);
    expect((await t.services.scoring.checkTotals()).drifted).to.deep.equal([]);
  });
});
