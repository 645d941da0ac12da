import { type HydratedDocument, type InferSchemaType, model, Schema } from 'mongoose';
import { attachmentSchema } from './post-content.ts';

export const KB_STATES = ['draft', 'review', 'published', 'archived'] as const;
export type KbState = (typeof KB_STATES)[number];

export const KB_SECTIONS = ['problem', 'environment', 'cause', 'resolution'] as const;
export type KbSection = (typeof KB_SECTIONS)[number];

/**
 * A knowledge-base article in KCS shape: the problem in the customer's words,
 * the environment, the cause and the resolution. Numbered KB-1, KB-2 …
 */
const kbArticleSchema = new Schema(
  {
    number: { type: Number, required: true },
    title: { type: String, required: true, trim: true, maxlength: 160 },
    problem: { type: String, default: '' },
    problemHtml: { type: String, default: '' },
    environment: { type: String, default: '' },
    environmentHtml: { type: String, default: '' },
    cause: { type: String, default: '' },
    causeHtml: { type: String, default: '' },
    resolution: { type: String, default: '' },
    resolutionHtml: { type: String, default: '' },
    excerpt: { type: String, default: '' },
    topics: { type: [{ type: Schema.Types.ObjectId, ref: 'Topic' }], default: [] },
    attachments: { type: [attachmentSchema], default: [] },
    state: { type: String, enum: KB_STATES, required: true, default: 'draft' },
    version: { type: Number, required: true, default: 1 },
    /** Who started the draft (may submit it for review). */
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    /** The knowledge manager responsible for the article. */
    owner: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    /** People credited for the knowledge (authors of the promoted content, editors). */
    contributors: { type: [{ type: Schema.Types.ObjectId, ref: 'User' }], default: [] },
    sources: {
      type: [
        new Schema(
          {
            type: { type: String, enum: ['post', 'answer'], required: true },
            id: { type: Schema.Types.ObjectId, required: true },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    reviewBy: { type: Date, default: null },
    /** The review date knowledge managers were told had passed (told again once a later one passes). */
    overdueAnnouncedFor: { type: Date, default: null },
    publishedAt: { type: Date, default: null },
    helpfulCount: { type: Number, default: 0 },
    notHelpfulCount: { type: Number, default: 0 },
    views: { type: Number, default: 0 },
    citationCount: { type: Number, default: 0 },
    openFlags: { type: Number, default: 0 },
    editedAt: { type: Date, default: null },
  },
  { timestamps: true },
);

kbArticleSchema.index({ number: 1 }, { unique: true });
kbArticleSchema.index({ state: 1, updatedAt: -1 });
kbArticleSchema.index({ state: 1, helpfulCount: -1, updatedAt: -1 });
kbArticleSchema.index({ topics: 1, state: 1 });
kbArticleSchema.index({ state: 1, reviewBy: 1 });

export type KbArticleFields = InferSchemaType<typeof kbArticleSchema>;
export type KbArticleDoc = HydratedDocument<KbArticleFields>;
export const KbArticle = model('KbArticle', kbArticleSchema);
