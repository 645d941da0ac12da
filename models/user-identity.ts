import { type InferSchemaType, model, Schema } from 'mongoose';

/**
 * A single-sign-on identity linked to an account. The id is
 * "<issuer> <subject>", so the link is unique and found by id alone.
 */
const userIdentitySchema = new Schema(
  {
    _id: { type: String, required: true },
    issuer: { type: String, required: true },
    subject: { type: String, required: true },
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    email: { type: String, default: '' },
    lastLoginAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);

userIdentitySchema.index({ user: 1 });

export function identityId(issuer: string, subject: string): string {
  return `${issuer} ${subject}`;
}

export type UserIdentityFields = InferSchemaType<typeof userIdentitySchema>;
export const UserIdentity = model('UserIdentity', userIdentitySchema);
