import type { Request } from 'express';
import * as client from 'openid-client';
import { Strategy, type VerifyFunctionWithRequest } from 'openid-client/passport';
import type { Config } from '../config.ts';
import type { Logger } from '../core/logger.ts';
import type { AuthService } from './auth.service.ts';
import type { AppPassport } from './passport.ts';

export const OIDC_STRATEGY = 'oidc';

/**
 * Single sign-on with OpenID Connect (openid-client). The provider is
 * discovered on first use, not at start, so an identity provider that is down
 * while the app starts only disables the SSO button until it is back.
 */
export class OidcLogin {
  readonly #config: NonNullable<Config['oidc']>;
  readonly #passport: AppPassport;
  readonly #auth: AuthService;
  readonly #logger: Logger;
  #ready: Promise<void> | undefined;

  constructor(config: NonNullable<Config['oidc']>, passport: AppPassport, auth: AuthService, logger: Logger) {
    this.#config = config;
    this.#passport = passport;
    this.#auth = auth;
    this.#logger = logger;
  }

  get label(): string {
    return this.#config.label;
  }

  /** Discovers the provider and registers the passport strategy (once; retried after a failure). */
  ensureReady(): Promise<void> {
    this.#ready ??= this.#discover().catch((err: unknown) => {
      this.#ready = undefined;
      this.#logger.error({ err, issuer: this.#config.issuer }, 'OpenID Connect discovery failed');
      throw err;
    });
    return this.#ready;
  }

  async #discover(): Promise<void> {
    const configuration = await client.discovery(
      new URL(this.#config.issuer),
      this.#config.clientId,
      this.#config.clientSecret,
      undefined,
      this.#config.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    const verify: VerifyFunctionWithRequest = (req: Request, tokens, verified) => {
      const claims = tokens.claims();
      if (!claims) {
        verified(null, false, { message: 'no_id_token' });
        return;
      }
      // Many providers put email and name only in the UserInfo response.
      const profile = async (): Promise<Record<string, unknown>> => {
        if (typeof claims.email === 'string' && typeof claims.name === 'string') return claims;
        const info = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub);
        return { ...info, ...claims, email: claims.email ?? info.email, name: claims.name ?? info.name };
      };
      profile()
        .then((p) =>
          this.#auth.resolveOidcLogin(
            {
              issuer: claims.iss,
              subject: claims.sub,
              email: typeof p.email === 'string' ? p.email : undefined,
              emailVerified: p.email_verified === true,
              name: typeof p.name === 'string' ? p.name : undefined,
              locale: typeof p.locale === 'string' ? p.locale : undefined,
            },
            req.ip ?? '',
          ),
        )
        .then(
          (outcome) =>
            outcome.ok ? verified(null, outcome.user) : verified(null, false, { message: outcome.reason }),
          (err: unknown) => verified(err),
        );
    };
    const strategy = new Strategy(
      {
        config: configuration,
        name: OIDC_STRATEGY,
        sessionKey: 'oidc',
        scope: 'openid email profile',
        callbackURL: this.#config.callbackUrl,
        passReqToCallback: true,
      },
      verify,
    );
    this.#passport.use(OIDC_STRATEGY, strategy);
    this.#logger.info({ issuer: this.#config.issuer }, 'OpenID Connect provider discovered');
  }
}
