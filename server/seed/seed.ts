import type { Model, Types } from 'mongoose';
import { Team } from '../../models/team.ts';
import { Topic } from '../../models/topic.ts';
import { foldName, hashPassword, User } from '../../models/user.ts';
import type { Logger } from '../core/logger.ts';
import { escapeRegex, op } from '../db/query.ts';
import type { Runtime } from '../runtime.ts';
import { seedContent } from './content-step.ts';
import {
  BIO_TEMPLATES_EN,
  BIO_TEMPLATES_IT,
  DEMO_DOMAIN,
  DEMO_PASSWORD,
  DEMO_TEAMS,
  DEMO_TOPICS,
  type DemoPerson,
  FEATURED_PEOPLE,
  FIRST_NAMES,
  LAST_NAMES,
  LEADS,
  OPERATORS_PER_TEAM,
  TEAM_TOPICS,
} from './demo-data.ts';
import { seedKnowledgeBase } from './kb-step.ts';
import { createRandom, type Random } from './random.ts';

export interface SeedCounts {
  created: number;
  existing: number;
}

export type SeedReport = Record<string, SeedCounts>;

export interface SeedContext {
  logger: Logger;
  runtime: Runtime;
  random: Random;
  /** Slug → id maps filled by earlier steps for later ones. */
  teams: Map<string, Types.ObjectId>;
  topics: Map<string, Types.ObjectId>;
  /** Email → id of every demo user. */
  users: Map<string, Types.ObjectId>;
  report: SeedReport;
}

/** A seed step writes one kind of data idempotently and records its counts. */
export type SeedStep = (ctx: SeedContext) => Promise<void>;

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 11000;
}

/**
 * Inserts `doc` unless a record matching `filter` exists. (Not an upsert with
 * $setOnInsert: FerretDB 1.24 drops null and empty-array values from those.)
 */
async function insertIfMissing<T>(
  model: Model<T>,
  filter: Record<string, unknown>,
  doc: Partial<T>,
): Promise<boolean> {
  if (await model.exists(filter)) return false;
  try {
    await model.create(doc);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export function demoEmail(first: string, last: string): string {
  const part = (s: string) => foldName(s).replace(/[^a-z]/g, '');
  return `${part(first)}.${part(last)}@${DEMO_DOMAIN}`;
}

async function seedTeams(ctx: SeedContext): Promise<void> {
  const counts: SeedCounts = { created: 0, existing: 0 };
  for (const team of DEMO_TEAMS) {
    const created = await insertIfMissing(
      Team,
      { slug: team.slug },
      {
        slug: team.slug,
        name: team.name,
        description: team.description,
        leads: [],
      },
    );
    if (created) counts.created++;
    else counts.existing++;
  }
  for (const team of await Team.find({}, { slug: 1 }).lean()) ctx.teams.set(team.slug, team._id);
  ctx.report.teams = counts;
}

async function seedTopics(ctx: SeedContext): Promise<void> {
  const counts: SeedCounts = { created: 0, existing: 0 };
  for (const topic of DEMO_TOPICS) {
    const parentId = topic.parent ? ctx.topics.get(topic.parent) : undefined;
    const parent = parentId ? await Topic.findById(parentId, { ancestors: 1 }).lean() : null;
    const created = await insertIfMissing(
      Topic,
      { slug: topic.slug },
      {
        slug: topic.slug,
        names: { it: topic.it, en: topic.en },
        descriptions: { it: topic.descIt ?? '', en: topic.descEn ?? '' },
        kind: topic.kind,
        parent: parent?._id ?? null,
        ancestors: parent ? [...(parent.ancestors ?? []), parent._id] : [],
      },
    );
    if (created) counts.created++;
    else counts.existing++;
    const saved = await Topic.findOne({ slug: topic.slug }, { _id: 1 }).lean();
    if (saved) ctx.topics.set(topic.slug, saved._id);
  }
  ctx.report.topics = counts;
}

function generatedPeople(random: Random): DemoPerson[] {
  const people: DemoPerson[] = [];
  const first = random.shuffle(FIRST_NAMES);
  const last = random.shuffle(LAST_NAMES);
  const taken = new Set([...FEATURED_PEOPLE, ...LEADS].map((p) => demoEmail(p.first, p.last)));
  let i = 0;
  for (const team of DEMO_TEAMS) {
    for (let n = 0; n < OPERATORS_PER_TEAM; n++, i++) {
      const english = i % 8 === 5;
      const firstName = first[i % first.length]!;
      let k = i;
      while (taken.has(demoEmail(firstName, last[k % last.length]!))) k++;
      const lastName = last[k % last.length]!;
      taken.add(demoEmail(firstName, lastName));
      people.push({
        first: firstName,
        last: lastName,
        team: team.slug,
        roles: ['operator'],
        locale: english ? 'en' : undefined,
        languages: english
          ? ['en', 'it']
          : random.chance(0.35)
            ? ['it', random.pick(['en', 'fr', 'de', 'es', 'ro', 'ar'])]
            : ['it'],
      });
    }
  }
  return people;
}

async function seedUsers(ctx: SeedContext): Promise<void> {
  const counts: SeedCounts = { created: 0, existing: 0 };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const people = [...FEATURED_PEOPLE, ...LEADS, ...generatedPeople(ctx.random)];
  const topicName = new Map(DEMO_TOPICS.map((t) => [t.slug, t]));
  for (const person of people) {
    const email = demoEmail(person.first, person.last);
    const displayName = `${person.first} ${person.last}`;
    const teamTopics = person.team ? (TEAM_TOPICS[person.team] ?? []) : DEMO_TOPICS.map((t) => t.slug);
    const declared = ctx.random.sample(teamTopics, ctx.random.int(2, 4));
    const english = person.locale === 'en';
    const mainTopic = topicName.get(declared[0] ?? '');
    const template = ctx.random.pick(english ? BIO_TEMPLATES_EN : BIO_TEMPLATES_IT);
    const bio = template
      .replace('{years}', String(ctx.random.int(2, 14)))
      .replace('{topic}', (english ? mainTopic?.en : mainTopic?.it)?.toLowerCase() ?? '');
    const created = await insertIfMissing(
      User,
      { email },
      {
        email,
        displayName,
        nameKey: foldName(displayName),
        passwordHash,
        passwordChangedAt: new Date(),
        roles: person.roles,
        team: person.team ? (ctx.teams.get(person.team) ?? null) : null,
        locale: person.locale ?? null,
        bio,
        languages: person.languages,
        topics: declared.map((slug) => ctx.topics.get(slug)).filter((id) => id !== undefined),
        active: true,
      },
    );
    if (created) counts.created++;
    else counts.existing++;
  }
  for (const user of await User.find(
    { email: op({ $regex: `@${escapeRegex(DEMO_DOMAIN)}$` }) },
    { email: 1 },
  ).lean()) {
    ctx.users.set(user.email, user._id);
  }
  // Teams created by this seed get their leads; teams edited since keep theirs.
  for (const team of DEMO_TEAMS) {
    const leads = people
      .filter((p) => p.team === team.slug && p.roles.includes('team_lead'))
      .map((p) => ctx.users.get(demoEmail(p.first, p.last)))
      .filter(Boolean);
    await Team.updateOne({ slug: team.slug, leads: op({ $size: 0 }) }, { $set: { leads } });
  }
  ctx.report.users = counts;
}

/** Steps run in order; later features append theirs (content, votes, KB, scores). */
export const SEED_STEPS: SeedStep[] = [seedTeams, seedTopics, seedUsers, seedContent, seedKnowledgeBase];

/**
 * Writes the demo organisation. Idempotent: records are matched by their
 * natural keys (slug, email) and only missing ones are inserted, so running it
 * again adds nothing and never overwrites what people changed.
 */
export async function seedDemo(runtime: Runtime, steps: SeedStep[] = SEED_STEPS): Promise<SeedReport> {
  const logger = runtime.logger;
  const ctx: SeedContext = {
    logger,
    runtime,
    random: createRandom(20_260_401),
    teams: new Map(),
    topics: new Map(),
    users: new Map(),
    report: {},
  };
  const started = Date.now();
  // Scores need no step of their own: the ledger is written by the domain events
  // the content replays, at the times of the history, kept in memory during the
  // replay and stored together at its end.
  await runtime.services.scoring.ledger.batch(async () => {
    for (const step of steps) await step(ctx);
  });
  logger.info({ report: ctx.report, ms: Date.now() - started }, 'demo data seeded');
  return ctx.report;
}

/** True when the database holds no users yet (first start). */
export async function isDatabaseEmpty(): Promise<boolean> {
  // exists() reads at most one document on every engine; counting may scan.
  return (await User.exists({})) === null;
}
