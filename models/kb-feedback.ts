import { type InferSchemaType, model, Schema } from 'mongoose';

export const KB_FLAG_KINDS = ['outdated', 'incorrect', 'unclear', 'other'] as const;
export type KbFlagKind = (typeof KB_FLAG_KINDS)[number];

/**
 * A reader's "was this helpful?" on an article: one per reader (id
 * "<article>:<user>"), changeable, with an optional comment.
 */
const kbFeedbackSchema = new Schema(
  {
    _id: { type: String, required: true },
    article: { type: Schema.Types.ObjectId, ref: 'KbArticle', required: true },
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    helpful: { type: Boolean, required: true },
    comment: { type: String, default: '' },
  },
  { timestamps: true, versionKey: false, collection: 'kb_feedback' },
);

kbFeedbackSchema.index({ article: 1, updatedAt: -1 });

export function kbFeedbackId(articleId: string, userId: string): string {
  return `${articleId}:${userId}`;
}

/** "Flag it or fix it": a reader reports an article as outdated, incorrect, unclear… */
const kbFlagSchema = new Schema(
  {
    article: { type: Schema.Types.ObjectId, ref: 'KbArticle', required: true },
    by: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    kind: { type: String, enum: KB_FLAG_KINDS, required: true },
    comment: { type: String, default: '' },
    status: { type: String, enum: ['open', 'fixed', 'declined'], default: 'open' },
    resolvedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    resolvedAt: { type: Date, default: null },
    resolution: { type: String, default: '' },
  },
  { timestamps: true, collection: 'kb_flags' },
);

kbFlagSchema.index({ status: 1, createdAt: 1 });
kbFlagSchema.index({ article: 1, status: 1 });

/** Where an article is cited (answers and posts with KB-123): id "<article>:<type>:<id>". */
const kbCitationSchema = new Schema(
  {
    _id: { type: String, required: true },
    article: { type: Schema.Types.ObjectId, ref: 'KbArticle', required: true },
    sourceType: { type: String, enum: ['post', 'answer'], required: true },
    sourceId: { type: Schema.Types.ObjectId, required: true },
    post: { type: Schema.Types.ObjectId, ref: 'Post', required: true },
    by: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, collection: 'kb_citations' },
);

kbCitationSchema.index({ article: 1, createdAt: -1 });
kbCitationSchema.index({ sourceType: 1, sourceId: 1 });

export function kbCitationId(articleId: string, sourceType: 'post' | 'answer', sourceId: string): string {
  return `${articleId}:${sourceType}:${sourceId}`;
}

/** One view per person per day: id "<article>:<user>:<yyyy-mm-dd>". */
const kbViewSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false, collection: 'kb_views' },
);

export type KbFeedbackFields = InferSchemaType<typeof kbFeedbackSchema>;
export type KbFlagFields = InferSchemaType<typeof kbFlagSchema>;
export const KbFeedback = model('KbFeedback', kbFeedbackSchema);
export const KbFlag = model('KbFlag', kbFlagSchema);
export const KbCitation = model('KbCitation', kbCitationSchema);
export const KbView = model('KbView', kbViewSchema);
