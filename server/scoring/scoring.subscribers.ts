import { RecentVote } from '../../models/score.ts';
import '../auth/auth.events.ts';
import type { EventBus } from '../core/events.ts';
import '../kb/kb.events.ts';
import '../posts/posts.events.ts';
import '../votes/votes.events.ts';
import type { Grant, ScoreLedger } from './scoring.ledger.ts';

/**
 * The rules table of DESIGN.md "Scores", wired: each domain fact becomes the
 * ledger lines it earns, and each undo reverses exactly what its source
 * earned. Sources and their keys:
 *
 *   post:<id>            insight / tip / question posted (children: its votes, confirmations)
 *   answer:<id>          answer posted (children: its votes, its acceptance)
 *   comment:<id>         comment posted
 *   vote:<vote id>       vote cast and received (child of the voted post or answer)
 *   confirm:<post>:<user>  "seen this too" given and received
 *   accept:<answer>      answer accepted (author) and accepting (asker)
 *   promote:<article>:<source>  KB promotion, to each credited author
 *   cite:<article>:<source>     a KB article cited in a post or answer
 *   helpful:<article>:<user>    an article marked helpful
 *   feedback:<article>:<user>   KB feedback with a comment
 */
export interface ScoringSubscriberOptions {
  /**
   * Where the serial-voting check's memory of a vote goes (`score_recent_votes`
   * by default). A bulk replay of history keeps only the votes the next check
   * would still read: it deletes the older ones first.
   */
  rememberVote?: (id: string, vote: { voter: string; author: string; at: Date }) => Promise<void>;
}

const rememberInDatabase: NonNullable<ScoringSubscriberOptions['rememberVote']> = async (id, vote) => {
  await RecentVote.collection.replaceOne({ _id: id as never }, vote, { upsert: true });
};

export function subscribeScoring(
  events: EventBus,
  ledger: ScoreLedger,
  options: ScoringSubscriberOptions = {},
): void {
  const rememberVote = options.rememberVote ?? rememberInDatabase;
  const grant = (
    user: string,
    rule: Grant['rule'],
    topics: readonly string[],
    actor: string | null = null,
  ): Grant => ({
    user,
    rule,
    topics,
    actor,
  });

  events.on('post.created', async (e) => {
    const rule = e.kind === 'question' ? 'questionAsked' : 'contentPosted';
    await ledger.record(
      { type: 'post', id: e.postId, post: e.postId },
      [grant(e.authorId, rule, e.topicIds)],
      e.at,
    );
  });
  events.on('post.deleted', async (e) => {
    await ledger.reverseSource(`post:${e.postId}`, 'deleted', e.at, e.actorId, {
      children: true,
      onlyUser: e.authorId,
    });
  });

  events.on('answer.created', async (e) => {
    await ledger.record(
      { type: 'answer', id: e.answerId, post: e.postId, parent: `post:${e.postId}` },
      [grant(e.authorId, 'answerPosted', e.topicIds)],
      e.at,
    );
  });
  events.on('answer.deleted', async (e) => {
    await ledger.reverseSource(`answer:${e.answerId}`, 'deleted', e.at, e.actorId, {
      children: true,
      onlyUser: e.authorId,
    });
  });
  events.on('answer.accepted', async (e) => {
    await ledger.record(
      { type: 'accept', id: e.answerId, post: e.postId, parent: `answer:${e.answerId}` },
      [
        grant(e.answerAuthorId, 'answerAccepted', e.topicIds, e.acceptedById),
        grant(e.acceptedById, 'answerAccepter', e.topicIds, e.answerAuthorId),
      ],
      e.at,
    );
  });
  events.on('answer.unaccepted', async (e) => {
    await ledger.reverseSource(`accept:${e.answerId}`, 'unaccepted', e.at, e.actorId);
  });

  events.on('comment.created', async (e) => {
    await ledger.record(
      { type: 'comment', id: e.commentId, post: e.postId },
      [grant(e.authorId, 'commentPosted', e.topicIds)],
      e.at,
    );
  });
  events.on('comment.deleted', async (e) => {
    await ledger.reverseSource(`comment:${e.commentId}`, 'deleted', e.at, e.actorId);
  });

  events.on('vote.cast', async (e) => {
    const key = `vote:${e.voteId}`;
    if (e.previous !== 0) await ledger.reverseSource(key, 'changed', e.at, e.voterId);
    const grants: Grant[] = [grant(e.voterId, 'voteCast', e.topicIds)];
    if (e.value === -1 && e.targetType === 'answer')
      grants.push(grant(e.voterId, 'downvoteAnswerCast', e.topicIds));
    // Competence comes from votes on insights, tips and answers (not on questions).
    const earns = e.targetType === 'answer' || e.postKind !== 'question';
    if (earns)
      grants.push(
        grant(e.authorId, e.value === 1 ? 'upvoteReceived' : 'downvoteReceived', e.topicIds, e.voterId),
      );
    await ledger.record(
      {
        type: 'vote',
        id: e.voteId,
        post: e.postId,
        parent: e.targetType === 'answer' ? `answer:${e.targetId}` : `post:${e.targetId}`,
      },
      grants,
      e.at,
    );
    if (earns && e.voterId !== e.authorId)
      await rememberVote(key, { voter: e.voterId, author: e.authorId, at: e.at });
  });
  events.on('vote.retracted', async (e) => {
    await ledger.reverseSource(`vote:${e.voteId}`, 'retracted', e.at, e.voterId);
    await RecentVote.collection.deleteOne({ _id: `vote:${e.voteId}` as never });
  });

  events.on('confirmation.added', async (e) => {
    await ledger.record(
      { type: 'confirm', id: `${e.postId}:${e.userId}`, post: e.postId, parent: `post:${e.postId}` },
      // A colleague with the same question says it matters, not that the asker knows: no competence.
      e.postKind === 'question'
        ? [grant(e.userId, 'confirmationGiven', e.topicIds)]
        : [
            grant(e.userId, 'confirmationGiven', e.topicIds),
            grant(e.authorId, 'confirmationReceived', e.topicIds, e.userId),
          ],
      e.at,
    );
  });
  events.on('confirmation.removed', async (e) => {
    await ledger.reverseSource(`confirm:${e.postId}:${e.userId}`, 'retracted', e.at, e.userId);
  });

  events.on('kb.promoted', async (e) => {
    await ledger.record(
      { type: 'promote', id: `${e.articleId}:${e.sourceId}`, post: e.postId },
      e.creditedUserIds.map((user) => grant(user, 'promoted', e.topicIds, e.actorId)),
      e.at,
    );
  });
  events.on('kb.cited', async (e) => {
    await ledger.record(
      { type: 'cite', id: `${e.articleId}:${e.sourceType}:${e.sourceId}`, post: e.postId },
      e.contributorIds.map((user) => grant(user, 'articleCited', e.topicIds, e.citingAuthorId)),
      e.at,
    );
  });
  events.on('kb.uncited', async (e) => {
    await ledger.reverseSource(
      `cite:${e.articleId}:${e.sourceType}:${e.sourceId}`,
      'uncited',
      e.at,
      e.citingAuthorId,
    );
  });
  events.on('kb.feedback', async (e) => {
    const helpfulKey = `helpful:${e.articleId}:${e.userId}`;
    if (e.helpful && e.previous !== true) {
      await ledger.record(
        { type: 'helpful', id: `${e.articleId}:${e.userId}` },
        e.contributorIds.map((user) => grant(user, 'articleHelpful', e.topicIds, e.userId)),
        e.at,
      );
    } else if (!e.helpful && e.previous === true) {
      await ledger.reverseSource(helpfulKey, 'feedbackChanged', e.at, e.userId);
    }
    if (e.withComment && !e.hadComment)
      await ledger.record(
        { type: 'feedback', id: `${e.articleId}:${e.userId}` },
        [grant(e.userId, 'feedbackComment', e.topicIds)],
        e.at,
      );
  });
}
