import { createHash } from 'node:crypto';
import {
  KB_STATES,
  type KbState,
  SEARCH_DOC_TYPES,
  SEARCH_KINDS,
  type SearchDocType,
  type SearchDocument,
  type SearchKind,
  type SearchVisibility,
} from './search.types.ts';

/**
 * Checks and cleans a SearchDocument at the boundary: content features hand
 * them over, so a wrong one is a programming error and throws at once rather
 * than corrupting the index.
 */

const LIMITS = { id: 200, url: 2000, title: 500, problem: 20_000, body: 100_000, context: 5_000, name: 200 };

/** Roles that see a KB draft or review when the feature did not say who may. */
export const DRAFT_ROLES = ['knowledge_manager', 'admin'] as const;

export interface NormalizedDocument {
  key: string;
  type: SearchDocType;
  id: string;
  url: string;
  title: string;
  problem: string;
  body: string;
  context: string;
  kind: SearchKind;
  topics: string[];
  kbState: KbState | null;
  authorId: string | null;
  authorName: string | null;
  teamId: string | null;
  createdAt: number;
  updatedAt: number;
  score: number;
  deleted: boolean;
  visibility: SearchVisibility | null;
  hash: string;
}

export function documentKey(type: string, id: string): string {
  return `${type}:${id}`;
}

export function splitKey(key: string): { type: SearchDocType; id: string } {
  const at = key.indexOf(':');
  return { type: key.slice(0, at) as SearchDocType, id: key.slice(at + 1) };
}

class InvalidSearchDocument extends Error {
  constructor(detail: string, doc: { type?: unknown; id?: unknown }) {
    super(`search: invalid document ${String(doc?.type)}:${String(doc?.id)}: ${detail}`);
    this.name = 'InvalidSearchDocument';
  }
}

function text(value: unknown, max: number): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new TypeError('text fields must be strings');
  // The engine refuses NUL in strings; control characters are noise in snippets.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ').slice(0, max);
}

function optionalId(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > LIMITS.id) throw new TypeError('ids must be strings');
  return value;
}

function time(value: unknown, field: string): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new TypeError(`${field} must be a valid Date`);
  return ms;
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length > LIMITS.id))
    throw new TypeError(`${field} must be a list of ids`);
  return [...new Set(value as string[])];
}

export function normalizeDocument(doc: SearchDocument): NormalizedDocument {
  try {
    if (!SEARCH_DOC_TYPES.includes(doc.type)) throw new TypeError('unknown type');
    if (
      typeof doc.id !== 'string' ||
      doc.id.length === 0 ||
      doc.id.length > LIMITS.id ||
      /[\s#]/.test(doc.id)
    )
      throw new TypeError('id must be a non-empty string without spaces or #');
    if (typeof doc.url !== 'string' || !doc.url.startsWith('/') || doc.url.startsWith('//'))
      throw new TypeError('url must be a same-site path');
    if (!SEARCH_KINDS.includes(doc.kind)) throw new TypeError('unknown kind');
    const kbState = doc.kbState ?? null;
    if (kbState !== null && !KB_STATES.includes(kbState)) throw new TypeError('unknown KB state');
    if (typeof doc.score !== 'number' || !Number.isFinite(doc.score))
      throw new TypeError('score must be a number');
    const authorId = optionalId(doc.authorId);
    let visibility: SearchVisibility | null = null;
    if (doc.visibility) {
      visibility = {
        roles: stringList(doc.visibility.roles ?? [], 'visibility.roles'),
        users: stringList(doc.visibility.users ?? [], 'visibility.users'),
      };
    } else if (doc.kind === 'article' && (kbState === 'draft' || kbState === 'review')) {
      // Drafts are never public by accident.
      visibility = { roles: [...DRAFT_ROLES], users: authorId ? [authorId] : [] };
    }
    const normalized: Omit<NormalizedDocument, 'hash'> = {
      key: documentKey(doc.type, doc.id),
      type: doc.type,
      id: doc.id,
      url: text(doc.url, LIMITS.url),
      title: text(doc.title, LIMITS.title).trim(),
      problem: text(doc.problem, LIMITS.problem),
      body: text(doc.body, LIMITS.body),
      context: text(doc.context, LIMITS.context),
      kind: doc.kind,
      topics: stringList(doc.topics ?? [], 'topics').sort(),
      kbState,
      authorId,
      authorName: doc.authorName ? text(doc.authorName, LIMITS.name) : null,
      teamId: optionalId(doc.teamId),
      createdAt: time(doc.createdAt, 'createdAt'),
      updatedAt: time(doc.updatedAt, 'updatedAt'),
      score: doc.score,
      deleted: doc.deleted === true,
      visibility,
    };
    return { ...normalized, hash: hashOf(normalized) };
  } catch (err) {
    throw new InvalidSearchDocument((err as Error).message, doc ?? {});
  }
}

/** What the integrity check compares: any change to an indexed field changes it. */
function hashOf(doc: Omit<NormalizedDocument, 'hash'>): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        doc.key,
        doc.url,
        doc.title,
        doc.problem,
        doc.body,
        doc.context,
        doc.kind,
        doc.topics,
        doc.kbState,
        doc.authorId,
        doc.authorName,
        doc.teamId,
        doc.createdAt,
        doc.updatedAt,
        doc.score,
        doc.visibility,
      ]),
    )
    .digest('base64url')
    .slice(0, 22);
}
