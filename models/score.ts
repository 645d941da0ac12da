import { type InferSchemaType, model, Schema } from 'mongoose';

/**
 * The score ledger and what is derived from it (DESIGN.md "Scores").
 *
 * The pages read them through the scores repository (server/scoring/scores.repo.ts):
 * a person's totals are one card, read by `_id`; a leaderboard is a handful of
 * board shards, which the embedded adapter ranks in memory once and MongoDB
 * mirrors in `score_board_entries` (indexed by board and points); a person's
 * "why" list is their ledger lines by time, from an index of them (in memory
 * on the embedded adapter, `{ user, at, _id }` on MongoDB), the lines shown
 * read by `_id` "<user>:<n>". Only a rebuild reads the whole ledger.
 */

const DIMENSIONS = ['participation', 'competence'];

/** One line of the ledger: append-only, never edited. */
const scoreEventSchema = new Schema(
  {
    /** "<user>:<sequence>": a person's lines are read back by id, newest first. */
    _id: { type: String, required: true },
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    dimension: { type: String, enum: DIMENSIONS, required: true },
    /** Topics of the content that earned it (topic totals get the points once each). */
    topics: { type: [{ type: Schema.Types.ObjectId, ref: 'Topic' }], default: [] },
    /** The person's team when it happened (team totals). */
    team: { type: Schema.Types.ObjectId, ref: 'Team', default: null },
    points: { type: Number, required: true },
    /** What the rule was worth when it happened, before any cap. */
    base: { type: Number, required: true },
    rule: { type: String, required: true },
    /** Why it earned less than its rule: self, votesCastPerDay, voteCompetencePerDay, votesPerPairPerDay. */
    capped: { type: String, default: null },
    source: {
      type: { type: String, required: true },
      id: { type: String, required: true },
      /** The post of the thread (links in the "why" list), when there is one. */
      post: { type: String, default: null },
    },
    /** Who caused it (the voter, the accepter…); null for the system. */
    actor: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    at: { type: Date, required: true },
    /** For a reversal: the event it reverses. */
    reverses: { type: String, default: null },
    /** Why a reversal or adjustment was written (retracted, deleted, unaccepted, moderator, serialVoting, deactivated, recompute). */
    reason: { type: String, default: null },
    rulesVersion: { type: Number, required: true },
  },
  { versionKey: false, collection: 'score_events' },
);
// A person's "why" list, newest first, paged by (at, _id) (server/db/mongodb/scores.ts).
scoreEventSchema.index({ user: 1, at: -1, _id: -1 });
scoreEventSchema.index({ 'source.type': 1, 'source.id': 1 });

export type ScoreEventFields = InferSchemaType<typeof scoreEventSchema>;
export const ScoreEvent = model('ScoreEvent', scoreEventSchema);

/**
 * What one source (a vote, a post, an answer's acceptance…) has granted and
 * not yet reversed, so that undoing it writes exactly the opposite events.
 * `_id`: "<type>:<id>[:<facet>]".
 */
const scoreSourceSchema = new Schema(
  {
    _id: { type: String, required: true },
    open: {
      type: [
        {
          _id: false,
          event: { type: String, required: true },
          user: { type: String, required: true },
          rule: { type: String, required: true },
          points: { type: Number, required: true },
        },
      ],
      default: [],
    },
    /** Sources that fall with this one (the votes on a deleted post…). */
    children: { type: [String], default: [] },
  },
  { versionKey: false, collection: 'score_sources' },
);
export const ScoreSource = model('ScoreSource', scoreSourceSchema);

/**
 * A person's totals, by dimension × scope × period (`t.<dimension>.<scope>.<period>`,
 * scope `g` global, `tp<topic>` topic, `tm<team>` team; period `all`, `2026`,
 * `2026-Q4`, `2026-11`, `2026-W48`; a topic or team scope holds `all` only, its
 * other periods are on the leaderboards), decayed competence (`d.<scope>`, in units
 * of 2^(days since 2020 / half-life), read back with the current date), rule
 * counters for badges (`n.<rule>`), per-topic accepted and promoted counts,
 * levels reached and badges earned. `_id`: the user id.
 */
const scoreCardSchema = new Schema(
  {
    _id: { type: String, required: true },
    t: { type: Schema.Types.Mixed, default: {} },
    d: { type: Schema.Types.Mixed, default: {} },
    n: { type: Schema.Types.Mixed, default: {} },
    accepted: { type: Schema.Types.Mixed, default: {} },
    promoted: { type: Schema.Types.Mixed, default: {} },
    levels: { type: Schema.Types.Mixed, default: {} },
    badges: { type: Schema.Types.Mixed, default: {} },
    /** Coach nominations per topic: topic → { by, at }. */
    coach: { type: Schema.Types.Mixed, default: {} },
    /** Ledger lines of this person so far: their ids are "<user>:1" … "<user>:<seq>". */
    seq: { type: Number, default: 0 },
  },
  { versionKey: false, minimize: false, collection: 'score_cards' },
);
export type ScoreCardFields = InferSchemaType<typeof scoreCardSchema>;
export const ScoreCard = model('ScoreCard', scoreCardSchema);

/**
 * Documents a leaderboard is split in (every scope): the embedded engine
 * rewrites a whole document on each increment, at a cost growing faster than
 * its size (an all-time topic board of a few thousand people in one document
 * took 1–2 s an increment at 100,000 posts; a shard of a few hundred, ~10 ms).
 * Readers sum a person's points over every shard, so boards written with
 * fewer shards (8, global boards only, before) read the same.
 */
export const BOARD_SHARDS = 32;

/**
 * One shard of a leaderboard: the points of the people whose id hashes to it
 * (`p.<user>`) and their team (`tm.<user>`), for one dimension, scope and
 * period. `_id`: "<dimension>|<scope>|<period>|<shard>".
 */
const scoreBoardSchema = new Schema(
  {
    _id: { type: String, required: true },
    p: { type: Schema.Types.Mixed, default: {} },
    tm: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false, collection: 'score_boards' },
);
export const ScoreBoard = model('ScoreBoard', scoreBoardSchema);

/**
 * MongoDB's view of the leaderboards: one document per person per board
 * (`b` "<dimension>|<scope>|<period>", `u` the person, `p` points, `tm` team),
 * kept in step with the board shards by the MongoDB scores repository. A board's
 * top is a walk of its index; a rank, a count of those ahead. `_id`: "<board>|<user>".
 * (The embedded adapter leaves it empty: it ranks the shards in memory.)
 */
const scoreBoardEntrySchema = new Schema(
  {
    _id: { type: String, required: true },
    b: { type: String, required: true },
    u: { type: String, required: true },
    p: { type: Number, required: true },
    tm: { type: String, default: null },
  },
  { versionKey: false, collection: 'score_board_entries' },
);
scoreBoardEntrySchema.index({ b: 1, p: -1, u: 1 });
export const ScoreBoardEntry = model('ScoreBoardEntry', scoreBoardEntrySchema);

/** Anti-gaming counters per day (votes cast, pair votes, vote competence). `_id`: "<kind>:<keys>:<day>". */
const scoreCapSchema = new Schema(
  {
    _id: { type: String, required: true },
    value: { type: Number, default: 0 },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'score_caps' },
);
export const ScoreCap = model('ScoreCap', scoreCapSchema);

/** Votes of the serial-voting window (the scheduled check reads only these). */
const recentVoteSchema = new Schema(
  {
    _id: { type: String, required: true }, // the score source of the vote
    voter: { type: String, required: true },
    author: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'score_recent_votes' },
);
export const RecentVote = model('RecentVote', recentVoteSchema);

/** In protected mode: a lead or admin looked at someone's individual scores. */
const scoreViewSchema = new Schema(
  {
    _id: { type: String, required: true }, // "<subject>:<page>"
    items: { type: [Schema.Types.Mixed], default: [] },
  },
  { versionKey: false, collection: 'score_views' },
);
export const ScoreView = model('ScoreView', scoreViewSchema);
