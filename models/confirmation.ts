import { type InferSchemaType, model, Schema } from 'mongoose';

/**
 * "I've seen this too": one colleague met the same case. The id is
 * "<post>:<user>", so each person confirms a post at most once.
 */
const confirmationSchema = new Schema(
  {
    _id: { type: String, required: true },
    post: { type: Schema.Types.ObjectId, ref: 'Post', required: true },
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

confirmationSchema.index({ post: 1, createdAt: 1 });
confirmationSchema.index({ user: 1 });

export function confirmationId(postId: string, userId: string): string {
  return `${postId}:${userId}`;
}

export type ConfirmationFields = InferSchemaType<typeof confirmationSchema>;
export const Confirmation = model('Confirmation', confirmationSchema);
