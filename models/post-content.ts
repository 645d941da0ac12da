import { type InferSchemaType, model, Schema } from 'mongoose';

export const ATTACHMENT_KINDS = ['image', 'pdf', 'text', 'audio'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

export const attachmentSchema = new Schema(
  {
    fileId: { type: String, required: true },
    /** A smaller WebP copy of an image, for the page. */
    thumbId: { type: String, default: null },
    /** The name in URLs and header fallbacks: ASCII letters, digits, dot, dash, underscore. */
    filename: { type: String, required: true },
    /** The name as the person gave it (any script), with the extension of its content. */
    displayName: { type: String, default: null },
    contentType: { type: String, required: true },
    kind: { type: String, enum: ATTACHMENT_KINDS, required: true },
    size: { type: Number, required: true },
    width: { type: Number, default: null },
    height: { type: Number, default: null },
  },
  { _id: false },
);

/**
 * The text of a post (same _id as the Post): markdown sources and their
 * sanitised HTML, and the attachments. Read only when one post is shown.
 */
const postContentSchema = new Schema(
  {
    body: { type: String, default: '' },
    bodyHtml: { type: String, default: '' },
    // Case insight fields.
    situation: { type: String, default: '' },
    situationHtml: { type: String, default: '' },
    action: { type: String, default: '' },
    actionHtml: { type: String, default: '' },
    outcome: { type: String, default: '' },
    outcomeHtml: { type: String, default: '' },
    attachments: { type: [attachmentSchema], default: [] },
    mentions: { type: [{ type: Schema.Types.ObjectId, ref: 'User' }], default: [] },
    /** KB article numbers the text cites (KB-123). */
    citations: { type: [Number], default: [] },
  },
  { versionKey: false, collection: 'post_contents' },
);

export type PostContentFields = InferSchemaType<typeof postContentSchema>;
export const PostContent = model('PostContent', postContentSchema);
