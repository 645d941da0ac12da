import { type InferSchemaType, model, Schema } from 'mongoose';

/** A full snapshot of an article at one version: who saved it, when, and why. */
const kbRevisionSchema = new Schema(
  {
    _id: { type: String, required: true },
    article: { type: Schema.Types.ObjectId, ref: 'KbArticle', required: true },
    version: { type: Number, required: true },
    editor: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    at: { type: Date, required: true },
    note: { type: String, default: '' },
    /** Field → text: title, problem, environment, cause, resolution, topics, state. */
    snapshot: { type: Schema.Types.Mixed, required: true },
  },
  { versionKey: false, collection: 'kb_revisions' },
);

kbRevisionSchema.index({ article: 1, version: 1 }, { unique: true });

export function kbRevisionId(articleId: string, version: number): string {
  return `${articleId}:${version}`;
}

export type KbRevisionFields = InferSchemaType<typeof kbRevisionSchema>;
export const KbRevision = model('KbRevision', kbRevisionSchema);
