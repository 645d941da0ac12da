import { z } from 'zod';
import { Setting, SettingVersion, saveSettingVersion } from '../../models/setting.ts';
import type { AuditActor, AuditService } from '../audit/audit.service.ts';
import { parseInput } from '../core/validation.ts';
import { MINIMUM_GROUP_SIZE } from './scoring.policy.ts';
import { DEFAULT_RULES, rulesSchema, type ScoringRules, wholeNumber } from './scoring.rules.ts';

export const PRIVACY_MODES = ['open', 'protected'] as const;
export type PrivacyMode = (typeof PRIVACY_MODES)[number];

export interface PrivacySettings {
  mode: PrivacyMode;
  /** Aggregates of fewer people than this are merged or withheld (protected mode). */
  minimumGroupSize: number;
}

/** The privacy settings as an admin's form sends them (fields are strings). */
export const privacySettingsSchema = z.object({
  mode: z.enum(PRIVACY_MODES, { error: 'validation.choice' }),
  minimumGroupSize: wholeNumber(MINIMUM_GROUP_SIZE.min, MINIMUM_GROUP_SIZE.max),
});

/** Stored privacy settings, with the defaults for what an older version lacks. */
function readPrivacy(stored: unknown): PrivacySettings {
  const s = (stored ?? {}) as { mode?: unknown; minimumGroupSize?: unknown };
  const size = s.minimumGroupSize;
  return {
    mode: s.mode === 'protected' ? 'protected' : 'open',
    minimumGroupSize:
      typeof size === 'number' &&
      Number.isInteger(size) &&
      size >= MINIMUM_GROUP_SIZE.min &&
      size <= MINIMUM_GROUP_SIZE.max
        ? size
        : MINIMUM_GROUP_SIZE.default,
  };
}

export interface RulesVersion {
  version: number;
  rules: ScoringRules;
  updatedAt: Date | null;
  updatedBy: string | null;
}

function mergeRules(stored: Partial<ScoringRules> | undefined): ScoringRules {
  const s = stored ?? {};
  return {
    points: { ...DEFAULT_RULES.points, ...(s.points ?? {}) },
    caps: { ...DEFAULT_RULES.caps, ...(s.caps ?? {}) },
    halfLifeDays: s.halfLifeDays ?? DEFAULT_RULES.halfLifeDays,
    levels: {
      contributor: { ...DEFAULT_RULES.levels.contributor, ...(s.levels?.contributor ?? {}) },
      publisher: { ...DEFAULT_RULES.levels.publisher, ...(s.levels?.publisher ?? {}) },
      coach: { ...DEFAULT_RULES.levels.coach, ...(s.levels?.coach ?? {}) },
    },
    serialVoting: { ...DEFAULT_RULES.serialVoting, ...(s.serialVoting ?? {}) },
  };
}

/**
 * The organisation's scoring settings: the rules table (versioned; version 0
 * is the product's defaults) and the privacy mode. Read on every score event,
 * so the current values are cached in the process and re-read after a change
 * or at most every few seconds (another instance may have changed them).
 */
export class ScoringSettings {
  readonly #audit: AuditService;
  #rules: { value: RulesVersion; readAt: number } | null = null;
  #privacy: { value: PrivacySettings; readAt: number } | null = null;
  static readonly CACHE_MS = 5_000;

  constructor(audit: AuditService) {
    this.#audit = audit;
  }

  async rules(): Promise<RulesVersion> {
    if (this.#rules && Date.now() - this.#rules.readAt < ScoringSettings.CACHE_MS) return this.#rules.value;
    const doc = await Setting.findById('scoring').lean();
    const value: RulesVersion = doc
      ? {
          version: doc.version,
          rules: mergeRules(doc.value as Partial<ScoringRules>),
          updatedAt: doc.updatedAt,
          updatedBy: doc.updatedBy ? String(doc.updatedBy) : null,
        }
      : { version: 0, rules: mergeRules(undefined), updatedAt: null, updatedBy: null };
    this.#rules = { value, readAt: Date.now() };
    return value;
  }

  /** Every saved version, newest first (version 0, the defaults, is implied). */
  async history(): Promise<RulesVersion[]> {
    const current = await this.rules();
    const ids = Array.from({ length: current.version }, (_, i) => `scoring:${current.version - i}`);
    const docs = await Promise.all(ids.map((id) => SettingVersion.findById(id).lean()));
    return docs
      .filter((d) => d !== null)
      .map((d) => ({
        version: d.version,
        rules: mergeRules(d.value as Partial<ScoringRules>),
        updatedAt: d.updatedAt,
        updatedBy: d.updatedBy ? String(d.updatedBy) : null,
      }));
  }

  /**
   * Saves a new version of the rules (validated; an admin's form). Applies to
   * events from now on; the audit entry lists every value that changed.
   */
  async updateRules(
    input: unknown,
    actor: AuditActor,
    ip = '',
  ): Promise<{ version: number; changed: string[] }> {
    const rules = parseInput(rulesSchema, input) as ScoringRules;
    const current = await this.rules();
    const changed = diffRules(current.rules, rules);
    if (changed.length === 0) return { version: current.version, changed };
    const version = current.version + 1;
    await saveSettingVersion('scoring', version, rules, actor.id);
    this.#rules = null;
    await this.#audit.record({
      actor,
      action: 'scoring.rulesChanged',
      target: { type: 'setting', id: 'scoring', label: `v${version}` },
      details: { version, changed: changed.slice(0, 40) },
      ip,
    });
    return { version, changed };
  }

  async privacy(): Promise<PrivacyMode> {
    return (await this.privacySettings()).mode;
  }

  /** The privacy mode and the minimum group size of aggregates (see scoring.policy.ts). */
  async privacySettings(): Promise<PrivacySettings> {
    if (this.#privacy && Date.now() - this.#privacy.readAt < ScoringSettings.CACHE_MS)
      return this.#privacy.value;
    const doc = await Setting.findById('privacy').lean();
    const value = readPrivacy(doc?.value);
    this.#privacy = { value, readAt: Date.now() };
    return value;
  }

  async setPrivacy(mode: PrivacyMode, actor: AuditActor, ip = ''): Promise<void> {
    const current = await this.privacySettings();
    await this.updatePrivacy({ mode, minimumGroupSize: current.minimumGroupSize }, actor, ip);
  }

  /**
   * Saves the privacy settings (validated; an admin's form) as a new version,
   * with an audit entry for each value that changed.
   */
  async updatePrivacy(input: unknown, actor: AuditActor, ip = ''): Promise<{ changed: string[] }> {
    const next = parseInput(privacySettingsSchema, input);
    const before = await this.privacySettings();
    const changed = (['mode', 'minimumGroupSize'] as const)
      .filter((key) => before[key] !== next[key])
      .map((key) => `${key}: ${before[key]} → ${next[key]}`);
    if (changed.length === 0) return { changed };
    const doc = await Setting.findById('privacy').lean();
    const version = (doc?.version ?? 0) + 1;
    await saveSettingVersion(
      'privacy',
      version,
      { mode: next.mode, minimumGroupSize: next.minimumGroupSize },
      actor.id,
    );
    this.#privacy = null;
    if (before.mode !== next.mode)
      await this.#audit.record({
        actor,
        action: 'scoring.privacyChanged',
        target: { type: 'setting', id: 'privacy', label: next.mode },
        details: { before: before.mode, after: next.mode },
        ip,
      });
    if (before.minimumGroupSize !== next.minimumGroupSize)
      await this.#audit.record({
        actor,
        action: 'scoring.minimumGroupSizeChanged',
        target: { type: 'setting', id: 'privacy', label: String(next.minimumGroupSize) },
        details: { before: before.minimumGroupSize, after: next.minimumGroupSize },
        ip,
      });
    return { changed };
  }

  /** Forgets the cached values (tests, and after a change made elsewhere). */
  invalidate(): void {
    this.#rules = null;
    this.#privacy = null;
  }
}

/** The dotted names of the values that differ (`points.voteCast: 1 → 2`). */
export function diffRules(before: ScoringRules, after: ScoringRules): string[] {
  const changed: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
        walk(
          (a as Record<string, unknown>)[key],
          (b as Record<string, unknown>)[key],
          path ? `${path}.${key}` : key,
        );
    } else if (a !== b) changed.push(`${path}: ${String(a)} → ${String(b)}`);
  };
  walk(before, after, '');
  return changed;
}
