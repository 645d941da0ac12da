import { type InferSchemaType, model, Schema } from 'mongoose';

/**
 * A one-time link to set a new password. Only the SHA-256 of the token is
 * stored (as the id); the token itself is shown once to the admin.
 */
const passwordResetSchema = new Schema(
  {
    _id: { type: String, required: true },
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    expiresAt: { type: Date, required: true },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
  },
  { timestamps: true, versionKey: false },
);

passwordResetSchema.index({ user: 1 });
passwordResetSchema.index({ expiresAt: 1 });

export type PasswordResetFields = InferSchemaType<typeof passwordResetSchema>;
export const PasswordReset = model('PasswordReset', passwordResetSchema);
