import { openPath, type PageSpec } from '../../helpers/browser.ts';

/** Personal settings: profile and account, also after a failed submit. */
export const pages: PageSpec[] = [
  {
    name: 'settings-profile',
    as: 'operator',
    path: '/settings/profile',
    shows: { it: 'Impostazioni', en: 'Settings' },
  },
  {
    name: 'settings-profile-errors',
    as: 'operator',
    async open(page, app) {
      await openPath(page, app, '/settings/profile');
      await page.locator('#field-displayName').fill('');
      await page.locator('main form[enctype] button[type=submit]').click();
      await page.locator('#form-errors').waitFor();
      return undefined;
    },
    shows: { it: 'Controlla il modulo', en: 'Please check the form' },
  },
  {
    name: 'settings-account',
    as: 'operator',
    path: '/settings/account',
    shows: { it: 'Password', en: 'Password' },
  },
  {
    name: 'settings-account-errors',
    as: 'operator',
    async open(page, app) {
      await openPath(page, app, '/settings/account');
      await page.locator('#field-currentPassword').fill('wrong current password');
      await page.locator('#field-newPassword').fill('short');
      await page.locator('#field-confirmPassword').fill('different');
      await page.locator('form[action="/settings/password"] button[type=submit]').click();
      await page.locator('#form-errors').waitFor();
      return undefined;
    },
    shows: { it: 'Controlla il modulo', en: 'Please check the form' },
  },
];
