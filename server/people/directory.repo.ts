import type { Types } from 'mongoose';

/** What pages show of a person next to content. */
export interface PersonRow {
  readonly _id: Types.ObjectId;
  readonly displayName: string;
  readonly avatar?: { readonly fileId?: string | null; readonly version?: string | null } | null;
  readonly active: boolean;
}

export interface TopicRow {
  readonly _id: Types.ObjectId;
  readonly slug: string;
  readonly kind: string;
  readonly names: { readonly it: string; readonly en: string };
  readonly descriptions?: { readonly it?: string | null; readonly en?: string | null } | null;
  readonly parent: Types.ObjectId | null;
  readonly ancestors: readonly Types.ObjectId[];
  readonly mergedInto?: Types.ObjectId | null;
}

export interface TeamRow {
  readonly _id: Types.ObjectId;
  readonly name: string;
}

/**
 * The small, often-read things every page names: people, topics, teams.
 * One place answers "a topic and everything below it".
 */
export interface DirectoryRepo {
  /** People by id (missing ones left out). */
  people(ids: string[]): Promise<PersonRow[]>;
  /** Every topic that has not been merged into another one. */
  topics(): Promise<TopicRow[]>;
  /** A topic by its slug, merged ones too (callers follow `mergedInto`). */
  topicBySlug(slug: string): Promise<TopicRow | null>;
  /** Active people who follow a topic. */
  topicFollowers(topicId: string): Promise<number>;
  /** A topic and all topics below it (ids; the topic itself first). */
  subtree(topicId: string): Promise<string[]>;
  /** These topics and every ancestor of each (ids, each once; unknown ids kept as given). */
  withAncestors(topicIds: string[]): Promise<string[]>;
  /** Those of these ids that are topics in use (not merged into another one). */
  liveTopics(topicIds: string[]): Promise<string[]>;
  /** Teams by id. */
  teams(ids: string[]): Promise<TeamRow[]>;
  /** What a person follows, for the home feed. */
  following(userId: string): Promise<{ topics: string[]; people: string[]; team: string | null }>;
}
