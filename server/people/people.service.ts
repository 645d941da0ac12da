import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { foldName, User } from '../../models/user.ts';
import { avatarUrl, initialsOf } from '../auth/session-user.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import type { PostsRepo } from '../posts/posts.repo.ts';
import type { FileStorage } from '../storage/file-storage.ts';
import { makeAvatar } from '../storage/images.ts';
import { handleOf } from '../users/users.repo.ts';
import type { Directory } from './directory.ts';
import type { PeopleRepo } from './people.repo.ts';
import type { ProfileInput } from './people.schemas.ts';
import '../auth/auth.events.ts';

export const DIRECTORY_PAGE_SIZE = 24;
/** Posts a profile shows as the person's recent contributions. */
export const PROFILE_RECENT_POSTS = 5;

export interface PeopleDeps {
  storage: FileStorage;
  events: EventBus;
  repo: PeopleRepo;
  directory: Directory;
  posts: PostsRepo;
}

export interface TopicOption {
  id: string;
  slug: string;
  names: { it: string; en: string };
  kind: string;
}

/** The people directory, profiles, and what each person edits on their own profile. */
export class PeopleService {
  readonly #storage: FileStorage;
  readonly #events: EventBus;
  readonly #repo: PeopleRepo;
  readonly #directory: Directory;
  readonly #posts: PostsRepo;

  constructor(deps: PeopleDeps) {
    this.#storage = deps.storage;
    this.#events = deps.events;
    this.#repo = deps.repo;
    this.#directory = deps.directory;
    this.#posts = deps.posts;
  }

  /** Every topic, by kind and Italian name. */
  async topicOptions(): Promise<TopicOption[]> {
    const order = (a: string, b: string) => (a === b ? 0 : a < b ? -1 : 1);
    return (await this.#directory.repo.topics())
      .map((t) => ({
        id: String(t._id),
        slug: t.slug,
        names: { it: t.names?.it ?? t.slug, en: t.names?.en ?? t.slug },
        kind: t.kind,
      }))
      .sort((a, b) => order(a.kind, b.kind) || order(a.names.it, b.names.it));
  }

  async directory(filters: { q?: string; team?: string; topic?: string; page: number }) {
    const [found, teams, topics] = await Promise.all([
      this.#repo.directory({
        nameContains: filters.q ? foldName(filters.q) || undefined : undefined,
        team: filters.team,
        topic: filters.topic,
        offset: (filters.page - 1) * DIRECTORY_PAGE_SIZE,
        limit: DIRECTORY_PAGE_SIZE + 1,
      }),
      this.#repo.teams(),
      this.topicOptions(),
    ]);
    const { total } = found;
    const rows = found.people;
    const teamName = new Map(teams.map((t) => [String(t._id), t.name]));
    const topicById = new Map(topics.map((t) => [t.id, t]));
    return {
      people: rows.slice(0, DIRECTORY_PAGE_SIZE).map((u) => ({
        id: String(u._id),
        displayName: u.displayName,
        initials: initialsOf(u.displayName),
        avatarUrl: avatarUrl(String(u._id), u.avatar),
        team: u.team ? (teamName.get(String(u.team)) ?? '') : '',
        roles: u.roles,
        topics: u.topics.map((id) => topicById.get(String(id))).filter((t): t is TopicOption => Boolean(t)),
      })),
      total,
      page: filters.page,
      hasNext: rows.length > DIRECTORY_PAGE_SIZE,
      teams: teams.map((t) => ({ id: String(t._id), name: t.name })),
      topics,
    };
  }

  /**
   * Colleagues to mention while writing "@…": at most 8 active people whose
   * handle or name starts with (or whose name contains) what was typed.
   */
  async mentionable(typed: string): Promise<
    Array<{
      id: string;
      handle: string;
      displayName: string;
      team: string;
      initials: string;
      avatarUrl: string | null;
    }>
  > {
    const part = foldName(typed).replace(/^@/, '');
    if (!part) return [];
    const people = await this.#repo.mentionable(part, 8);
    const teams = await this.#directory.teamNames(people.map((p) => p.team).filter((t) => t !== null));
    return people.map((p) => ({
      id: String(p._id),
      handle: handleOf(p.email),
      displayName: p.displayName,
      team: p.team ? (teams.get(String(p.team)) ?? '') : '',
      initials: initialsOf(p.displayName),
      avatarUrl: avatarUrl(String(p._id), p.avatar),
    }));
  }

  /** A profile: the person, their team and topics, and their newest posts. */
  async profile(id: string) {
    const user = /^[0-9a-f]{24}$/i.test(id) ? await this.#repo.profile(id) : null;
    if (!user) throw new NotFoundError('people.notFound');
    const [teamNames, allTopics, recent] = await Promise.all([
      user.team ? this.#directory.teamNames([user.team]) : new Map<string, string>(),
      this.#directory.topics(),
      this.#posts.feed({ author: id, order: 'newest', limit: PROFILE_RECENT_POSTS }),
    ]);
    const team =
      user.team && teamNames.has(String(user.team))
        ? { _id: user.team, name: teamNames.get(String(user.team))! }
        : null;
    const topics = user.topics.map((t) => allTopics.get(String(t))).filter((t) => t !== undefined);
    return {
      id: String(user._id),
      displayName: user.displayName,
      initials: initialsOf(user.displayName),
      avatarUrl: avatarUrl(String(user._id), user.avatar),
      email: user.email,
      roles: user.roles,
      team: team ? { id: String(team._id), name: team.name } : null,
      bio: user.bio,
      languages: user.languages,
      topics: topics.map((t) => ({ id: t.id, slug: t.slug, names: t.names })),
      active: user.active,
      memberSince: user.createdAt,
      lastSeenAt: user.lastSeenAt,
      recentPosts: recent.map((p) => ({
        id: String(p._id),
        kind: p.kind,
        title: p.title,
        createdAt: p.createdAt,
      })),
    };
  }

  /**
   * Saves one's own profile and, when given, a new picture. Everything is
   * checked before anything is written, so a bad picture or topic changes nothing.
   */
  async updateOwnProfile(userId: string, input: ProfileInput, picture?: Buffer): Promise<void> {
    const wanted = [...new Set(input.topics)];
    const known = await this.#directory.topics();
    if (wanted.some((t) => !known.has(t)))
      throw new ValidationError({ topics: { key: 'validation.topicUnknown' } });
    const topicIds = wanted.map((t) => new Types.ObjectId(t));
    const image = picture && picture.length > 0 ? await makeAvatar(picture) : undefined;
    if (image) await this.#storeAvatar(userId, image);
    const user = await User.findById(userId);
    if (!user) throw new NotFoundError('people.notFound');
    user.displayName = input.displayName;
    user.bio = input.bio;
    user.languages = [...new Set(input.languages)];
    user.topics = topicIds;
    await user.save();
    await this.#events.publish('user.updated', { userId, actorId: userId, changed: ['profile'] });
  }

  /** Replaces the avatar with a resized, metadata-free copy of the uploaded picture. */
  async setAvatar(userId: string, upload: Buffer): Promise<void> {
    await this.#storeAvatar(userId, await makeAvatar(upload));
  }

  async #storeAvatar(userId: string, image: Buffer): Promise<void> {
    const user = await User.findById(userId);
    if (!user) throw new NotFoundError('people.notFound');
    const stored = await this.#storage.save(image, {
      filename: 'avatar.webp',
      contentType: 'image/webp',
      metadata: { purpose: 'avatar', owner: userId },
    });
    const previous = user.avatar?.fileId;
    user.avatar = { fileId: stored.id, version: randomBytes(6).toString('hex') };
    await user.save();
    if (previous) await this.#storage.remove(previous);
  }

  async removeAvatar(userId: string): Promise<void> {
    const user = await User.findById(userId);
    if (!user?.avatar?.fileId) return;
    const previous = user.avatar.fileId;
    user.avatar = { fileId: null, version: null };
    await user.save();
    await this.#storage.remove(previous);
  }

  async avatar(userId: string) {
    const user = Types.ObjectId.isValid(userId) ? await User.findById(userId, { avatar: 1 }).lean() : null;
    if (!user?.avatar?.fileId) return null;
    return this.#storage.open(user.avatar.fileId);
  }

  async ownProfile(userId: string) {
    const user = await User.findById(userId).lean();
    if (!user) throw new NotFoundError('people.notFound');
    return {
      displayName: user.displayName,
      bio: user.bio,
      languages: user.languages,
      topics: user.topics.map(String),
      avatarUrl: avatarUrl(userId, user.avatar),
      initials: initialsOf(user.displayName),
      locale: user.locale,
      email: user.email,
    };
  }

  async setLocale(userId: string, locale: 'it' | 'en'): Promise<void> {
    await User.updateOne({ _id: new Types.ObjectId(userId) }, { $set: { locale } });
  }
}
