import { Setting, saveSettingVersion } from '../../models/setting.ts';
import type { AuditActor, AuditService } from '../audit/audit.service.ts';
import type { FieldMessage } from '../core/errors.ts';
import { ValidationError } from '../core/errors.ts';
import { fold, termsOfFolded } from './analysis.ts';

const KEY = 'searchSynonyms';
export const MAX_SYNONYM_GROUPS = 300;
export const MAX_GROUP_WORDS = 12;
const WORD = /^[\p{L}\p{N}][\p{L}\p{N}\p{M}]{0,39}$/u;

export interface SynonymSettings {
  /** Groups of words that mean the same to the people searching (SDD, RID, domiciliazione). */
  groups: string[][];
  version: number;
}

/**
 * Reads the text of the synonyms form: one group per line, words separated by
 * commas (or semicolons). Each word is one word or code; a group needs two.
 * Refuses with the numbers of the lines that are wrong.
 */
export function parseSynonyms(text: string): string[][] {
  const groups: string[][] = [];
  const wrong: number[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const words = [
      ...new Set(
        line
          .split(/[,;]/)
          .map((w) => w.trim())
          .filter(Boolean),
      ),
    ];
    const unique = [...new Map(words.map((w) => [fold(w), w])).values()];
    if (unique.length < 2 || unique.length > MAX_GROUP_WORDS || !unique.every((w) => WORD.test(w)))
      wrong.push(i + 1);
    else groups.push(unique);
  });
  const problems: FieldMessage[] = [];
  if (wrong.length > 0)
    problems.push({ key: 'search.synonyms.wrongLines', params: { lines: wrong.slice(0, 10).join(', ') } });
  if (groups.length > MAX_SYNONYM_GROUPS)
    problems.push({ key: 'search.synonyms.tooMany', params: { max: MAX_SYNONYM_GROUPS } });
  if (problems.length > 0) throw new ValidationError({ synonyms: problems[0]! });
  return groups;
}

/** The text the form shows for some groups. */
export function synonymsText(groups: string[][]): string {
  return groups.map((g) => g.join(', ')).join('\n');
}

/**
 * For each index term of a word in a group, the terms of the other words of
 * its groups (what a query for one also looks for).
 */
export function synonymTable(groups: string[][]): Map<string, string[]> {
  const table = new Map<string, Set<string>>();
  for (const group of groups) {
    const termsOf = group.map((word) => termsOfFolded(fold(word)));
    termsOf.forEach((terms, i) => {
      const others = termsOf.filter((_, j) => j !== i).flat();
      for (const term of terms) {
        let set = table.get(term);
        if (!set) {
          set = new Set();
          table.set(term, set);
        }
        for (const other of others) if (other !== term) set.add(other);
      }
    });
  }
  return new Map([...table].map(([term, set]) => [term, [...set]]));
}

/**
 * The synonyms knowledge managers declare for search (versioned and audited
 * like the other settings; cached a few seconds, re-read after a change).
 */
export class SearchSynonyms {
  static readonly CACHE_MS = 5_000;
  readonly #audit: AuditService;
  #cached: { value: SynonymSettings; table: Map<string, string[]>; readAt: number } | null = null;

  constructor(audit: AuditService) {
    this.#audit = audit;
  }

  async #read() {
    if (this.#cached && Date.now() - this.#cached.readAt < SearchSynonyms.CACHE_MS) return this.#cached;
    const doc = await Setting.findById(KEY).lean();
    // Stored as [{ words: […] }]: the embedded engine refuses arrays of arrays.
    const stored = (doc?.value as { groups?: unknown } | undefined)?.groups;
    const groups = (Array.isArray(stored) ? stored : [])
      .map((g) => (g as { words?: unknown } | null)?.words)
      .filter((w): w is string[] => Array.isArray(w) && w.every((x) => typeof x === 'string'));
    const value = { groups, version: doc?.version ?? 0 };
    this.#cached = { value, table: synonymTable(groups), readAt: Date.now() };
    return this.#cached;
  }

  async settings(): Promise<SynonymSettings> {
    return (await this.#read()).value;
  }

  /** Term → the terms of its synonyms (what search expands a query word with). */
  async table(): Promise<Map<string, string[]>> {
    return (await this.#read()).table;
  }

  /** Stores the groups typed in the form: a new version and an audit entry (nothing when unchanged). */
  async save(text: string, actor: AuditActor, ip = ''): Promise<boolean> {
    const groups = parseSynonyms(text);
    this.#cached = null;
    const before = await this.settings();
    if (synonymsText(before.groups) === synonymsText(groups)) return false;
    await saveSettingVersion(
      KEY,
      before.version + 1,
      { groups: groups.map((words) => ({ words })) },
      actor.id,
    );
    this.#cached = null;
    await this.#audit.record({
      actor,
      action: 'search.synonymsChanged',
      target: { type: 'setting', id: KEY, label: String(groups.length) },
      ip,
    });
    return true;
  }
}
