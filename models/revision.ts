import { type InferSchemaType, model, Schema } from 'mongoose';

export const REVISION_TARGETS = ['post', 'answer', 'comment'] as const;
export type RevisionTarget = (typeof REVISION_TARGETS)[number];

/**
 * One saved version of a post, answer or comment: a full snapshot of its
 * text fields, who saved it and when. Version 1 is the original.
 */
const revisionSchema = new Schema(
  {
    _id: { type: String, required: true },
    targetType: { type: String, enum: REVISION_TARGETS, required: true },
    targetId: { type: Schema.Types.ObjectId, required: true },
    number: { type: Number, required: true },
    editor: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    at: { type: Date, required: true },
    /** Field name → text (title, body, situation, action, outcome, topics, tags …). */
    snapshot: { type: Schema.Types.Mixed, required: true },
    note: { type: String, default: '' },
  },
  { versionKey: false },
);

revisionSchema.index({ targetType: 1, targetId: 1, number: 1 }, { unique: true });

export function revisionId(targetType: RevisionTarget, targetId: string, number: number): string {
  return `${targetType}:${targetId}:${number}`;
}

export type RevisionFields = InferSchemaType<typeof revisionSchema>;
export const Revision = model('Revision', revisionSchema);
