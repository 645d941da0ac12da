import { openPath, type PageSpec } from '../../helpers/browser.ts';

/** Sign-in, home and the error pages. */
export const pages: PageSpec[] = [
  {
    name: 'sign-in',
    as: null,
    path: '/login',
    shows: { it: 'Accedi a Passaparola', en: 'Sign in to Passaparola' },
  },
  {
    name: 'sign-in-failed',
    as: null,
    async open(page, app) {
      await openPath(page, app, '/login');
      await page.getByLabel(/^Email$/).fill('nobody.here@aurora.example');
      await page.getByLabel(/^Password$/).fill('not the right password');
      await page.locator('main form button[type=submit]').click();
      await page.locator('.flash-error').waitFor();
      return undefined;
    },
    shows: { it: 'Email o password non corrette', en: 'Email or password is not correct' },
  },
  {
    name: 'sign-in-missing-fields',
    as: null,
    async open(page, app) {
      await openPath(page, app, '/login');
      await page.locator('main form button[type=submit]').click();
      await page.locator('#form-errors').waitFor();
      return undefined;
    },
    shows: { it: 'Controlla il modulo', en: 'Please check the form' },
  },
  {
    name: 'password-reset',
    as: null,
    async open(page, app) {
      const { User } = await import('../../../models/user.ts');
      const user = await User.findOne({ email: 'luca.esposito@aurora.example' });
      if (!user) throw new Error('demo user missing');
      const link = await app.t.services.auth.createResetLink(user, null);
      await openPath(page, app, new URL(link.url).pathname);
      return undefined;
    },
    shows: { it: 'Imposta una nuova password', en: 'Set a new password' },
  },
  {
    name: 'password-reset-invalid',
    as: null,
    path: '/password/reset/this-link-was-never-issued-at-all',
    status: 410,
    shows: { it: 'Questo link non è più valido', en: 'This link no longer works' },
  },
  {
    name: 'home',
    as: 'operator',
    path: '/',
    shows: { it: 'In attesa di risposta nei tuoi argomenti', en: 'Waiting for an answer in your topics' },
  },
  {
    name: 'error-404',
    as: 'operator',
    path: '/this/page/does/not/exist',
    status: 404,
    shows: { it: 'Questa pagina non esiste', en: 'This page does not exist' },
  },
  {
    name: 'error-404-signed-out',
    as: null,
    path: '/nowhere',
    status: 404,
    shows: { it: 'Questa pagina non esiste', en: 'This page does not exist' },
  },
  {
    name: 'error-403',
    as: 'operator',
    path: '/admin/users',
    status: 403,
    shows: { it: 'Amministratore', en: 'Administrator' },
  },
  {
    name: 'error-500',
    as: 'operator',
    async open(page, app) {
      const feeds = app.t.services.feeds;
      const original = feeds.home;
      feeds.home = async () => {
        throw new Error('a failure made up by the test');
      };
      try {
        await openPath(page, app, '/', 500);
      } finally {
        feeds.home = original;
      }
      app.takeProblems(); // the 500 was the point
      return undefined;
    },
    shows: { it: 'Qualcosa è andato storto', en: 'Something went wrong' },
  },
];
