import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { Team } from '../../models/team.ts';
import { Topic } from '../../models/topic.ts';
import { foldName, User } from '../../models/user.ts';
import { avatarUrl, initialsOf } from '../auth/session-user.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import { escapeRegex, op } from '../db/query.ts';
import type { FileStorage } from '../storage/file-storage.ts';
import { makeAvatar } from '../storage/images.ts';
import type { ProfileInput } from './people.schemas.ts';
import '../auth/auth.events.ts';

export const DIRECTORY_PAGE_SIZE = 24;

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

  constructor(storage: FileStorage, events: EventBus) {
    this.#storage = storage;
    this.#events = events;
  }

  async topicOptions(): Promise<TopicOption[]> {
    return (await Topic.find({ mergedInto: null }).sort({ kind: 1, 'names.it': 1 }).lean()).map((t) => ({
      id: String(t._id),
      slug: t.slug,
      names: { it: t.names?.it ?? t.slug, en: t.names?.en ?? t.slug },
      kind: t.kind,
    }));
  }

  async directory(filters: { q?: string; team?: string; topic?: string; page: number }) {
    const query: Record<string, unknown> = { active: true };
    if (filters.q) query.nameKey = op({ $regex: escapeRegex(foldName(filters.q)) });
    if (filters.team) query.team = new Types.ObjectId(filters.team);
    if (filters.topic) query.topics = new Types.ObjectId(filters.topic);
    const [total, rows, teams, topics] = await Promise.all([
      User.countDocuments(query),
      User.find(query)
        .sort({ nameKey: 1, _id: 1 })
        .skip((filters.page - 1) * DIRECTORY_PAGE_SIZE)
        .limit(DIRECTORY_PAGE_SIZE + 1)
        .lean(),
      Team.find({}, { name: 1 }).sort({ name: 1 }).lean(),
      this.topicOptions(),
    ]);
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

  async profile(id: string) {
    const user = Types.ObjectId.isValid(id) ? await User.findById(id).lean() : null;
    if (!user) throw new NotFoundError('people.notFound');
    const [team, topics] = await Promise.all([
      user.team ? Team.findById(user.team).lean() : null,
      Topic.find({ _id: op({ $in: user.topics }) }).lean(),
    ]);
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
      topics: topics.map((t) => ({
        id: String(t._id),
        slug: t.slug,
        names: { it: t.names?.it ?? '', en: t.names?.en ?? '' },
      })),
      active: user.active,
      memberSince: user.createdAt,
      lastSeenAt: user.lastSeenAt,
    };
  }

  /**
   * Saves one's own profile and, when given, a new picture. Everything is
   * checked before anything is written, so a bad picture or topic changes nothing.
   */
  async updateOwnProfile(userId: string, input: ProfileInput, picture?: Buffer): Promise<void> {
    const topicIds = [...new Set(input.topics)].map((id) => new Types.ObjectId(id));
    const known = await Topic.countDocuments({ _id: op({ $in: topicIds }), mergedInto: null });
    if (known !== topicIds.length) throw new ValidationError({ topics: { key: 'validation.topicUnknown' } });
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
