import type { KbState } from '../../models/kb-article.ts';

/** Facts of the knowledge base (scores and notifications subscribe). */
declare module '../core/events.ts' {
  interface DomainEvents {
    'kb.promoted': {
      articleId: string;
      number: number;
      sourceType: 'post' | 'answer';
      sourceId: string;
      postId: string;
      creditedUserIds: string[];
      actorId: string;
      topicIds: string[];
      at: Date;
    };
    'kb.created': { articleId: string; number: number; actorId: string; at: Date };
    'kb.updated': {
      articleId: string;
      number: number;
      version: number;
      editorId: string;
      restoredFrom: number | null;
      at: Date;
    };
    'kb.stateChanged': {
      articleId: string;
      number: number;
      title: string;
      from: KbState;
      to: KbState;
      actorId: string;
      ownerId: string | null;
      createdById: string;
      contributorIds: string[];
      topicIds: string[];
      at: Date;
    };
    'kb.feedback': {
      articleId: string;
      number: number;
      userId: string;
      helpful: boolean;
      previous: boolean | null;
      withComment: boolean;
      hadComment: boolean;
      contributorIds: string[];
      topicIds: string[];
      at: Date;
    };
    'kb.flagged': {
      articleId: string;
      number: number;
      title: string;
      flagId: string;
      ownerId: string | null;
      byId: string;
      kind: string;
      at: Date;
    };
    'kb.flagResolved': {
      articleId: string;
      number: number;
      flagId: string;
      byId: string;
      outcome: 'fixed' | 'declined';
      actorId: string;
      at: Date;
    };
    /** A published article passed its review date (announced once per review date). */
    'kb.overdue': {
      articleId: string;
      number: number;
      title: string;
      reviewBy: Date;
      ownerId: string | null;
      at: Date;
    };
    'kb.cited': {
      articleId: string;
      number: number;
      sourceType: 'post' | 'answer';
      sourceId: string;
      postId: string;
      citingAuthorId: string;
      contributorIds: string[];
      topicIds: string[];
      at: Date;
    };
    'kb.uncited': {
      articleId: string;
      number: number;
      sourceType: 'post' | 'answer';
      sourceId: string;
      postId: string;
      citingAuthorId: string;
      contributorIds: string[];
      topicIds: string[];
      at: Date;
    };
  }
}
