import { type HydratedDocument, type InferSchemaType, model, Schema } from 'mongoose';

export const COMMENT_TARGETS = ['post', 'answer', 'article'] as const;
export type CommentTarget = (typeof COMMENT_TARGETS)[number];

/** A short comment on a post, an answer or a KB article. */
const commentSchema = new Schema(
  {
    targetType: { type: String, enum: COMMENT_TARGETS, required: true },
    targetId: { type: Schema.Types.ObjectId, required: true },
    /** The post of the thread (for posts and answers), to load a thread at once. */
    post: { type: Schema.Types.ObjectId, ref: 'Post', default: null },
    author: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    body: { type: String, required: true },
    bodyHtml: { type: String, default: '' },
    mentions: { type: [{ type: Schema.Types.ObjectId, ref: 'User' }], default: [] },
    revision: { type: Number, default: 1 },
    editedAt: { type: Date, default: null },
    deleted: {
      type: new Schema(
        { at: Date, by: { type: Schema.Types.ObjectId, ref: 'User' }, reason: { type: String, default: '' } },
        { _id: false },
      ),
      default: null,
    },
  },
  { timestamps: true },
);

commentSchema.index({ post: 1, createdAt: 1 });
commentSchema.index({ targetType: 1, targetId: 1, createdAt: 1 });

export type CommentFields = InferSchemaType<typeof commentSchema>;
export type CommentDoc = HydratedDocument<CommentFields>;
export const Comment = model('Comment', commentSchema);
