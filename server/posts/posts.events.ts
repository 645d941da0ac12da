import type { PostKind } from '../../models/post.ts';

/**
 * Facts of the knowledge-sharing feature. Scores, notifications, search and
 * real time subscribe to these; the services publish them after the change is
 * stored. `topicIds` are the post's topics (competence goes per topic).
 */
declare module '../core/events.ts' {
  interface DomainEvents {
    'post.created': {
      postId: string;
      kind: PostKind;
      authorId: string;
      teamId: string | null;
      topicIds: string[];
      title: string;
      at: Date;
    };
    'post.updated': {
      postId: string;
      kind: PostKind;
      authorId: string;
      editorId: string;
      topicIds: string[];
      revision: number;
      at: Date;
    };
    'post.deleted': {
      postId: string;
      kind: PostKind;
      authorId: string;
      actorId: string;
      topicIds: string[];
      reason: string;
      at: Date;
    };
    /** A question closed as a duplicate of another; `merged`: its answers moved there. */
    'post.closedAsDuplicate': {
      postId: string;
      originalId: string;
      authorId: string;
      actorId: string;
      title: string;
      originalTitle: string;
      merged: boolean;
      movedAnswerIds: string[];
      at: Date;
    };
    'post.reopened': {
      postId: string;
      actorId: string;
      at: Date;
    };
    'answer.created': {
      answerId: string;
      postId: string;
      authorId: string;
      postAuthorId: string;
      topicIds: string[];
      at: Date;
    };
    'answer.updated': {
      answerId: string;
      postId: string;
      authorId: string;
      editorId: string;
      revision: number;
      at: Date;
    };
    'answer.deleted': {
      answerId: string;
      postId: string;
      authorId: string;
      actorId: string;
      topicIds: string[];
      wasAccepted: boolean;
      reason: string;
      at: Date;
    };
    'answer.accepted': {
      answerId: string;
      postId: string;
      answerAuthorId: string;
      acceptedById: string;
      postAuthorId: string;
      topicIds: string[];
      at: Date;
    };
    'answer.unaccepted': {
      answerId: string;
      postId: string;
      answerAuthorId: string;
      actorId: string;
      topicIds: string[];
      at: Date;
    };
    'comment.created': {
      commentId: string;
      postId: string | null;
      targetType: 'post' | 'answer' | 'article';
      targetId: string;
      authorId: string;
      targetAuthorId: string;
      topicIds: string[];
      at: Date;
    };
    'comment.updated': {
      commentId: string;
      postId: string | null;
      authorId: string;
      editorId: string;
      at: Date;
    };
    'comment.deleted': {
      commentId: string;
      postId: string | null;
      targetType: 'post' | 'answer' | 'article';
      targetId: string;
      authorId: string;
      actorId: string;
      at: Date;
    };
    'confirmation.added': {
      postId: string;
      /** An insight ("I've seen this too") or a question ("I have this question too"). */
      postKind: 'insight' | 'question';
      userId: string;
      authorId: string;
      topicIds: string[];
      count: number;
      at: Date;
    };
    'confirmation.removed': {
      postId: string;
      postKind: 'insight' | 'question';
      userId: string;
      authorId: string;
      topicIds: string[];
      count: number;
      at: Date;
    };
    'content.mentioned': {
      userIds: string[];
      byId: string;
      postId: string | null;
      targetType: 'post' | 'answer' | 'comment';
      targetId: string;
      at: Date;
    };
    'content.flagged': {
      flagId: string;
      targetType: 'post' | 'answer' | 'comment';
      targetId: string;
      postId: string;
      byId: string;
      reason: string;
      at: Date;
    };
    'content.flagResolved': { flagId: string; outcome: string; actorId: string; at: Date };
    'follow.changed': { userId: string; kind: 'topic' | 'user'; targetId: string; following: boolean };
  }
}
