import { type InferSchemaType, model, Schema } from 'mongoose';

/**
 * One line of the audit log: who did what to what, when, from where. Written
 * for every admin action and every sign-in attempt; never edited.
 */
const auditEntrySchema = new Schema(
  {
    at: { type: Date, required: true, default: () => new Date() },
    actor: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    /** Display name at the time, so the log reads well after renames. */
    actorName: { type: String, default: '' },
    action: { type: String, required: true },
    target: {
      type: { type: String, default: '' },
      id: { type: String, default: '' },
      label: { type: String, default: '' },
    },
    /** Short before/after summary (field → value), never secrets. */
    details: { type: Schema.Types.Mixed, default: {} },
    ip: { type: String, default: '' },
  },
  { versionKey: false },
);

auditEntrySchema.index({ at: -1 });
auditEntrySchema.index({ action: 1, at: -1 });
auditEntrySchema.index({ actor: 1, at: -1 });

export type AuditEntryFields = InferSchemaType<typeof auditEntrySchema>;
export const AuditEntry = model('AuditEntry', auditEntrySchema);
