import { type HydratedDocument, type InferSchemaType, model, Schema } from 'mongoose';

/** An answer to a question. */
const answerSchema = new Schema(
  {
    post: { type: Schema.Types.ObjectId, ref: 'Post', required: true },
    author: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    body: { type: String, required: true },
    bodyHtml: { type: String, default: '' },
    accepted: { type: Boolean, default: false },
    acceptedAt: { type: Date, default: null },
    acceptedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    /** The question's `acceptSeq` of the acceptance that set `accepted` (MongoDB adapter). */
    acceptedSeq: { type: Number },
    voteScore: { type: Number, default: 0 },
    upvotes: { type: Number, default: 0 },
    downvotes: { type: Number, default: 0 },
    commentCount: { type: Number, default: 0 },
    mentions: { type: [{ type: Schema.Types.ObjectId, ref: 'User' }], default: [] },
    citations: { type: [Number], default: [] },
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

answerSchema.index({ post: 1, createdAt: 1 });
answerSchema.index({ author: 1, createdAt: -1 });

export type AnswerFields = InferSchemaType<typeof answerSchema>;
export type AnswerDoc = HydratedDocument<AnswerFields>;
export const Answer = model('Answer', answerSchema);
