import type { Level } from './scoring.rules.ts';

/** Facts of scoring: awards (notifications deliver them) and score changes (live own score). */
declare module '../core/events.ts' {
  interface DomainEvents {
    'score.levelReached': { userId: string; topicId: string; level: Level; at: Date };
    'score.badgeEarned': { userId: string; badge: string; at: Date };
    'score.serialVotingReversed': { voterId: string; authorId: string; votes: number; at: Date };
  }
}
