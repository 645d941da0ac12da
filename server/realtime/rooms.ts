/**
 * Room names: the one place that spells them. A room is `<kind>:<id>`; the
 * kinds the product uses are below, and features may define more (each kind
 * needs a RoomAccess registered on the bridge before anyone can join it).
 */

const KIND = /^[a-z][a-zA-Z0-9]{0,31}$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export type RoomRef = string;

export function roomName(kind: string, id: string): RoomRef {
  if (!KIND.test(kind)) throw new Error(`Invalid room kind: ${kind}`);
  if (!ID.test(id)) throw new Error(`Invalid room id: ${id}`);
  return `${kind}:${id}`;
}

/** The kind and id of a room name sent by a client, or null when it is not one. */
export function parseRoom(name: unknown): { kind: string; id: string } | null {
  if (typeof name !== 'string' || name.length > 100) return null;
  const colon = name.indexOf(':');
  if (colon < 1) return null;
  const kind = name.slice(0, colon);
  const id = name.slice(colon + 1);
  return KIND.test(kind) && ID.test(id) ? { kind, id } : null;
}

/** The product's rooms: a person (all their tabs), a team, a topic, an open post. */
export const rooms = {
  user: (userId: string) => roomName('user', userId),
  team: (teamId: string) => roomName('team', teamId),
  topic: (topicId: string) => roomName('topic', topicId),
  post: (postId: string) => roomName('post', postId),
};
