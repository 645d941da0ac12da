/** Facts of voting. `previous` is the voter's earlier value on the item (0: none). */
declare module '../core/events.ts' {
  interface DomainEvents {
    'vote.cast': {
      voteId: string;
      voterId: string;
      targetType: 'post' | 'answer';
      targetId: string;
      postId: string;
      postKind: 'insight' | 'tip' | 'question';
      authorId: string;
      value: 1 | -1;
      previous: 0 | 1 | -1;
      voteScore: number;
      topicIds: string[];
      at: Date;
    };
    'vote.retracted': {
      voteId: string;
      voterId: string;
      targetType: 'post' | 'answer';
      targetId: string;
      postId: string;
      postKind: 'insight' | 'tip' | 'question';
      authorId: string;
      previous: 1 | -1;
      voteScore: number;
      topicIds: string[];
      at: Date;
    };
  }
}

export {};
