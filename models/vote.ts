import { type InferSchemaType, model, Schema } from 'mongoose';

export const VOTE_TARGETS = ['post', 'answer'] as const;
export type VoteTarget = (typeof VOTE_TARGETS)[number];

/**
 * One person's vote on a post or an answer. The id is
 * "<voter>:<target type>:<target>", so a person has at most one vote per item
 * whatever arrives concurrently; changing it is a conditional update.
 */
const voteSchema = new Schema(
  {
    _id: { type: String, required: true },
    voter: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    targetType: { type: String, enum: VOTE_TARGETS, required: true },
    targetId: { type: Schema.Types.ObjectId, required: true },
    /** The post of the thread (the post itself, or the answer's question). */
    post: { type: Schema.Types.ObjectId, ref: 'Post', required: true },
    /** Author of the voted item (for scores and anti-gaming). */
    author: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    value: { type: Number, enum: [1, -1], required: true },
  },
  { timestamps: true, versionKey: false },
);

voteSchema.index({ targetType: 1, targetId: 1 });
voteSchema.index({ voter: 1, createdAt: -1 });

export function voteId(voterId: string, targetType: VoteTarget, targetId: string): string {
  return `${voterId}:${targetType}:${targetId}`;
}

export type VoteFields = InferSchemaType<typeof voteSchema>;
export const Vote = model('Vote', voteSchema);
