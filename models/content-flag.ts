import { type InferSchemaType, model, Schema } from 'mongoose';

export const FLAG_REASONS = ['spam', 'wrong', 'offensive', 'other'] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];
export const FLAG_TARGETS = ['post', 'answer', 'comment'] as const;
export type FlagTarget = (typeof FLAG_TARGETS)[number];
export const FLAG_OUTCOMES = ['dismissed', 'edited', 'deleted'] as const;

/** A report of a post, answer or comment to the moderators. */
const contentFlagSchema = new Schema(
  {
    targetType: { type: String, enum: FLAG_TARGETS, required: true },
    targetId: { type: Schema.Types.ObjectId, required: true },
    post: { type: Schema.Types.ObjectId, ref: 'Post', required: true },
    by: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    reason: { type: String, enum: FLAG_REASONS, required: true },
    comment: { type: String, default: '' },
    status: { type: String, enum: ['open', 'resolved'], default: 'open' },
    outcome: { type: String, enum: [...FLAG_OUTCOMES, null], default: null },
    resolvedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    resolvedAt: { type: Date, default: null },
    note: { type: String, default: '' },
  },
  { timestamps: true },
);

contentFlagSchema.index({ status: 1, createdAt: 1 });
contentFlagSchema.index({ targetType: 1, targetId: 1, by: 1 });

export type ContentFlagFields = InferSchemaType<typeof contentFlagSchema>;
export const ContentFlag = model('ContentFlag', contentFlagSchema);
