import { type HydratedDocument, type InferSchemaType, model, Schema } from 'mongoose';

export const POST_KINDS = ['insight', 'tip', 'question'] as const;
export type PostKind = (typeof POST_KINDS)[number];

export const CHANNELS = ['phone', 'chat', 'email', 'social', 'store', 'app', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

const deletionSchema = new Schema(
  {
    at: { type: Date, required: true },
    by: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    reason: { type: String, default: '' },
  },
  { _id: false },
);

/** A question closed as a duplicate of another (and, when merged, its answers moved there). */
const duplicateSchema = new Schema(
  {
    post: { type: Schema.Types.ObjectId, ref: 'Post', required: true },
    by: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    at: { type: Date, required: true },
    merged: { type: Boolean, default: false },
  },
  { _id: false },
);

/**
 * A post as feeds list it: everything a card shows and every field feeds
 * filter or sort on, with denormalised counters. The text lives in
 * PostContent (same _id), so listing never reads the bodies.
 */
const postSchema = new Schema(
  {
    kind: { type: String, enum: POST_KINDS, required: true },
    title: { type: String, required: true, trim: true, maxlength: 160 },
    excerpt: { type: String, default: '' },
    author: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    /** The author's team when posting: team feeds and dashboards. */
    team: { type: Schema.Types.ObjectId, ref: 'Team', default: null },
    topics: { type: [{ type: Schema.Types.ObjectId, ref: 'Topic' }], default: [] },
    tags: { type: [String], default: [] },
    channel: { type: String, enum: [...CHANNELS, null], default: null },
    attachmentCount: { type: Number, default: 0 },
    hasImage: { type: Boolean, default: false },
    // Counters, kept by atomic $inc.
    voteScore: { type: Number, default: 0 },
    upvotes: { type: Number, default: 0 },
    downvotes: { type: Number, default: 0 },
    confirmations: { type: Number, default: 0 },
    answerCount: { type: Number, default: 0 },
    commentCount: { type: Number, default: 0 },
    views: { type: Number, default: 0 },
    acceptedAnswer: { type: Schema.Types.ObjectId, ref: 'Answer', default: null },
    /** How many times the accepted answer was set: orders concurrent acceptances (MongoDB adapter). */
    acceptSeq: { type: Number },
    /** Set when a knowledge manager promoted this post into the KB. */
    promotedTo: {
      article: { type: Schema.Types.ObjectId, ref: 'KbArticle', default: null },
      number: { type: Number, default: null },
    },
    revision: { type: Number, default: 1 },
    editedAt: { type: Date, default: null },
    lastActivityAt: { type: Date, required: true, default: () => new Date() },
    deleted: { type: deletionSchema, default: null },
    /** Set when a knowledge manager closed this question as a duplicate of another. */
    duplicateOf: { type: duplicateSchema, default: null },
    /** Fingerprint of kind + title + text, to refuse identical reposts. */
    contentHash: { type: String, default: '' },
  },
  { timestamps: true },
);

postSchema.index({ createdAt: -1, _id: -1 });
postSchema.index({ lastActivityAt: -1, _id: -1 });
postSchema.index({ kind: 1, createdAt: -1 });
postSchema.index({ topics: 1, createdAt: -1 });
postSchema.index({ author: 1, createdAt: -1 });
postSchema.index({ team: 1, createdAt: -1 });
postSchema.index({ tags: 1 });

export type PostFields = InferSchemaType<typeof postSchema>;
export type PostDoc = HydratedDocument<PostFields>;
export const Post = model('Post', postSchema);
