import type { Types } from 'mongoose';
import type { Role } from '../../models/user.ts';
import type { TeamRow } from './directory.repo.ts';

/** What the directory shows of a person. */
export interface PersonCardRow {
  readonly _id: Types.ObjectId;
  readonly displayName: string;
  readonly avatar?: { readonly fileId?: string | null; readonly version?: string | null } | null;
  readonly team: Types.ObjectId | null;
  readonly roles: readonly Role[];
  readonly topics: readonly Types.ObjectId[];
  readonly active: boolean;
}

/** What a profile shows of a person (never credentials). */
export interface ProfileRow extends PersonCardRow {
  readonly email: string;
  readonly bio: string;
  readonly languages: readonly string[];
  readonly createdAt: Date;
  readonly lastSeenAt: Date | null;
}

/** A page of the people directory: active people, by folded name, then id. */
export interface DirectorySpec {
  /** Part of the folded name (see foldName in models/user.ts), taken literally. */
  nameContains?: string;
  team?: string;
  /** People who declare this topic. */
  topic?: string;
  offset: number;
  limit: number;
}

/** A person offered while writing an @mention. */
export interface MentionSuggestionRow {
  readonly _id: Types.ObjectId;
  readonly displayName: string;
  readonly email: string;
  readonly team: Types.ObjectId | null;
  readonly avatar?: { readonly fileId?: string | null; readonly version?: string | null } | null;
}

/** The people directory and profiles. */
export interface PeopleRepo {
  /**
   * Active people whose folded name contains `part` or whose handle (the part
   * of the email before the @) starts with it: those whose name or handle
   * starts with it first, then by folded name; at most `limit`.
   */
  mentionable(part: string, limit: number): Promise<MentionSuggestionRow[]>;
  /** A page of the directory and how many people match in all. */
  directory(spec: DirectorySpec): Promise<{ people: PersonCardRow[]; total: number }>;
  /** A person's profile (inactive people too; null: none with this id). */
  profile(id: string): Promise<ProfileRow | null>;
  /** Every team, by name. */
  teams(): Promise<TeamRow[]>;
}
