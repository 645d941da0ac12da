import { parse as parseCsv } from 'csv-parse/sync';
import { Types } from 'mongoose';
import { Team } from '../../models/team.ts';
import { foldName, ROLES, type Role, User, type UserDoc } from '../../models/user.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { SessionUser } from '../auth/session-user.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import { escapeRegex, op } from '../db/query.ts';
import type { DatabaseSessionStore } from '../middleware/session-store.ts';
import type { UsersRepo } from './users.repo.ts';
import type { AdminUserInput } from './users.schemas.ts';
import '../auth/auth.events.ts';

export const USERS_PAGE_SIZE = 25;
export const IMPORT_MAX_ROWS = 2000;

export interface UsersDeps {
  events: EventBus;
  audit: AuditService;
  auth: AuthService;
  sessions: DatabaseSessionStore;
  users: UsersRepo;
}

export interface ActionContext {
  actor: SessionUser;
  ip: string;
}

/** What importing a row does: a new account, changes to the account with its email, or nothing. */
export type ImportAction = 'create' | 'update' | 'unchanged';

/** The fields an import may change on an existing account. */
export type ImportChange = 'name' | 'roles' | 'team' | 'locale' | 'deactivate' | 'reactivate';

export interface ImportRow {
  line: number;
  email: string;
  displayName: string;
  roles: string[];
  team: string;
  locale: string;
  /** The status column: true active, false deactivated, null not given. */
  active: boolean | null;
  action: ImportAction;
  changes: ImportChange[];
  /** The existing account with this email. */
  userId: string | null;
  errors: Array<{ key: string; params?: Record<string, string | number> }>;
}

export interface ImportPreview {
  rows: ImportRow[];
  valid: number;
  invalid: number;
  /** Valid rows that create or change an account (the others change nothing). */
  writes?: number;
  /** Problems with the file itself (no header, too many rows). */
  fileErrors: Array<{ key: string; params?: Record<string, string | number> }>;
}

export interface ImportResult {
  written: boolean;
  created: Array<{ email: string; displayName: string; resetUrl: string }>;
  updated: Array<{ email: string; displayName: string; changes: ImportChange[] }>;
  skipped: ImportRow[];
}

type ImportColumn = 'email' | 'displayName' | 'roles' | 'team' | 'locale' | 'status';

/** Status cells: active or deactivated, in either language. */
const STATUS_VALUES: Record<string, boolean> = {
  active: true,
  attivo: true,
  attiva: true,
  yes: true,
  si: true,
  sì: true,
  '1': true,
  inactive: false,
  deactivated: false,
  disattivato: false,
  disattivata: false,
  inattivo: false,
  no: false,
  '0': false,
};

const HEADER_ALIASES: Record<string, ImportColumn> = {
  email: 'email',
  'e-mail': 'email',
  mail: 'email',
  name: 'displayName',
  nome: 'displayName',
  displayname: 'displayName',
  'display name': 'displayName',
  roles: 'roles',
  role: 'roles',
  ruoli: 'roles',
  ruolo: 'roles',
  team: 'team',
  squadra: 'team',
  locale: 'locale',
  language: 'locale',
  lingua: 'locale',
  status: 'status',
  stato: 'status',
  active: 'status',
  attivo: 'status',
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Comma, or semicolon when the header line uses semicolons (Italian spreadsheets). */
function delimiterOf(csv: string): string {
  const header = csv.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  return (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/** Saves an account; a concurrent account with the same email becomes a field error. */
async function saveAccount(user: UserDoc): Promise<void> {
  try {
    await user.save();
  } catch (err) {
    if ((err as { code?: number }).code === 11000)
      throw new ValidationError({ email: { key: 'validation.emailTaken' } });
    throw err;
  }
}

function actorOf(context: ActionContext) {
  return { id: context.actor.id, displayName: context.actor.displayName };
}

/** Accounts, as administrators manage them. */
export class UsersService {
  readonly #deps: UsersDeps;

  constructor(deps: UsersDeps) {
    this.#deps = deps;
  }

  async list(filters: {
    q?: string;
    role?: Role;
    team?: string;
    status?: 'active' | 'inactive' | 'all';
    page: number;
  }) {
    const query: Record<string, unknown> = {};
    if (filters.q) {
      const pattern = escapeRegex(foldName(filters.q));
      query.$or = [
        { nameKey: op({ $regex: pattern }) },
        { email: op({ $regex: escapeRegex(filters.q.toLowerCase()) }) },
      ];
    }
    if (filters.role) query.roles = filters.role;
    if (filters.team) query.team = new Types.ObjectId(filters.team);
    const status = filters.status ?? 'active';
    if (status !== 'all') query.active = status === 'active';
    const rows = await User.find(query)
      .sort({ nameKey: 1, _id: 1 })
      .skip((filters.page - 1) * USERS_PAGE_SIZE)
      .limit(USERS_PAGE_SIZE + 1)
      .lean();
    const teams = new Map((await Team.find({}, { name: 1 }).lean()).map((t) => [String(t._id), t.name]));
    return {
      users: rows.slice(0, USERS_PAGE_SIZE).map((u) => ({
        id: String(u._id),
        email: u.email,
        displayName: u.displayName,
        roles: u.roles,
        team: u.team ? (teams.get(String(u.team)) ?? '') : '',
        active: u.active,
        lastSeenAt: u.lastSeenAt,
      })),
      page: filters.page,
      hasNext: rows.length > USERS_PAGE_SIZE,
    };
  }

  async get(id: string) {
    const user = Types.ObjectId.isValid(id) ? await User.findById(id).lean() : null;
    if (!user) throw new NotFoundError('users.notFound');
    return user;
  }

  async #checkTeam(teamId: string | undefined): Promise<Types.ObjectId | null> {
    if (!teamId) return null;
    const team = await Team.findById(teamId, { _id: 1 }).lean();
    if (!team) throw new ValidationError({ team: { key: 'validation.teamUnknown' } });
    return team._id;
  }

  async create(
    input: AdminUserInput,
    context: ActionContext,
  ): Promise<{ id: string; resetUrl: string; expiresAt: Date }> {
    const team = await this.#checkTeam(input.team);
    if (await this.#deps.users.idByEmail(input.email))
      throw new ValidationError({ email: { key: 'validation.emailTaken' } });
    const user = new User({
      email: input.email,
      displayName: input.displayName,
      roles: input.roles,
      team,
      locale: input.locale,
    });
    await saveAccount(user);
    const link = await this.#deps.auth.createResetLink(user, context.actor.id);
    await this.#deps.audit.record({
      actor: actorOf(context),
      action: 'users.create',
      target: { type: 'user', id: String(user._id), label: user.email },
      details: { roles: input.roles, team: team ? String(team) : '' },
      ip: context.ip,
    });
    await this.#deps.events.publish('user.created', { userId: String(user._id), actorId: context.actor.id });
    return { id: String(user._id), resetUrl: link.url, expiresAt: link.expiresAt };
  }

  /** Refuses a change that would leave no active administrator. */
  async #ensureAnotherAdmin(userId: Types.ObjectId): Promise<void> {
    const others = await User.countDocuments({ roles: 'admin', active: true, _id: op({ $ne: userId }) });
    if (others === 0) throw new ValidationError({ roles: { key: 'validation.lastAdmin' } });
  }

  async update(id: string, input: AdminUserInput, context: ActionContext): Promise<void> {
    const user = Types.ObjectId.isValid(id) ? await User.findById(id) : null;
    if (!user) throw new NotFoundError('users.notFound');
    const team = await this.#checkTeam(input.team);
    const holder = input.email !== user.email ? await this.#deps.users.idByEmail(input.email) : null;
    if (holder && holder !== id) {
      throw new ValidationError({ email: { key: 'validation.emailTaken' } });
    }
    if (user.roles.includes('admin') && !input.roles.includes('admin'))
      await this.#ensureAnotherAdmin(user._id);

    const before = {
      email: user.email,
      displayName: user.displayName,
      roles: [...user.roles].sort().join(','),
      team: user.team ? String(user.team) : '',
      locale: user.locale ?? '',
    };
    user.email = input.email;
    user.displayName = input.displayName;
    user.roles = input.roles;
    user.team = team;
    user.locale = input.locale;
    const after = {
      email: user.email,
      displayName: user.displayName,
      roles: [...input.roles].sort().join(','),
      team: team ? String(team) : '',
      locale: input.locale ?? '',
    };
    const changed = (Object.keys(before) as Array<keyof typeof before>).filter((k) => before[k] !== after[k]);
    if (changed.length === 0) return;
    await saveAccount(user);
    // A team lead who is no longer one stops leading teams.
    if (!input.roles.includes('team_lead'))
      await Team.updateMany({ leads: user._id }, { $pull: { leads: user._id } });
    const details: Record<string, string> = {};
    for (const key of changed) details[key] = `${before[key] || '—'} → ${after[key] || '—'}`;
    await this.#deps.audit.record({
      actor: actorOf(context),
      action: 'users.update',
      target: { type: 'user', id, label: user.email },
      details,
      ip: context.ip,
    });
    await this.#deps.events.publish('user.updated', { userId: id, actorId: context.actor.id, changed });
  }

  async setActive(id: string, active: boolean, context: ActionContext): Promise<void> {
    const user = Types.ObjectId.isValid(id) ? await User.findById(id) : null;
    if (!user) throw new NotFoundError('users.notFound');
    if (user.active === active) return;
    if (!active) {
      if (String(user._id) === context.actor.id) throw new ConflictError('users.cannotDeactivateSelf');
      if (user.roles.includes('admin')) await this.#ensureAnotherAdmin(user._id);
    }
    user.active = active;
    user.deactivatedAt = active ? null : new Date();
    await user.save();
    const endedSessions = active ? 0 : await this.#deps.sessions.destroyForUser(user._id);
    await this.#deps.audit.record({
      actor: actorOf(context),
      action: active ? 'users.reactivate' : 'users.deactivate',
      target: { type: 'user', id, label: user.email },
      details: active ? {} : { sessionsEnded: endedSessions },
      ip: context.ip,
    });
    await this.#deps.events.publish(active ? 'user.reactivated' : 'user.deactivated', {
      userId: id,
      actorId: context.actor.id,
    });
  }

  async resetPassword(
    id: string,
    context: ActionContext,
  ): Promise<{ url: string; expiresAt: Date; email: string; displayName: string }> {
    const user = Types.ObjectId.isValid(id) ? await User.findById(id) : null;
    if (!user) throw new NotFoundError('users.notFound');
    if (!user.active) throw new ConflictError('users.resetInactive');
    const link = await this.#deps.auth.createResetLink(user, context.actor.id);
    await this.#deps.audit.record({
      actor: actorOf(context),
      action: 'users.resetPassword',
      target: { type: 'user', id, label: user.email },
      details: { expiresAt: link.expiresAt.toISOString() },
      ip: context.ip,
    });
    await this.#deps.events.publish('user.passwordResetByAdmin', { userId: id, actorId: context.actor.id });
    return { ...link, email: user.email, displayName: user.displayName };
  }

  /**
   * Reads an import file and checks every row against the rules and the
   * database, writing nothing. Columns: email, name, roles (separated by ";"
   * or "|"), team (slug or name), locale (optional).
   */
  async previewImport(csv: string): Promise<ImportPreview> {
    const fileErrors: ImportPreview['fileErrors'] = [];
    let records: string[][];
    try {
      records = parseCsv(csv.replace(/^\uFEFF/, ''), {
        skip_empty_lines: true,
        trim: true,
        relax_column_count: true,
        // Spreadsheets in Italian locales save CSV with semicolons.
        delimiter: delimiterOf(csv),
      }) as string[][];
    } catch (err) {
      return {
        rows: [],
        valid: 0,
        invalid: 0,
        fileErrors: [
          {
            key: 'users.import.unreadable',
            params: { reason: String((err as Error).message).slice(0, 200) },
          },
        ],
      };
    }
    const [header, ...body] = records;
    if (!header) return { rows: [], valid: 0, invalid: 0, fileErrors: [{ key: 'users.import.empty' }] };
    const columns = header.map((h) => HEADER_ALIASES[h.trim().toLowerCase()]);
    if (!columns.includes('email') || !columns.includes('displayName')) {
      fileErrors.push({ key: 'users.import.missingColumns' });
      return { rows: [], valid: 0, invalid: 0, fileErrors };
    }
    if (body.length > IMPORT_MAX_ROWS) {
      fileErrors.push({ key: 'users.import.tooManyRows', params: { max: IMPORT_MAX_ROWS } });
      return { rows: [], valid: 0, invalid: 0, fileErrors };
    }

    const teams = await Team.find({}, { name: 1, slug: 1 }).lean();
    const teamByKey = new Map<string, string>();
    for (const t of teams) {
      teamByKey.set(t.slug.toLowerCase(), String(t._id));
      teamByKey.set(foldName(t.name), String(t._id));
    }
    const emails = body.map((r) => (r[columns.indexOf('email')] ?? '').trim().toLowerCase()).filter(Boolean);
    // The accounts these emails already have: their rows update them.
    const existing = new Map(
      (
        await User.find(
          { email: op({ $in: [...new Set(emails)] }) },
          { email: 1, displayName: 1, roles: 1, team: 1, locale: 1, active: 1 },
        ).lean()
      ).map((u) => [u.email, u]),
    );
    const seen = new Map<string, number>();
    /** Rows whose roles cell is filled in (an empty one keeps an existing account's roles). */
    const rolesGiven = new Set<number>();

    const rows: ImportRow[] = body.map((record, index) => {
      const value = (key: ImportColumn) => {
        const i = columns.indexOf(key);
        return i >= 0 ? (record[i] ?? '').trim() : '';
      };
      const status = value('status').toLowerCase();
      const row: ImportRow = {
        line: index + 2,
        email: value('email').toLowerCase(),
        displayName: value('displayName'),
        roles: (value('roles') || 'operator')
          .split(/[;|]/)
          .map((r) => r.trim().toLowerCase())
          .filter(Boolean),
        team: value('team'),
        locale: value('locale').toLowerCase(),
        active: status ? (STATUS_VALUES[status] ?? null) : null,
        action: 'create',
        changes: [],
        userId: null,
        errors: [],
      };
      if (value('roles')) rolesGiven.add(row.line);
      if (!row.email) row.errors.push({ key: 'users.import.errors.emailMissing' });
      else if (!EMAIL.test(row.email) || row.email.length > 254)
        row.errors.push({ key: 'users.import.errors.emailInvalid' });
      else if (seen.has(row.email))
        row.errors.push({
          key: 'users.import.errors.emailDuplicate',
          params: { line: seen.get(row.email)! },
        });
      if (row.email && !seen.has(row.email)) seen.set(row.email, row.line);
      if (!row.displayName) row.errors.push({ key: 'users.import.errors.nameMissing' });
      else if (row.displayName.length > 80) row.errors.push({ key: 'users.import.errors.nameTooLong' });
      const badRoles = row.roles.filter((r) => !(ROLES as readonly string[]).includes(r));
      if (badRoles.length)
        row.errors.push({ key: 'users.import.errors.roleUnknown', params: { roles: badRoles.join(', ') } });
      if (row.team && !teamByKey.has(row.team.toLowerCase()) && !teamByKey.has(foldName(row.team))) {
        row.errors.push({ key: 'users.import.errors.teamUnknown', params: { team: row.team } });
      }
      if (row.locale && row.locale !== 'it' && row.locale !== 'en')
        row.errors.push({ key: 'users.import.errors.localeUnknown' });
      if (status && row.active === null)
        row.errors.push({ key: 'users.import.errors.statusUnknown', params: { status } });
      return row;
    });
    for (const row of rows) {
      if (row.team)
        row.team = teamByKey.get(row.team.toLowerCase()) ?? teamByKey.get(foldName(row.team)) ?? row.team;
      const account = existing.get(row.email);
      if (!account) {
        if (row.active === false) row.errors.push({ key: 'users.import.errors.deactivateUnknown' });
        continue;
      }
      // An existing account: what its row changes. A column left empty (or absent) keeps the value.
      row.userId = String(account._id);
      // An empty roles cell keeps the account's roles: the preview shows those.
      if (!rolesGiven.has(row.line)) row.roles = [...account.roles];
      if (row.displayName && row.displayName !== account.displayName) row.changes.push('name');
      if (rolesGiven.has(row.line) && [...row.roles].sort().join(',') !== [...account.roles].sort().join(','))
        row.changes.push('roles');
      if (row.team && row.team !== String(account.team ?? '')) row.changes.push('team');
      if (row.locale && row.locale !== (account.locale ?? '')) row.changes.push('locale');
      if (row.active === false && account.active) row.changes.push('deactivate');
      if (row.active === true && !account.active) row.changes.push('reactivate');
      row.action = row.changes.length > 0 ? 'update' : 'unchanged';
    }
    const valid = rows.filter((r) => r.errors.length === 0).length;
    const writes = rows.filter((r) => r.errors.length === 0 && r.action !== 'unchanged').length;
    return { rows, valid, invalid: rows.length - valid, writes, fileErrors };
  }

  /**
   * Imports the valid rows, or nothing at all when `allOrNothing` and any row
   * is bad. The file is checked again here (never trusting the preview); each
   * new account gets a one-time link to set its password; an existing
   * account (same email) gets the changes of its row through the same rules
   * as the account form (never the last administrator's role or account).
   */
  async commitImport(
    csv: string,
    allOrNothing: boolean,
    context: ActionContext,
  ): Promise<ImportResult & { preview: ImportPreview }> {
    const preview = await this.previewImport(csv);
    const bad = preview.rows.filter((r) => r.errors.length > 0);
    const nothing = { written: false, created: [], updated: [], preview };
    if (preview.fileErrors.length > 0 || preview.rows.length === 0 || (allOrNothing && bad.length > 0)) {
      return { ...nothing, skipped: bad };
    }
    const good = preview.rows.filter((r) => r.errors.length === 0);
    const inserted: Array<{ _id: Types.ObjectId; email: string; displayName: string }> = [];
    const raced: ImportRow[] = [];
    for (const row of good.filter((r) => r.action === 'create')) {
      try {
        const user = await User.create({
          email: row.email,
          displayName: row.displayName,
          roles: row.roles as Role[],
          team: row.team ? new Types.ObjectId(row.team) : null,
          locale: row.locale === 'it' || row.locale === 'en' ? row.locale : null,
          ...(row.active === false ? { active: false, deactivatedAt: new Date() } : {}),
        });
        inserted.push({ _id: user._id, email: user.email, displayName: user.displayName });
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        raced.push({ ...row, errors: [{ key: 'users.import.errors.emailExists' }] });
      }
    }
    if (allOrNothing && raced.length > 0) {
      // Someone created one of these accounts meanwhile: undo, so that nothing is written.
      await User.deleteMany({ _id: op({ $in: inserted.map((u) => u._id) }) });
      return { ...nothing, skipped: raced };
    }
    const updated: ImportResult['updated'] = [];
    const refused: ImportRow[] = [];
    for (const row of good.filter((r) => r.action === 'update' && r.userId)) {
      try {
        await this.#applyImportRow(row, context);
        updated.push({ email: row.email, displayName: row.displayName, changes: row.changes });
      } catch (err) {
        if (
          !(err instanceof ValidationError) &&
          !(err instanceof ConflictError) &&
          !(err instanceof NotFoundError)
        )
          throw err;
        const fields = err instanceof ValidationError ? Object.values(err.fields) : [];
        const reason = {
          key: fields[0]?.key ?? (err as ConflictError).messageKey ?? 'users.import.errors.refused',
        };
        refused.push({ ...row, errors: [reason] });
        // The preview shown with the result names the refused row and why.
        row.errors.push(reason);
        preview.valid--;
        preview.invalid++;
        if (preview.writes) preview.writes--;
      }
    }
    const created: ImportResult['created'] = [];
    for (const user of inserted) {
      const link = await this.#deps.auth.createResetLink(user, context.actor.id);
      created.push({ email: user.email, displayName: user.displayName, resetUrl: link.url });
      await this.#deps.events.publish('user.created', {
        userId: String(user._id),
        actorId: context.actor.id,
      });
    }
    const skipped = [...bad, ...raced, ...refused];
    await this.#deps.audit.record({
      actor: actorOf(context),
      action: 'users.import',
      target: { type: 'users', label: `${created.length}` },
      details: { created: created.length, updated: updated.length, skipped: skipped.length, allOrNothing },
      ip: context.ip,
    });
    return { written: created.length + updated.length > 0, created, updated, skipped, preview };
  }

  /** One existing account's changes from an import row, through the account form's own rules. */
  async #applyImportRow(row: ImportRow, context: ActionContext): Promise<void> {
    const id = row.userId!;
    const fields = row.changes.filter((c) => c !== 'deactivate' && c !== 'reactivate');
    if (fields.length > 0) {
      const user = await this.get(id);
      await this.update(
        id,
        {
          email: user.email,
          displayName: fields.includes('name') ? row.displayName : user.displayName,
          roles: (fields.includes('roles') ? row.roles : user.roles) as Role[],
          team: fields.includes('team') ? row.team : user.team ? String(user.team) : undefined,
          locale: (fields.includes('locale')
            ? row.locale
            : (user.locale ?? null)) as AdminUserInput['locale'],
        } as AdminUserInput,
        context,
      );
    }
    if (row.changes.includes('deactivate')) await this.setActive(id, false, context);
    if (row.changes.includes('reactivate')) await this.setActive(id, true, context);
  }
}
