import { Setting, saveSettingVersion } from '../../models/setting.ts';
import type { AuditActor, AuditService } from '../audit/audit.service.ts';

export interface PublishingSettings {
  /** Publishing needs a knowledge manager other than the editor of the version published. */
  secondReviewer: boolean;
}

const KEY = 'kbPublishing';

/**
 * The knowledge base's publishing rule (versioned and audited like the other
 * settings). Read at every publish and on article pages, so cached in the
 * process and re-read after a change or at most every few seconds (another
 * instance may have changed it).
 */
export class KbSettings {
  static readonly CACHE_MS = 5_000;
  readonly #audit: AuditService;
  #cached: { value: PublishingSettings; readAt: number } | null = null;

  constructor(audit: AuditService) {
    this.#audit = audit;
  }

  async publishing(): Promise<PublishingSettings> {
    if (this.#cached && Date.now() - this.#cached.readAt < KbSettings.CACHE_MS) return this.#cached.value;
    const doc = await Setting.findById(KEY).lean();
    const value = {
      secondReviewer: (doc?.value as Partial<PublishingSettings> | undefined)?.secondReviewer === true,
    };
    this.#cached = { value, readAt: Date.now() };
    return value;
  }

  /** Turns the second-reviewer rule on or off: a new version and an audit entry (nothing when unchanged). */
  async setSecondReviewer(on: boolean, actor: AuditActor, ip = ''): Promise<boolean> {
    const before = await this.publishing();
    if (before.secondReviewer === on) return false;
    const doc = await Setting.findById(KEY).lean();
    await saveSettingVersion(KEY, (doc?.version ?? 0) + 1, { secondReviewer: on }, actor.id);
    this.#cached = null;
    await this.#audit.record({
      actor,
      action: on ? 'kb.secondReviewerOn' : 'kb.secondReviewerOff',
      target: { type: 'setting', id: KEY, label: '' },
      ip,
    });
    return true;
  }
}
