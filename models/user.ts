import argon2 from 'argon2';
import { type HydratedDocument, type InferSchemaType, model, Schema, type Types } from 'mongoose';

export const ROLES = ['operator', 'team_lead', 'knowledge_manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Lower-cased, accent-free form of a name, for sorting and name search. */
export function foldName(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

const userSchema = new Schema(
  {
    email: { type: String, required: true, trim: true, lowercase: true, maxlength: 254 },
    displayName: { type: String, required: true, trim: true, maxlength: 80 },
    /** Folded display name: directory sort and name search. */
    nameKey: { type: String, required: true },
    passwordHash: { type: String, select: false },
    passwordChangedAt: { type: Date },
    roles: { type: [{ type: String, enum: ROLES }], default: ['operator'] },
    team: { type: Schema.Types.ObjectId, ref: 'Team', default: null },
    /** Interface language chosen by the user; null follows the browser. */
    locale: { type: String, enum: ['it', 'en', null], default: null },
    bio: { type: String, trim: true, maxlength: 1000, default: '' },
    /** Languages the person speaks with customers (ISO 639-1 codes). */
    languages: { type: [String], default: [] },
    /** Topics the person declares to know about. */
    topics: { type: [{ type: Schema.Types.ObjectId, ref: 'Topic' }], default: [] },
    /** Profile picture in the file storage (a resized, metadata-free WebP). */
    avatar: {
      fileId: { type: String, default: null },
      version: { type: String, default: null },
    },
    /** Topics and colleagues whose posts come first in the home feed. */
    followedTopics: { type: [{ type: Schema.Types.ObjectId, ref: 'Topic' }], default: [] },
    followedPeople: { type: [{ type: Schema.Types.ObjectId, ref: 'User' }], default: [] },
    /** Named on leaderboards when the organisation protects individual scores (an opt-in). */
    scoresPublic: { type: Boolean, default: false },
    active: { type: Boolean, default: true },
    deactivatedAt: { type: Date, default: null },
    lastSeenAt: { type: Date, default: null },
  },
  {
    timestamps: true,
    // These lists are always replaced whole (profile, account), never edited by
    // position: a save of one filters by `_id` alone, which every engine answers
    // from its primary key (a `__v` condition makes the embedded one read every person).
    skipVersioning: {
      roles: true,
      topics: true,
      languages: true,
      followedTopics: true,
      followedPeople: true,
    },
  },
);

userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ team: 1, nameKey: 1 });
userSchema.index({ nameKey: 1 });
userSchema.index({ topics: 1, nameKey: 1 });
userSchema.index({ roles: 1 });
userSchema.index({ followedTopics: 1 });

userSchema.pre('validate', function () {
  if (this.isModified('displayName') || !this.nameKey) this.nameKey = foldName(this.displayName ?? '');
});

userSchema.methods.setPassword = async function (this: UserDoc, plain: string): Promise<void> {
  this.passwordHash = await argon2.hash(plain, ARGON2_OPTIONS);
  this.passwordChangedAt = new Date();
};

userSchema.methods.verifyPassword = async function (this: UserDoc, plain: string): Promise<boolean> {
  if (!this.passwordHash) return false;
  try {
    return await argon2.verify(this.passwordHash, plain);
  } catch {
    return false;
  }
};

userSchema.methods.hasRole = function (this: UserDoc, role: Role): boolean {
  return (this.roles as string[]).includes(role);
};

export type UserFields = InferSchemaType<typeof userSchema>;
export interface UserMethods {
  setPassword(plain: string): Promise<void>;
  verifyPassword(plain: string): Promise<boolean>;
  hasRole(role: Role): boolean;
}
export type UserDoc = HydratedDocument<UserFields, UserMethods>;
export type UserId = Types.ObjectId;

export const User = model<UserFields, import('mongoose').Model<UserFields, object, UserMethods>>(
  'User',
  userSchema,
);

/** Hashes a password with the app's argon2id parameters (for bulk writes). */
export function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, ARGON2_OPTIONS);
}
