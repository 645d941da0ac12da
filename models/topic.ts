import { type HydratedDocument, type InferSchemaType, model, Schema } from 'mongoose';

export const TOPIC_KINDS = ['product', 'service', 'process', 'channel'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

/** A node of the managed taxonomy, named in both languages. */
const topicSchema = new Schema(
  {
    slug: { type: String, required: true, trim: true, lowercase: true, maxlength: 80 },
    names: {
      it: { type: String, required: true, trim: true, maxlength: 80 },
      en: { type: String, required: true, trim: true, maxlength: 80 },
    },
    descriptions: {
      it: { type: String, trim: true, maxlength: 500, default: '' },
      en: { type: String, trim: true, maxlength: 500, default: '' },
    },
    kind: { type: String, enum: TOPIC_KINDS, required: true },
    parent: { type: Schema.Types.ObjectId, ref: 'Topic', default: null },
    /** Root-first chain of ancestors, kept in step with `parent` for subtree queries. */
    ancestors: { type: [{ type: Schema.Types.ObjectId, ref: 'Topic' }], default: [] },
    /** Set when the topic was merged into another one; merged topics are hidden. */
    mergedInto: { type: Schema.Types.ObjectId, ref: 'Topic', default: null },
  },
  { timestamps: true },
);

topicSchema.index({ slug: 1 }, { unique: true });
topicSchema.index({ kind: 1, 'names.it': 1 });
topicSchema.index({ parent: 1 });
topicSchema.index({ ancestors: 1 });

export type TopicFields = InferSchemaType<typeof topicSchema>;
export type TopicDoc = HydratedDocument<TopicFields>;
export const Topic = model('Topic', topicSchema);
