import { expect } from 'chai';
import { Types } from 'mongoose';
import { Answer } from '../../../models/answer.ts';
import { Comment } from '../../../models/comment.ts';
import { Post } from '../../../models/post.ts';
import { useTestApp } from '../../helpers/app.ts';

describe('threads repository writes (contract, both adapters)', () => {
  const t = useTestApp();
  const at = new Date('2026-03-01T10:00:00Z');
  const by = () => String(new Types.ObjectId());

  async function question(answers: number, kind: 'question' | 'tip' = 'question') {
    const post = await Post.create({ kind, title: 'Domanda', author: new Types.ObjectId() });
    const ids: string[] = [];
    for (let i = 0; i < answers; i++) {
      const a = await Answer.create({ post: post._id, author: new Types.ObjectId(), body: `Risposta ${i}` });
      ids.push(String(a._id));
    }
    await Post.updateOne({ _id: post._id }, { $set: { answerCount: answers } });
    await t.runtime.repos.ready();
    return { postId: String(post._id), answers: ids };
  }

  /** The question's mark and the answers' flags agree: one accepted answer at most, the one named. */
  async function acceptedOf(postId: string) {
    const post = await Post.findById(postId).lean();
    const flagged = (await Answer.find({ post: new Types.ObjectId(postId) }).lean())
      .filter((a) => a.accepted)
      .map((a) => String(a._id));
    const named = post?.acceptedAnswer ? String(post.acceptedAnswer) : null;
    expect(flagged, 'answers flagged accepted match the question').to.deep.equal(named ? [named] : []);
    return named;
  }

  it('lists the ids of a post’s answers', async () => {
    const { threads } = t.runtime.repos;
    const q = await question(3);
    expect((await threads.answerIdsOf(q.postId)).sort()).to.deep.equal([...q.answers].sort());
    expect(await threads.answerIdsOf(String(new Types.ObjectId()))).to.deep.equal([]);
    expect(await threads.answerIdsOf('nope')).to.deep.equal([]);
  });

  it('accepts an answer, moves the mark, and takes it off', async () => {
    const { threads } = t.runtime.repos;
    const q = await question(2);
    const [a, b] = q.answers as [string, string];
    const lead = by();
    expect(await threads.accept(a, lead, at)).to.deep.equal({ accepted: true, unaccepted: [] });
    expect(await acceptedOf(q.postId)).to.equal(a);
    const stored = await Answer.findById(a).lean();
    expect([String(stored?.acceptedBy), stored?.acceptedAt?.toISOString()]).to.deep.equal([
      lead,
      at.toISOString(),
    ]);

    const again = await threads.accept(a, lead, at);
    expect(again, 'accepting it again changes nothing').to.deep.equal({ accepted: false, unaccepted: [] });

    const moved = await threads.accept(b, lead, at);
    expect(moved.accepted).to.equal(true);
    expect(moved.unaccepted.map((x) => String(x._id))).to.deep.equal([a]);
    expect(await acceptedOf(q.postId)).to.equal(b);

    expect(String((await threads.unaccept(b))?._id)).to.equal(b);
    expect(await acceptedOf(q.postId)).to.equal(null);
    expect(await threads.unaccept(b), 'not accepted any more').to.equal(null);
    expect(await threads.unaccept('nope')).to.equal(null);
  });

  it('refuses to accept a deleted answer, an answer of a deleted question, or a missing one', async () => {
    const { threads } = t.runtime.repos;
    const none = { accepted: false, unaccepted: [] };
    const q = await question(2);
    await threads.deleteAnswer(q.answers[0]!, { at, by: by(), reason: '' });
    expect(await threads.accept(q.answers[0]!, by(), at)).to.deep.equal(none);
    await Post.updateOne(
      { _id: q.postId },
      { $set: { deleted: { at, by: new Types.ObjectId(), reason: '' } } },
    );
    expect(await threads.accept(q.answers[1]!, by(), at)).to.deep.equal(none);
    expect(await acceptedOf(q.postId)).to.equal(null);
    expect(await threads.accept(String(new Types.ObjectId()), by(), at)).to.deep.equal(none);
    const tip = await question(1, 'tip');
    expect(await threads.accept(tip.answers[0]!, by(), at)).to.deep.equal(none);
  });

  it('leaves one accepted answer when several are accepted at once, and balances the changes', async () => {
    const { threads } = t.runtime.repos;
    const q = await question(4);
    const same = await Promise.all(Array.from({ length: 6 }, () => threads.accept(q.answers[0]!, by(), at)));
    expect(
      same.filter((o) => o.accepted),
      'the same answer accepted at once: once',
    ).to.have.length(1);
    expect(await acceptedOf(q.postId)).to.equal(q.answers[0]);

    const outcomes = await Promise.all(q.answers.map((id) => threads.accept(id, by(), at)));
    const winner = await acceptedOf(q.postId);
    expect(winner).to.be.a('string');
    // Every mark given is taken back except the winner's: the events the service publishes add up.
    const given = outcomes.filter((o) => o.accepted).length + 1;
    const taken = outcomes.flatMap((o) => o.unaccepted).length;
    expect(given - taken).to.equal(1);
  });

  it('deletes an answer once: off the count and the accepted mark', async () => {
    const { threads } = t.runtime.repos;
    const q = await question(2);
    await threads.accept(q.answers[0]!, by(), at);
    const deletion = { at, by: by(), reason: 'fuori tema' };
    const was = await threads.deleteAnswer(q.answers[0]!, deletion);
    expect([String(was?._id), was?.accepted]).to.deep.equal([q.answers[0], true]);
    const post = await Post.findById(q.postId).lean();
    expect([post?.answerCount, post?.acceptedAnswer ?? null]).to.deep.equal([1, null]);
    const stored = await Answer.findById(q.answers[0]).lean();
    expect([stored?.accepted, stored?.deleted?.reason]).to.deep.equal([false, 'fuori tema']);

    expect(await threads.deleteAnswer(q.answers[0]!, deletion), 'deleted already').to.equal(null);
    expect((await Post.findById(q.postId).lean())?.answerCount).to.equal(1);
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => threads.deleteAnswer(q.answers[1]!, deletion)),
    );
    expect(concurrent.filter(Boolean)).to.have.length(1);
    expect((await Post.findById(q.postId).lean())?.answerCount).to.equal(0);
    expect(await threads.deleteAnswer('nope', deletion)).to.equal(null);
  });

  it('saves an answer’s or a comment’s revision only from its current one, never once deleted', async () => {
    const { threads } = t.runtime.repos;
    const q = await question(1);
    const answerId = q.answers[0]!;
    expect(await threads.reviseAnswer(answerId, 1, { body: 'Nuova', editedAt: at })).to.equal(true);
    expect((await Answer.findById(answerId).lean())?.revision).to.equal(2);
    expect(await threads.reviseAnswer(answerId, 1, { body: 'Stantia' })).to.equal(false);
    expect((await Answer.findById(answerId).lean())?.body).to.equal('Nuova');

    const comment = await Comment.create({
      targetType: 'answer',
      targetId: new Types.ObjectId(answerId),
      post: new Types.ObjectId(q.postId),
      author: new Types.ObjectId(),
      body: 'Commento',
    });
    const commentId = String(comment._id);
    const concurrent = await Promise.all(
      ['A', 'B', 'C'].map((body) => threads.reviseComment(commentId, 1, { body })),
    );
    expect(concurrent.filter(Boolean)).to.have.length(1);
    expect((await Comment.findById(commentId).lean())?.revision).to.equal(2);

    await threads.deleteAnswer(answerId, { at, by: by(), reason: '' });
    expect(await threads.reviseAnswer(answerId, 2, { body: 'Dopo' }), 'deleted').to.equal(false);
    await threads.deleteComment(commentId, { at, by: by(), reason: '' });
    expect(await threads.reviseComment(commentId, 2, { body: 'Dopo' }), 'deleted').to.equal(false);
    expect(await threads.reviseComment('nope', 1, { body: 'x' })).to.equal(false);
  });

  it('deletes a comment once', async () => {
    const { threads } = t.runtime.repos;
    const comment = await Comment.create({
      targetType: 'post',
      targetId: new Types.ObjectId(),
      author: new Types.ObjectId(),
      body: 'Da togliere',
    });
    const id = String(comment._id);
    const deletion = { at, by: by(), reason: 'spam' };
    const results = await Promise.all(Array.from({ length: 5 }, () => threads.deleteComment(id, deletion)));
    expect(results.filter(Boolean).map((c) => String(c!._id))).to.deep.equal([id]);
    expect((await Comment.findById(id).lean())?.deleted?.reason).to.equal('spam');
    expect(await threads.deleteComment(id, deletion)).to.equal(null);
    expect(await threads.deleteComment(String(new Types.ObjectId()), deletion)).to.equal(null);
  });
});
