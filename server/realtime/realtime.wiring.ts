import { Team } from '../../models/team.ts';
import { notificationsRealtime } from '../notifications/notifications.realtime.ts';
import { postsRealtime } from '../posts/posts.realtime.ts';
import type { Services } from '../services.ts';
import type { RealtimeBridge } from './realtime.bridge.ts';

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/**
 * Every feature's realtime registrations: room kinds (who may join), event
 * mappings (domain event → rooms → client message) and resync providers. Add
 * one line per feature; the feature keeps its mappings in
 * `<feature>/<feature>.realtime.ts` (see notifications.realtime.ts).
 *
 * The `user` kind is built in (a person joins only their own room, at
 * connection); posts define `post`, `feed` and `article` (posts.realtime.ts).
 */
export function registerRealtimeFeatures(bridge: RealtimeBridge, services: Services): void {
  // A team's room: its members and its leads.
  bridge.defineRoom('team', {
    permission: 'app.use',
    async canJoin(user, id) {
      if (!OBJECT_ID.test(id)) return false;
      if (user.teamId === id) return true;
      const team = await Team.findById(id).select('leads').lean();
      return Boolean(team?.leads.some((lead) => String(lead) === user.id));
    },
  });
  // Topics are public inside the organisation.
  bridge.defineRoom('topic', { permission: 'app.use', canJoin: (_user, id) => OBJECT_ID.test(id) });

  notificationsRealtime(bridge, services.notifications);
  postsRealtime(bridge, services);
}
