import { type InferSchemaType, model, Schema } from 'mongoose';

/**
 * A browser session (express-session), looked up by its id only. The session
 * is kept as JSON text so that any key or character the session holds is
 * stored as-is on every engine.
 */
const sessionSchema = new Schema(
  {
    _id: { type: String, required: true },
    data: { type: String, required: true },
    expires: { type: Date, required: true },
    /** The signed-in user, so that their sessions can be ended together. */
    user: { type: Schema.Types.ObjectId, ref: 'User', default: null },
  },
  { versionKey: false, collection: 'sessions' },
);

sessionSchema.index({ expires: 1 });
sessionSchema.index({ user: 1 });

export type SessionFields = InferSchemaType<typeof sessionSchema>;
export const Session = model('Session', sessionSchema);
