import { User } from '../../../models/user.ts';
import { openPath, type PageSpec } from '../../helpers/browser.ts';

async function profilePath(email: string): Promise<string> {
  const user = await User.findOne({ email }, { _id: 1 }).lean();
  if (!user) throw new Error(`demo user ${email} missing`);
  return `/people/${String(user._id)}`;
}

/** The people directory and profiles. */
export const pages: PageSpec[] = [
  {
    name: 'people-directory',
    as: 'operator',
    path: '/people',
    shows: { it: 'Persone', en: 'People' },
  },
  {
    name: 'people-directory-empty',
    as: 'operator',
    path: '/people?q=nessuno-si-chiama-cosi',
    shows: { it: 'Nessuno corrisponde', en: 'Nobody matches' },
  },
  {
    name: 'people-profile',
    as: 'operator',
    async open(page, app) {
      await openPath(page, app, await profilePath('marco.bianchi@aurora.example'));
      return undefined;
    },
    shows: { it: 'Marco Bianchi', en: 'Marco Bianchi' },
  },
  {
    name: 'people-profile-own',
    as: 'operator',
    async open(page, app) {
      await openPath(page, app, await profilePath('sara.colombo@aurora.example'));
      return undefined;
    },
    shows: { it: 'Modifica il mio profilo', en: 'Edit my profile' },
  },
];
