import { Topic } from '../../models/topic.ts';
import { User } from '../../models/user.ts';
import { type SessionUser, toSessionUser } from '../../server/auth/session-user.ts';
import type { PostInput } from '../../server/posts/posts.schemas.ts';
import type { TestApp } from './app.ts';
import type { TestUser } from './users.ts';

/** Environment for suites that post a lot: no pacing between posts, no duplicate window. */
export const FAST_POSTING = {
  POST_INTERVAL_SECONDS: '0',
  DUPLICATE_POST_MINUTES: '0',
  UPLOADS_PER_MINUTE: '1000',
};

export async function sessionUserOf(user: TestUser | { id: string }): Promise<SessionUser> {
  const doc = await User.findById(user.id).lean();
  if (!doc) throw new Error(`no user ${user.id}`);
  return toSessionUser(doc);
}

let topicCounter = 0;

/** A couple of topics (one with a subtopic) for a suite. */
export async function createTopics() {
  topicCounter++;
  const billing = await Topic.create({
    slug: `billing-${topicCounter}`,
    names: { it: `Fatturazione ${topicCounter}`, en: `Billing ${topicCounter}` },
    kind: 'process',
  });
  const sdd = await Topic.create({
    slug: `sdd-${topicCounter}`,
    names: { it: `Addebito SDD ${topicCounter}`, en: `Direct debit ${topicCounter}` },
    kind: 'process',
    parent: billing._id,
    ancestors: [billing._id],
  });
  const fibre = await Topic.create({
    slug: `fibre-${topicCounter}`,
    names: { it: `Fibra ${topicCounter}`, en: `Fibre ${topicCounter}` },
    kind: 'product',
  });
  return { billing: String(billing._id), sdd: String(sdd._id), fibre: String(fibre._id) };
}

let postCounter = 0;

export function postInput(
  kind: 'insight' | 'tip' | 'question',
  topics: string[],
  overrides: Partial<Record<string, unknown>> = {},
): PostInput {
  postCounter++;
  const title = `${kind === 'question' ? 'Come si gestisce' : 'Caso numero'} ${postCounter} di prova`;
  if (kind === 'insight') {
    return {
      kind,
      title,
      situation: `Il cliente ${postCounter} vede un doppio addebito.`,
      action: 'Ho aperto la pratica di rimborso.',
      outcome: 'Rimborso in 9 giorni.',
      channel: 'phone',
      topics,
      tags: [],
      ...overrides,
    } as PostInput;
  }
  return { kind, title, body: `Testo del post ${postCounter}.`, topics, tags: [], ...overrides } as PostInput;
}

export async function createPost(
  t: TestApp,
  author: TestUser,
  kind: 'insight' | 'tip' | 'question',
  topics: string[],
  overrides = {},
) {
  return t.services.posts.create(await sessionUserOf(author), postInput(kind, topics, overrides), []);
}
