import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { Types } from 'mongoose';
import { PasswordReset } from '../../models/password-reset.ts';
import { hashPassword, User, type UserDoc } from '../../models/user.ts';
import { identityId, UserIdentity } from '../../models/user-identity.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { Config } from '../config.ts';
import { ValidationError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import { op } from '../db/query.ts';
import type { DatabaseSessionStore } from '../middleware/session-store.ts';
import './auth.events.ts';
import type { UsersRepo } from '../users/users.repo.ts';
import { checkPassword } from './password-policy.ts';
import { type SessionUser, toSessionUser } from './session-user.ts';

export interface AuthDeps {
  config: Config;
  logger: Logger;
  events: EventBus;
  audit: AuditService;
  sessions: DatabaseSessionStore;
  users: UsersRepo;
}

export interface OidcClaims {
  issuer: string;
  subject: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
  locale?: string;
}

export type OidcOutcome =
  | { ok: true; user: SessionUser; linked: 'existing' | 'email' | 'provisioned' }
  | { ok: false; reason: 'deactivated' | 'not_linked' | 'email_taken' | 'no_email' };

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Sign-in, passwords, one-time reset links and single sign-on accounts. */
/** What every request reads of its signed-in person. */
const SESSION_USER_FIELDS = {
  email: 1,
  displayName: 1,
  roles: 1,
  team: 1,
  locale: 1,
  avatar: 1,
  active: 1,
  lastSeenAt: 1,
} as const;

export class AuthService {
  readonly #deps: AuthDeps;
  #dummyHash: Promise<string> | undefined;

  constructor(deps: AuthDeps) {
    this.#deps = deps;
  }

  /**
   * Checks an email and password. Unknown emails cost the same time as wrong
   * passwords, and every outcome is audited; the caller only learns yes or no.
   */
  async verifyCredentials(email: string, password: string, ip: string): Promise<SessionUser | null> {
    // By id once the repository has named the account (an email lookup reads no collection).
    const id = await this.#deps.users.idByEmail(email);
    const user = id ? await User.findById(id).select('+passwordHash') : null;
    let ok = false;
    if (user) ok = await user.verifyPassword(password);
    else {
      this.#dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
      await argon2.verify(await this.#dummyHash, password).catch(() => false);
    }
    const reason = !user ? 'unknown_email' : !ok ? 'wrong_password' : !user.active ? 'deactivated' : null;
    if (reason || !user) {
      await this.#deps.audit.record({
        actor: user ? { id: String(user._id), displayName: user.displayName } : null,
        action: 'auth.login.failure',
        target: {
          type: 'account',
          id: user ? String(user._id) : '',
          label: email.toLowerCase().slice(0, 254),
        },
        details: { reason: reason ?? 'unknown' },
        ip,
      });
      return null;
    }
    await this.#deps.audit.record({
      actor: { id: String(user._id), displayName: user.displayName },
      action: 'auth.login.success',
      target: { type: 'account', id: String(user._id), label: user.email },
      details: { method: 'password' },
      ip,
    });
    await this.#deps.events.publish('user.signedIn', { userId: String(user._id), method: 'password' });
    return toSessionUser(user);
  }

  /** The person behind a session, or null when the account is gone or deactivated. */
  async findSessionUser(id: string): Promise<SessionUser | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const user = await User.findById(id, SESSION_USER_FIELDS).lean();
    if (!user?.active) return null;
    const lastSeen = user.lastSeenAt?.getTime() ?? 0;
    if (Date.now() - lastSeen > 5 * 60_000) {
      // At most one write every five minutes per person.
      void User.updateOne({ _id: user._id }, { $set: { lastSeenAt: new Date() } }).catch(() => {});
    }
    return toSessionUser(user);
  }

  async recordSignOut(user: SessionUser, ip: string): Promise<void> {
    await this.#deps.audit.record({
      actor: { id: user.id, displayName: user.displayName },
      action: 'auth.logout',
      target: { type: 'account', id: user.id, label: user.email },
      ip,
    });
    await this.#deps.events.publish('user.signedOut', { userId: user.id });
  }

  /** Changes one's own password; other sessions of the person end. */
  async changePassword(
    userId: string,
    input: { current: string; next: string },
    context: { sessionId: string; ip: string },
  ): Promise<void> {
    const user = await User.findById(userId).select('+passwordHash');
    if (!user) throw new ValidationError({ current: { key: 'validation.invalid' } });
    if (!(await user.verifyPassword(input.current))) {
      throw new ValidationError({ currentPassword: { key: 'validation.currentPasswordWrong' } });
    }
    const problem = checkPassword(input.next, user);
    if (problem) throw new ValidationError({ newPassword: problem });
    if (await user.verifyPassword(input.next)) {
      throw new ValidationError({ newPassword: { key: 'validation.passwordUnchanged' } });
    }
    await user.setPassword(input.next);
    await user.save();
    const ended = await this.#deps.sessions.destroyForUser(user._id, context.sessionId);
    await this.#deps.audit.record({
      actor: { id: userId, displayName: user.displayName },
      action: 'auth.password.changed',
      target: { type: 'user', id: userId, label: user.email },
      details: { otherSessionsEnded: ended },
      ip: context.ip,
    });
    await this.#deps.events.publish('user.passwordChanged', { userId });
  }

  /** A one-time link to set a password, valid for PASSWORD_RESET_HOURS; replaces earlier links. */
  async createResetLink(
    user: UserDoc | { _id: Types.ObjectId },
    createdBy: string | null,
  ): Promise<{ url: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.#deps.config.passwordResetHours * 3600_000);
    await PasswordReset.deleteMany({ user: user._id });
    await PasswordReset.create({ _id: hashToken(token), user: user._id, expiresAt, createdBy });
    return { url: `${this.#deps.config.publicUrl}/password/reset/${token}`, expiresAt };
  }

  /** The account a reset token opens, or null when the link is unknown, used or expired. */
  async checkResetToken(
    token: string,
  ): Promise<{ userId: string; email: string; displayName: string } | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const reset = await PasswordReset.findById(hashToken(token)).lean();
    if (!reset || reset.expiresAt.getTime() <= Date.now()) return null;
    const user = await User.findById(reset.user).lean();
    if (!user?.active) return null;
    return { userId: String(user._id), email: user.email, displayName: user.displayName };
  }

  /** Sets a new password through a reset link; the link is spent and every session ends. */
  async resetPassword(token: string, password: string, ip: string): Promise<boolean> {
    const target = await this.checkResetToken(token);
    if (!target) return false;
    const user = await User.findById(target.userId).select('+passwordHash');
    if (!user) return false;
    const problem = checkPassword(password, user);
    if (problem) throw new ValidationError({ password: problem });
    // Spend the link first: of two concurrent uses, only one deletes it.
    const spent = await PasswordReset.deleteOne({ _id: hashToken(token) });
    if (spent.deletedCount !== 1) return false;
    await user.setPassword(password);
    await user.save();
    await this.#deps.sessions.destroyForUser(user._id);
    await this.#deps.audit.record({
      actor: { id: String(user._id), displayName: user.displayName },
      action: 'auth.password.reset',
      target: { type: 'user', id: String(user._id), label: user.email },
      ip,
    });
    await this.#deps.events.publish('user.passwordChanged', { userId: String(user._id) });
    return true;
  }

  /** Deletes reset links past their expiry (run on an interval). */
  async removeExpiredResetLinks(): Promise<number> {
    const result = await PasswordReset.deleteMany({ expiresAt: op({ $lte: new Date() }) });
    return result.deletedCount;
  }

  /** Creates the first administrator from ADMIN_EMAIL / ADMIN_PASSWORD when that account is missing. */
  async ensureAdmin(admin: { email: string; password: string; name: string }): Promise<'created' | 'exists'> {
    if (await this.#deps.users.idByEmail(admin.email)) return 'exists';
    const problem = checkPassword(admin.password, { email: admin.email, displayName: admin.name });
    if (problem) throw new Error(`ADMIN_PASSWORD is not acceptable (${problem.key})`);
    const user = new User({ email: admin.email, displayName: admin.name, roles: ['admin'] });
    await user.setPassword(admin.password);
    await user.save();
    await this.#deps.audit.record({
      action: 'users.create',
      target: { type: 'user', id: String(user._id), label: user.email },
      details: { source: 'ADMIN_EMAIL', roles: ['admin'] },
    });
    await this.#deps.events.publish('user.created', { userId: String(user._id), actorId: null });
    return 'created';
  }

  /**
   * Resolves a single-sign-on login to an account: an identity linked before;
   * else, when allowed, the account with the same verified email (linked now);
   * else a new account with the default role, when provisioning is on.
   */
  async resolveOidcLogin(claims: OidcClaims, ip: string): Promise<OidcOutcome> {
    const { oidc } = this.#deps.config;
    const id = identityId(claims.issuer, claims.subject);
    const audit = (
      action: string,
      user: { _id: unknown; displayName: string; email: string } | null,
      details: Record<string, string>,
    ) =>
      this.#deps.audit.record({
        actor: user ? { id: String(user._id), displayName: user.displayName } : null,
        action,
        target: {
          type: 'account',
          id: user ? String(user._id) : '',
          label: user?.email ?? claims.email ?? claims.subject,
        },
        details: { method: 'oidc', issuer: claims.issuer, ...details },
        ip,
      });

    const existing = await UserIdentity.findById(id).lean();
    let user = existing ? await User.findById(existing.user) : null;
    let linked: 'existing' | 'email' | 'provisioned' = 'existing';

    if (!user) {
      const email = claims.email?.trim().toLowerCase();
      const byEmail = email ? await User.findOne({ email }) : null;
      if (byEmail) {
        if (!oidc?.linkByEmail || claims.emailVerified !== true) {
          await audit('auth.login.failure', byEmail, { reason: 'email_not_linkable' });
          return { ok: false, reason: 'email_taken' };
        }
        user = byEmail;
        linked = 'email';
      } else {
        if (!oidc?.autoProvision) {
          await audit('auth.login.failure', null, { reason: 'not_provisioned' });
          return { ok: false, reason: 'not_linked' };
        }
        if (!email) {
          await audit('auth.login.failure', null, { reason: 'no_email' });
          return { ok: false, reason: 'no_email' };
        }
        user = new User({
          email,
          displayName: (claims.name ?? email.split('@')[0] ?? email).slice(0, 80),
          roles: [oidc.defaultRole],
          locale: claims.locale?.startsWith('en') ? 'en' : claims.locale?.startsWith('it') ? 'it' : null,
        });
        await user.save();
        linked = 'provisioned';
        await this.#deps.events.publish('user.created', { userId: String(user._id), actorId: null });
      }
      await UserIdentity.create({
        _id: id,
        issuer: claims.issuer,
        subject: claims.subject,
        user: user._id,
        email: claims.email ?? '',
      });
    }

    if (!user.active) {
      await audit('auth.login.failure', user, { reason: 'deactivated' });
      return { ok: false, reason: 'deactivated' };
    }
    await UserIdentity.updateOne({ _id: id }, { $set: { lastLoginAt: new Date() } });
    await audit('auth.login.success', user, { linked });
    await this.#deps.events.publish('user.signedIn', { userId: String(user._id), method: 'oidc' });
    return { ok: true, user: toSessionUser(user), linked };
  }
}
