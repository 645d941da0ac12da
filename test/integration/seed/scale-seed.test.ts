import { expect } from 'chai';
import mongoose from 'mongoose';
import { Answer } from '../../../models/answer.ts';
import { Post } from '../../../models/post.ts';
import { ScoreBoard, ScoreEvent } from '../../../models/score.ts';
import { Topic } from '../../../models/topic.ts';
import { User } from '../../../models/user.ts';
import { ScaleSeedRefused, seedScale } from '../../../scripts/seed/scale.ts';
import {
  answerDocuments,
  commentDocuments,
  confirmationDocument,
  postDocuments,
  textFields,
  voteDocument,
} from '../../../scripts/seed/scale-documents.ts';
import { toSessionUser } from '../../../server/auth/session-user.ts';
import { historyServices } from '../../../server/runtime.ts';
import { SearchService } from '../../../server/search/search.service.ts';
import { registerSearchSources } from '../../../server/search/search.wiring.ts';
import { DEMO_PASSWORD } from '../../../server/seed/demo-data.ts';
import { SEED_STEPS } from '../../../server/seed/seed.ts';
import { useTestApp } from '../../helpers/app.ts';
import { testLogger } from '../../helpers/engine.ts';
import { signIn } from '../../helpers/users.ts';

/** The demo's teams, topics and people, without its content (the scale seed's tests stay quick). */
const DEMO_WITHOUT_CONTENT = SEED_STEPS.slice(0, 3);

const raw = (collection: string, id: unknown) =>
  mongoose.connection.db!.collection(collection).findOne({ _id: id as never });

describe('scale seed: documents', () => {
  const t = useTestApp();

  it('builds the documents the services store, field by field', async () => {
    const at = new Date('2026-03-02T09:30:00Z');
    let time = at;
    const services = historyServices(t.runtime, () => time);
    const topic = await Topic.create({
      slug: 'fatture',
      kind: 'process',
      names: { it: 'Fatture', en: 'Bills' },
    });
    const [author, colleague] = await User.create([
      { email: 'a.author@example.com', displayName: 'Anna Author', nameKey: 'anna author' },
      { email: 'c.colleague@example.com', displayName: 'Carlo Colleague', nameKey: 'carlo colleague' },
    ]);
    const asAuthor = toSessionUser(author!);
    const asColleague = toSessionUser(colleague!);
    const insight = {
      kind: 'insight' as const,
      title: 'Doppio addebito dopo il cambio di IBAN',
      topics: [String(topic._id)],
      tags: ['iban', 'rimborso'],
      situation: 'Il cliente vede **due addebiti**.',
      action: '1. Verificare il mandato.\n2. Aprire la pratica.',
      outcome: 'Rimborso in 9 giorni.',
      channel: 'phone' as const,
    };
    const question = {
      kind: 'question' as const,
      title: 'Come si annulla una voltura?',
      topics: [String(topic._id)],
      tags: [],
      body: 'Il cliente ha cambiato idea.',
    };
    const insightId = await services.posts.create(asAuthor, insight, []);
    const questionId = await services.posts.create(asAuthor, question, []);
    time = new Date(at.getTime() + 60_000);
    const answerId = await services.answers.create(
      questionId,
      asColleague,
      'Dal back office, *entro 10 giorni*.',
    );
    const { commentId } = await services.answers.comment('answer', answerId, asAuthor, 'Grazie!');
    await services.votes.vote(asAuthor, 'answer', answerId, -1);
    await services.votes.vote(asColleague, 'post', insightId, 1);
    await services.posts.confirm(insightId, asColleague);

    const renderer = t.services.renderer;
    const counters = {
      voteScore: 0,
      upvotes: 0,
      downvotes: 0,
      confirmations: 0,
      answerCount: 0,
      commentCount: 0,
      acceptedAnswer: null,
      lastActivityAt: at,
      updatedAt: at,
    };
    const stored = async (collection: string, id: unknown) => {
      const doc = await raw(collection, id);
      // Updates stamp the wall clock (mongoose timestamps), not the history's clock: not compared.
      if (doc && 'updatedAt' in doc) delete doc.updatedAt;
      return doc;
    };
    const built = (doc: Record<string, unknown>) => {
      const copy = { ...doc };
      delete copy.updatedAt;
      return copy;
    };
    for (const [id, input, after] of [
      [insightId, insight, { ...counters, voteScore: 1, upvotes: 1, confirmations: 1, lastActivityAt: time }],
      [questionId, question, { ...counters, answerCount: 1, lastActivityAt: time }],
    ] as const) {
      const rendered = await renderer.render(textFields(input));
      const docs = postDocuments(id, asAuthor, input, rendered, at, after);
      expect(built(docs.post)).to.deep.equal(await stored('posts', docs.post._id));
      expect(docs.content).to.deep.equal(await stored('post_contents', docs.content._id));
      expect(docs.revision).to.deep.equal(await stored('revisions', docs.revision._id));
    }
    const answerBody = 'Dal back office, *entro 10 giorni*.';
    const answer = answerDocuments(
      answerId,
      questionId,
      asColleague.id,
      answerBody,
      await renderer.render({ body: answerBody }),
      time,
      {
        accepted: false,
        acceptedAt: null,
        acceptedBy: null,
        voteScore: -1,
        upvotes: 0,
        downvotes: 1,
        commentCount: 1,
        updatedAt: time,
      },
    );
    expect(built(answer.answer)).to.deep.equal(await stored('answers', answer.answer._id));
    expect(answer.revision).to.deep.equal(await stored('revisions', answer.revision._id));
    const comment = commentDocuments(
      commentId,
      { type: 'answer', id: answerId, postId: questionId },
      asAuthor.id,
      'Grazie!',
      await renderer.render({ body: 'Grazie!' }),
      time,
    );
    expect(comment.comment).to.deep.equal({ ...(await raw('comments', comment.comment._id)) });
    expect(comment.revision).to.deep.equal(await stored('revisions', comment.revision._id));
    const vote = voteDocument(
      asAuthor.id,
      { type: 'answer', id: answerId, postId: questionId, authorId: asColleague.id },
      -1,
      time,
    );
    expect(vote).to.deep.equal(await raw('votes', vote._id));
    const confirmation = confirmationDocument(insightId, asColleague.id, time);
    expect(confirmation).to.deep.equal(await raw('confirmations', confirmation._id));
  });
});

describe('scale seed', function () {
  this.timeout(120_000);
  const t = useTestApp();
  const targets = { posts: 300, people: 120, ledger: 3000, years: 1, seed: 11 };

  it('writes people, history, counters, ledger, leaderboards and search that agree with their sources', async () => {
    const lines: string[] = [];
    const report = await seedScale(t.runtime, { ...targets, demoSteps: DEMO_WITHOUT_CONTENT }, (line) =>
      lines.push(line),
    );
    expect(report.status).to.equal('written');
    expect(
      lines.some((l) => /history .* facts in .*\/s/.test(l)),
      'progress with a rate',
    ).to.equal(true);
    expect(lines.some((l) => /ETA/.test(l)) || lines.length > 5).to.equal(true);

    expect(await User.countDocuments({})).to.equal(targets.people);
    expect(await Post.countDocuments({})).to.equal(targets.posts);
    const answers = await Answer.countDocuments({});
    expect(answers).to.equal(report.answers);
    expect(report.comments + answers, 'about 3 answers and comments per post').to.be.within(
      2.5 * targets.posts,
      3.5 * targets.posts,
    );
    // The counters agree with the facts they count (npm run counters:check).
    const votes = await t.services.votes.reconcile(false);
    expect(votes.drifted).to.deep.equal([]);
    expect(votes.checked).to.be.greaterThan(50);
    const counters = await t.services.posts.reconcileCounters(false);
    expect(counters.drifted).to.deep.equal([]);
    // The ledger: about the lines asked for, every rule of the history, totals equal to a rebuild.
    const ledger = await ScoreEvent.countDocuments({});
    expect(ledger).to.equal(report.ledgerLines);
    expect(ledger).to.be.within(targets.ledger * 0.85, targets.ledger * 1.15);
    const rules = new Set((await ScoreEvent.find({}, { rule: 1 }).lean()).map((l) => l.rule));
    for (const rule of [
      'contentPosted',
      'questionAsked',
      'answerPosted',
      'commentPosted',
      'voteCast',
      'upvoteReceived',
      'answerAccepted',
      'confirmationReceived',
    ])
      expect(rules.has(rule), rule).to.equal(true);
    // Totals and leaderboards are what a rebuild from the ledger makes of it.
    const boardsOf = async () =>
      new Map(
        (await ScoreBoard.collection.find({}).toArray()).map((b) => [String(b._id), { p: b.p, tm: b.tm }]),
      );
    const boards = await boardsOf();
    expect(boards.size).to.be.greaterThan(100);
    expect((await t.services.scoring.rebuild()).changed).to.equal(0);
    expect(await boardsOf()).to.deep.equal(boards);
    // The search index holds exactly what its sources hold (npm run search:check).
    const search = new SearchService({ logger: testLogger });
    registerSearchSources(search);
    const check = await search.check();
    expect({ missing: check.missing, stale: check.stale, orphaned: check.orphaned }).to.deep.equal({
      missing: [],
      stale: [],
      orphaned: [],
    });
    expect(check.checked).to.equal(report.searchDocuments);

    // A generated operator signs in with the demo password and sees the history.
    const generated = (await User.find({ roles: 'operator' }).lean()).filter(
      (u) => u.team && u.createdAt < new Date(Date.now() - 86_400_000),
    );
    expect(generated.length, 'people who joined over the history').to.be.greaterThan(50);
    const operator = generated[0];
    const agent = t.agent();
    await signIn(agent, operator!.email, DEMO_PASSWORD);
    await agent.get('/').expect(200);
    await agent.get('/leaderboards?dimension=participation&period=all').expect(200);
    await agent.get(`/people/${operator!._id}/scores`).expect(200);
  });

  it('does nothing when run again at the same scale, and refuses another scale', async () => {
    const again = await seedScale(t.runtime, { ...targets, demoSteps: DEMO_WITHOUT_CONTENT }, () => {});
    expect(again.status).to.equal('alreadySeeded');
    expect(await Post.countDocuments({})).to.equal(targets.posts);
    let refused: unknown;
    try {
      await seedScale(t.runtime, { ...targets, posts: 400, demoSteps: DEMO_WITHOUT_CONTENT }, () => {});
    } catch (err) {
      refused = err;
    }
    expect(refused).to.be.instanceOf(ScaleSeedRefused);
    expect((refused as Error).message).to.match(/300 posts, 120 people.*another scale/s);
  });
});
