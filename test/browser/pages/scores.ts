import { User } from '../../../models/user.ts';
import { openPath, type PageSpec } from '../../helpers/browser.ts';

async function demoPersonId(email: string): Promise<string> {
  const user = await User.findOne({ email }, { _id: 1 }).lean();
  if (!user) throw new Error(`no demo person ${email}`);
  return String(user._id);
}

/** Leaderboards, scores with their "why", team dashboards and the scoring rules. */
export const pages: PageSpec[] = [
  {
    name: 'leaderboard-competence-all-time',
    as: 'operator',
    path: '/leaderboards?dimension=competence&scope=global&period=all',
    shows: { it: 'Sei al posto', en: 'You are number' },
  },
  {
    name: 'leaderboard-own-team-participation',
    as: 'operator',
    path: '/leaderboards?dimension=participation&scope=team&period=quarter',
    shows: { it: 'Partecipazione · Questo trimestre', en: 'Participation · This quarter' },
  },
  {
    name: 'scores-own-with-why',
    as: 'operator',
    open: async (page, app) => {
      await openPath(page, app, `/people/${await demoPersonId('sara.colombo@aurora.example')}/scores`);
      return undefined;
    },
    shows: { it: 'Perché: ogni punto, uno per uno', en: 'Why: every point, one by one' },
  },
  {
    name: 'scores-colleague-for-lead',
    as: 'teamLead',
    open: async (page, app) => {
      await openPath(page, app, `/people/${await demoPersonId('sara.colombo@aurora.example')}/scores`);
      return undefined;
    },
    shows: { it: 'Argomenti e livelli', en: 'Topics and levels' },
  },
  {
    name: 'team-dashboard',
    as: 'teamLead',
    path: '/dashboard',
    shows: { it: 'Competenza per persona e argomento', en: 'Competence by member and topic' },
  },
  {
    name: 'admin-scoring-rules',
    as: 'admin',
    path: '/admin/scoring',
    shows: { it: 'Punti per evento', en: 'Points per event' },
  },
];
