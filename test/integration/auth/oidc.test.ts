import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import getPort from 'get-port';
import Provider from 'oidc-provider';
import { AuditEntry } from '../../../models/audit-entry.ts';
import { User } from '../../../models/user.ts';
import { UserIdentity } from '../../../models/user-identity.ts';
import { type TestApp, useTestApp } from '../../helpers/app.ts';
import { CookieBrowser } from '../../helpers/browser-fetch.ts';
import { createUser } from '../../helpers/users.ts';

interface Claims {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  locale?: string;
}

/**
 * A real OpenID Connect provider (oidc-provider) on a loopback port. Its
 * interaction step signs in whoever `nextLogin` names and grants consent.
 */
async function startProvider(accounts: Map<string, Claims>, nextLogin: { sub: string }) {
  const port = await getPort({ host: '127.0.0.1' });
  const issuer = `http://127.0.0.1:${port}`;
  const appPort = await getPort({ host: '127.0.0.1' });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'passaparola',
        client_secret: 'test-client-secret-0123456789',
        redirect_uris: [`http://127.0.0.1:${appPort}/auth/oidc/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'locale'] },
    findAccount: async (_ctx: unknown, sub: string) => {
      const claims = accounts.get(sub);
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => claims };
    },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
  });
  const callback = provider.callback();
  const server = http.createServer(async (req, res) => {
    try {
      if (req.url?.startsWith('/interaction/')) {
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name === 'login') {
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId: nextLogin.sub } },
            { mergeWithLastSubmission: false },
          );
        } else {
          const grant = new provider.Grant({
            accountId: String(details.session?.accountId),
            clientId: String(details.params.client_id),
          });
          grant.addOIDCScope('openid email profile');
          const grantId = await grant.save();
          await provider.interactionFinished(
            req,
            res,
            { consent: { grantId } },
            { mergeWithLastSubmission: true },
          );
        }
        return;
      }
      callback(req, res);
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { issuer, appPort, server };
}

function oidcSuite(
  title: string,
  linkByEmail: boolean,
  body: (ctx: {
    t: TestApp;
    login: (sub: string) => Promise<{ res: Response; url: string; browser: CookieBrowser }>;
    accounts: Map<string, Claims>;
  }) => void,
) {
  describe(title, function () {
    this.timeout(60_000);
    const accounts = new Map<string, Claims>();
    const nextLogin = { sub: '' };
    let provider: Awaited<ReturnType<typeof startProvider>>;
    let appServer: http.Server;
    let appUrl = '';

    before(async () => {
      provider = await startProvider(accounts, nextLogin);
    });

    const t = useTestApp({
      env: () => ({
        PUBLIC_URL: `http://127.0.0.1:${provider.appPort}`,
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: 'passaparola',
        OIDC_CLIENT_SECRET: 'test-client-secret-0123456789',
        OIDC_LABEL: 'Aurora ID',
        OIDC_ALLOW_HTTP: 'true',
        OIDC_LINK_BY_EMAIL: String(linkByEmail),
      }),
    });

    // biome-ignore lint/suspicious/noDuplicateTestHooks: runs after useTestApp's hook has built the app
    before(async () => {
      appServer = http.createServer(t.app);
      await new Promise<void>((resolve) => appServer.listen(provider.appPort, '127.0.0.1', resolve));
      appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
    });

    after(async () => {
      appServer.closeAllConnections();
      await new Promise((resolve) => appServer.close(resolve));
      provider.server.closeAllConnections();
      await new Promise((resolve) => provider.server.close(resolve));
    });

    const login = async (sub: string) => {
      nextLogin.sub = sub;
      const browser = new CookieBrowser();
      const { res, url } = await browser.follow(`${appUrl}/auth/oidc?next=/people`);
      return { res, url, browser };
    };

    body({ t, login, accounts });
  });
}

oidcSuite('single sign-on with OpenID Connect', false, ({ t, login, accounts }) => {
  it('offers the provider on the sign-in page', async () => {
    const res = await t.request().get('/login').expect(200);
    expect(res.text).to.include('Accedi con Aurora ID');
  });

  it('provisions an account on first sign-in with the default role, then reuses the link', async () => {
    accounts.set('emp-1001', {
      sub: 'emp-1001',
      email: 'nuovo.collega@aurora.example',
      email_verified: true,
      name: 'Nuovo Collega',
      locale: 'it-IT',
    });
    const first = await login('emp-1001');
    expect(first.url.endsWith('/people'), `ended at ${first.url}`).to.equal(true);
    expect(first.res.status).to.equal(200);
    const user = await User.findOne({ email: 'nuovo.collega@aurora.example' }).lean();
    expect(user?.roles).to.deep.equal(['operator']);
    expect(user?.displayName).to.equal('Nuovo Collega');
    const identities = await UserIdentity.find({ user: user?._id }).lean();
    expect(identities).to.have.length(1);
    expect(identities[0]?.subject).to.equal('emp-1001');

    // Renamed at the provider, same subject: the same account.
    accounts.set('emp-1001', {
      sub: 'emp-1001',
      email: 'renamed@aurora.example',
      email_verified: true,
      name: 'Nuovo Collega',
    });
    const second = await login('emp-1001');
    expect(second.url.endsWith('/people')).to.equal(true);
    expect(await User.countDocuments({ email: 'renamed@aurora.example' })).to.equal(0);
    const me = await (await second.browser.fetch(second.url.replace('/people', '/api/me'))).json();
    expect(me.user.id).to.equal(String(user?._id));
    expect(await AuditEntry.countDocuments({ action: 'auth.login.success', actor: user?._id })).to.equal(2);
  });

  it('does not take over a local account with the same email unless allowed', async () => {
    const local = await createUser({ email: 'giulia.local@aurora.example' });
    accounts.set('emp-2002', { sub: 'emp-2002', email: local.email, email_verified: true, name: 'Giulia' });
    const attempt = await login('emp-2002');
    expect(attempt.url).to.match(/\/login\?sso=email_taken$/);
    expect(await attempt.res.text()).to.include('non collegato');
    expect(await UserIdentity.countDocuments({ user: local.id })).to.equal(0);
  });

  it('refuses a deactivated account', async () => {
    accounts.set('emp-3003', {
      sub: 'emp-3003',
      email: 'leaving@aurora.example',
      email_verified: true,
      name: 'Leaving',
    });
    await login('emp-3003');
    await User.updateOne({ email: 'leaving@aurora.example' }, { $set: { active: false } });
    const attempt = await login('emp-3003');
    expect(attempt.url).to.match(/\/login\?sso=deactivated$/);
  });
});

oidcSuite('single sign-on linking by verified email', true, ({ login, accounts }) => {
  it('links an existing account with the same verified email', async () => {
    const local = await createUser({ email: 'paolo.link@aurora.example', roles: ['team_lead'] });
    accounts.set('emp-4004', { sub: 'emp-4004', email: local.email, email_verified: true, name: 'Paolo' });
    const result = await login('emp-4004');
    expect(result.url.endsWith('/people')).to.equal(true);
    const identity = await UserIdentity.findOne({ subject: 'emp-4004' }).lean();
    expect(String(identity?.user)).to.equal(local.id);
    expect((await User.findById(local.id).lean())?.roles).to.deep.equal(['team_lead']);
  });

  it('does not link on an unverified email', async () => {
    const local = await createUser({ email: 'unverified@aurora.example' });
    accounts.set('emp-5005', { sub: 'emp-5005', email: local.email, email_verified: false });
    const result = await login('emp-5005');
    expect(result.url).to.match(/sso=email_taken$/);
  });
});
