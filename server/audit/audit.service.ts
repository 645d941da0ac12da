import { AuditEntry } from '../../models/audit-entry.ts';
import type { Logger } from '../core/logger.ts';
import { escapeRegex, op } from '../db/query.ts';
import { SIGN_IN_ACTIONS } from './audit-actions.ts';

export interface AuditActor {
  id: string;
  displayName: string;
}

export interface AuditRecord {
  actor?: AuditActor | null;
  action: string;
  target?: { type: string; id?: string; label?: string };
  details?: Record<string, string | number | boolean | null | string[]>;
  ip?: string;
}

export interface AuditFilters {
  action?: string;
  /** Sign-ins and sign-outs too (left out by default, unless `action` names one). */
  withSignIns?: boolean;
  actor?: string;
  from?: Date;
  to?: Date;
  page: number;
}

export const AUDIT_PAGE_SIZE = 50;

/** The audit log: append-only lines for admin actions and sign-in attempts. */
export class AuditService {
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  async record(entry: AuditRecord): Promise<void> {
    await AuditEntry.create({
      at: new Date(),
      actor: entry.actor?.id ?? null,
      actorName: entry.actor?.displayName ?? '',
      action: entry.action,
      target: {
        type: entry.target?.type ?? '',
        id: entry.target?.id ?? '',
        label: entry.target?.label ?? '',
      },
      details: entry.details ?? {},
      ip: entry.ip ?? '',
    });
    this.#logger.info({ audit: entry.action, actor: entry.actor?.id, target: entry.target?.id }, 'audit');
  }

  /** Distinct actions seen so far, for the filter menu. */
  async actions(): Promise<string[]> {
    const list = (await AuditEntry.distinct('action')) as string[];
    return list.sort();
  }

  async list(filters: AuditFilters) {
    const query: Record<string, unknown> = {};
    if (filters.action) query.action = filters.action;
    else if (!filters.withSignIns) query.action = op({ $nin: [...SIGN_IN_ACTIONS] });
    if (filters.actor) query.actorName = op({ $regex: escapeRegex(filters.actor), $options: 'i' });
    if (filters.from || filters.to) {
      query.at = op({
        ...(filters.from ? { $gte: filters.from } : {}),
        ...(filters.to ? { $lt: filters.to } : {}),
      });
    }
    const skip = (filters.page - 1) * AUDIT_PAGE_SIZE;
    const rows = await AuditEntry.find(query)
      .sort({ at: -1, _id: -1 })
      .skip(skip)
      .limit(AUDIT_PAGE_SIZE + 1)
      .lean();
    return {
      entries: rows.slice(0, AUDIT_PAGE_SIZE).map((e) => ({
        id: String(e._id),
        at: e.at,
        actorId: e.actor ? String(e.actor) : null,
        actorName: e.actorName,
        action: e.action,
        target: e.target,
        details: Object.entries((e.details ?? {}) as Record<string, unknown>).map(([key, value]) => ({
          key,
          value: Array.isArray(value) ? value.join(', ') : String(value),
        })),
        ip: e.ip,
      })),
      page: filters.page,
      hasNext: rows.length > AUDIT_PAGE_SIZE,
    };
  }
}
