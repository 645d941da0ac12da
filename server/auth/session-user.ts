import type { Role } from '../../models/user.ts';
import type { Locale } from '../config.ts';

/** What a request knows about its signed-in person (loaded per request from the database). */
export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  teamId: string | null;
  locale: Locale | null;
  avatarUrl: string | null;
  initials: string;
  active: boolean;
}

export function initialsOf(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '?';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return `${first}${last}`.toUpperCase();
}

export function avatarUrl(
  userId: string,
  avatar: { fileId?: string | null; version?: string | null } | null | undefined,
) {
  return avatar?.fileId ? `/people/${userId}/avatar?v=${avatar.version ?? avatar.fileId}` : null;
}

export function toSessionUser(doc: {
  _id: unknown;
  email: string;
  displayName: string;
  roles: readonly string[];
  team?: unknown;
  locale?: string | null;
  avatar?: { fileId?: string | null; version?: string | null } | null;
  active?: boolean | null;
}): SessionUser {
  const id = String(doc._id);
  return {
    id,
    email: doc.email,
    displayName: doc.displayName,
    roles: [...doc.roles] as Role[],
    teamId: doc.team ? String(doc.team) : null,
    locale: doc.locale === 'it' || doc.locale === 'en' ? doc.locale : null,
    avatarUrl: avatarUrl(id, doc.avatar),
    initials: initialsOf(doc.displayName),
    active: doc.active !== false,
  };
}
