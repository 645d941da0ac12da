import { z } from 'zod';

/**
 * The scoring rules (DESIGN.md "Scores"): what each fact is worth, the caps
 * that stop gaming, decay, level thresholds and the serial-voting check. The
 * defaults below are the product's; admins edit them (Admin → Scoring), every
 * version is kept and audited, and a change applies to new events.
 */

export const DIMENSIONS = ['participation', 'competence'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Every rule, with the dimension it scores. */
export const RULES = {
  // Participation: activity, whatever its quality.
  contentPosted: 'participation', // insight or tip posted
  questionAsked: 'participation',
  answerPosted: 'participation',
  commentPosted: 'participation',
  voteCast: 'participation',
  downvoteAnswerCast: 'participation', // the voter, for downvoting an answer
  confirmationGiven: 'participation',
  feedbackComment: 'participation', // KB feedback with a comment
  answerAccepter: 'participation', // accepting an answer to one's question
  // Competence: peer-validated knowledge, to the author, per topic.
  upvoteReceived: 'competence',
  downvoteReceived: 'competence',
  answerAccepted: 'competence',
  confirmationReceived: 'competence',
  promoted: 'competence',
  articleCited: 'competence',
  articleHelpful: 'competence',
} as const satisfies Record<string, Dimension>;

export type RuleId = keyof typeof RULES;
export const RULE_IDS = Object.keys(RULES) as RuleId[];

/** Rules whose competence comes from votes (the 200-a-day cap and the pair cap). */
export const VOTE_COMPETENCE_RULES: readonly RuleId[] = ['upvoteReceived', 'downvoteReceived'];

export const LEVELS = ['candidate', 'contributor', 'publisher', 'coach'] as const;
export type Level = (typeof LEVELS)[number];

export interface ScoringRules {
  points: Record<RuleId, number>;
  caps: {
    /** Votes a person is credited for casting per day (participation). */
    votesCastPerDay: number;
    /** Competence a person may earn from votes received per day. */
    voteCompetencePerDay: number;
    /** Counted votes per voter → author pair per day (more are stored, worth 0). */
    votesPerPairPerDay: number;
  };
  /** Half-life of "current" competence, in days. */
  halfLifeDays: number;
  levels: {
    contributor: { points: number; acceptedOrPromoted: number };
    publisher: { points: number; promoted: number };
    coach: { points: number };
  };
  serialVoting: { votes: number; windowMinutes: number };
}

export const DEFAULT_RULES: ScoringRules = {
  points: {
    contentPosted: 5,
    questionAsked: 2,
    answerPosted: 5,
    commentPosted: 1,
    voteCast: 1,
    downvoteAnswerCast: -1,
    confirmationGiven: 1,
    feedbackComment: 2,
    answerAccepter: 2,
    upvoteReceived: 10,
    downvoteReceived: -2,
    answerAccepted: 15,
    confirmationReceived: 3,
    promoted: 25,
    articleCited: 2,
    articleHelpful: 2,
  },
  caps: { votesCastPerDay: 30, voteCompetencePerDay: 200, votesPerPairPerDay: 5 },
  halfLifeDays: 180,
  levels: {
    contributor: { points: 100, acceptedOrPromoted: 1 },
    publisher: { points: 500, promoted: 3 },
    coach: { points: 1500 },
  },
  serialVoting: { votes: 10, windowMinutes: 60 },
};

/** A whole number from a form field (an empty field is not 0). */
export const wholeNumber = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? Number.NaN : Number(v)) : v),
    z
      .number({ error: (issue) => (issue.code === 'invalid_type' ? 'validation.number' : undefined) })
      .int('validation.integer')
      .min(min, 'validation.atLeast')
      .max(max, 'validation.atMost'),
  );
const points = wholeNumber(-1000, 1000);
const count = (max: number) => wholeNumber(0, max);
const positive = (max: number) => wholeNumber(1, max);

/** The rules as an admin edits them (form fields are strings; all are required). */
export const rulesSchema = z
  .object({
    points: z.object(Object.fromEntries(RULE_IDS.map((id) => [id, points])) as Record<RuleId, typeof points>),
    caps: z.object({
      votesCastPerDay: count(10_000),
      voteCompetencePerDay: count(1_000_000),
      votesPerPairPerDay: count(10_000),
    }),
    halfLifeDays: positive(3650),
    levels: z.object({
      contributor: z.object({ points: count(1_000_000), acceptedOrPromoted: count(10_000) }),
      publisher: z.object({ points: count(1_000_000), promoted: count(10_000) }),
      coach: z.object({ points: count(1_000_000) }),
    }),
    serialVoting: z.object({ votes: positive(10_000), windowMinutes: positive(7 * 24 * 60) }),
  })
  .superRefine((rules, ctx) => {
    const { contributor, publisher, coach } = rules.levels;
    if (publisher.points < contributor.points)
      ctx.addIssue({
        code: 'custom',
        path: ['levels', 'publisher', 'points'],
        message: 'validation.levelOrder',
      });
    if (coach.points < publisher.points)
      ctx.addIssue({ code: 'custom', path: ['levels', 'coach', 'points'], message: 'validation.levelOrder' });
  });

/** The level a person holds in a topic, from their all-time competence there. */
export function levelFor(
  rules: ScoringRules,
  topic: { points: number; accepted: number; promoted: number; nominatedCoach: boolean },
): Level {
  const { contributor, publisher, coach } = rules.levels;
  const reachesContributor =
    topic.points >= contributor.points && topic.accepted + topic.promoted >= contributor.acceptedOrPromoted;
  const reachesPublisher =
    reachesContributor && topic.points >= publisher.points && topic.promoted >= publisher.promoted;
  if (reachesPublisher && topic.nominatedCoach && topic.points >= coach.points) return 'coach';
  if (reachesPublisher) return 'publisher';
  if (reachesContributor) return 'contributor';
  return 'candidate';
}

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/**
 * Badges: milestones, each reached when a counter of the person's record
 * passes a threshold. Counters are net of reversals (an un-accepted answer no
 * longer counts), but a badge once earned stays.
 */
export const BADGES = [
  { id: 'firstPost', counter: 'contentPosted', threshold: 1 },
  { id: 'firstAnswer', counter: 'answerPosted', threshold: 1 },
  { id: 'firstAccepted', counter: 'answerAccepted', threshold: 1 },
  { id: 'tenAccepted', counter: 'answerAccepted', threshold: 10 },
  { id: 'firstPromoted', counter: 'promoted', threshold: 1 },
  { id: 'tenPromoted', counter: 'promoted', threshold: 10 },
  { id: 'fiftyUpvotes', counter: 'upvoteReceived', threshold: 50 },
  { id: 'twentyConfirmed', counter: 'confirmationReceived', threshold: 20 },
  { id: 'hundredVotes', counter: 'voteCast', threshold: 100 },
] as const satisfies ReadonlyArray<{ id: string; counter: RuleId; threshold: number }>;

export type BadgeId = (typeof BADGES)[number]['id'];
