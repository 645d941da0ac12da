import { User } from '../../../models/user.ts';
import { openPath, type PageSpec } from '../../helpers/browser.ts';

const SAMPLE_CSV = [
  'email,name,roles,team,locale',
  'nuova.persona@aurora.example,Nuova Persona,operator,fatturazione,it',
  'sara.colombo@aurora.example,Sara Doppia,operator,,',
  'senza-chiocciola,Email Rotta,operator,,',
  'ruolo.ignoto@aurora.example,Ruolo Ignoto,overlord,,',
].join('\n');

async function userPath(email: string): Promise<string> {
  const user = await User.findOne({ email }, { _id: 1 }).lean();
  if (!user) throw new Error(`demo user ${email} missing`);
  return `/admin/users/${String(user._id)}`;
}

/** Administration: accounts, teams, bulk import, audit log. */
export const pages: PageSpec[] = [
  {
    name: 'admin-index',
    as: 'admin',
    path: '/admin',
    shows: { it: 'Amministrazione', en: 'Administration' },
  },
  {
    name: 'admin-users',
    as: 'admin',
    path: '/admin/users',
    shows: { it: 'Alessandra Ferri', en: 'Alessandra Ferri' },
  },
  {
    name: 'admin-users-empty',
    as: 'admin',
    path: '/admin/users?q=nessun-account-cosi',
    shows: { it: 'Nessun account', en: 'No account matches' },
  },
  {
    name: 'admin-user-new',
    as: 'admin',
    path: '/admin/users/new',
    shows: { it: 'Nuovo account', en: 'New account' },
  },
  {
    name: 'admin-user-new-errors',
    as: 'admin',
    async open(page, app) {
      await openPath(page, app, '/admin/users/new');
      await page.locator('#field-email').fill('not-an-email');
      await page.locator('main form.form button[type=submit]').click();
      await page.locator('#form-errors').waitFor();
      return undefined;
    },
    shows: { it: 'Controlla il modulo', en: 'Please check the form' },
  },
  {
    name: 'admin-user-edit',
    as: 'admin',
    async open(page, app) {
      await openPath(page, app, await userPath('sara.colombo@aurora.example'));
      return undefined;
    },
    shows: { it: 'Sara Colombo', en: 'Sara Colombo' },
  },
  {
    name: 'admin-user-reset-link',
    as: 'admin',
    async open(page, app) {
      await openPath(page, app, await userPath('luca.esposito@aurora.example'));
      await page.locator('form[action$="/reset-password"] button').click();
      await page.locator('#reset-link').waitFor();
      return undefined;
    },
    shows: { it: 'Link per la password', en: 'Password link' },
  },
  { name: 'admin-teams', as: 'admin', path: '/admin/teams', shows: { it: 'Team', en: 'Teams' } },
  {
    name: 'admin-team-new',
    as: 'admin',
    path: '/admin/teams/new',
    shows: { it: 'Nuovo team', en: 'New team' },
  },
  {
    name: 'admin-team-edit',
    as: 'admin',
    async open(page, app) {
      await openPath(page, app, '/admin/teams');
      await page.locator('main table a').first().click();
      await page.locator('#field-name').waitFor();
      return undefined;
    },
    shows: { it: 'Elimina il team', en: 'Delete' },
  },
  {
    name: 'admin-import',
    as: 'admin',
    path: '/admin/import',
    shows: { it: 'Importa account', en: 'Import accounts' },
  },
  {
    name: 'admin-import-preview',
    as: 'admin',
    async open(page, app) {
      await openPath(page, app, '/admin/import');
      await page.locator('#field-csv').fill(SAMPLE_CSV);
      await page.locator('form[action^="/admin/import/preview"] button[type=submit]').click();
      await page.locator('table.import-preview').waitFor();
      return undefined;
    },
    shows: { it: 'Cosa verrebbe importato', en: 'What would be imported' },
  },
  {
    name: 'admin-audit',
    as: 'admin',
    path: '/admin/audit',
    shows: { it: 'Registro di controllo', en: 'Audit log' },
  },
  {
    name: 'admin-audit-empty',
    as: 'admin',
    path: '/admin/audit?actor=nessuno-ha-fatto-nulla',
    shows: { it: 'Nessuna voce', en: 'No entries' },
  },
];
