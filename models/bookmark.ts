import { type InferSchemaType, model, Schema } from 'mongoose';

/** A post someone saved for later. The id is "<user>:<post>". */
const bookmarkSchema = new Schema(
  {
    _id: { type: String, required: true },
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    post: { type: Schema.Types.ObjectId, ref: 'Post', required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

bookmarkSchema.index({ user: 1, createdAt: -1 });

export function bookmarkId(userId: string, postId: string): string {
  return `${userId}:${postId}`;
}

export type BookmarkFields = InferSchemaType<typeof bookmarkSchema>;
export const Bookmark = model('Bookmark', bookmarkSchema);
