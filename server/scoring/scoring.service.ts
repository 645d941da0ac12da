import { Types } from 'mongoose';
import {
  RecentVote,
  ScoreBoard,
  ScoreCap,
  ScoreCard,
  ScoreEvent,
  ScoreSource,
  ScoreView,
} from '../../models/score.ts';
import { Team } from '../../models/team.ts';
import { Topic } from '../../models/topic.ts';
import { User } from '../../models/user.ts';
import { Vote } from '../../models/vote.ts';
import type { AuditActor, AuditService } from '../audit/audit.service.ts';
import type { SessionUser } from '../auth/session-user.ts';
import type { Locale } from '../config.ts';
import { BadRequestError, ForbiddenError, NotFoundError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import { recreateCollection } from '../db/connection.ts';
import { findByIds, op } from '../db/query.ts';
import type { DirectoryRepo } from '../people/directory.repo.ts';
import type { PostsRepo } from '../posts/posts.repo.ts';
import type { TeamsService } from '../teams/teams.service.ts';
import { isPeriodKey, lastWeeks, PERIOD_KINDS, type PeriodKind, periodKey } from './periods.ts';
import { type BoardKey, type BoardShardDoc, type ScoresRepo, toLine, type WhyCursor } from './scores.repo.ts';
import {
  boardShard,
  DECAY_EPOCH,
  incrementsOf,
  type LedgerLine,
  levelOfCard,
  type ScoreLedger,
  sourceKeyOf,
} from './scoring.ledger.ts';
import { dashboardFigures, protectGroups } from './scoring.policy.ts';
import {
  BADGES,
  DIMENSIONS,
  type Dimension,
  type Level,
  levelRank,
  RULE_IDS,
  RULES,
  type RuleId,
  type ScoringRules,
} from './scoring.rules.ts';
import type { ScoringSettings } from './scoring.settings.ts';
import { addAt } from './scoring.store.ts';
import { TeamCards } from './team-cards.ts';

const DAY_MS = 86_400_000;
export const WHY_PAGE_SIZE = 25;
export const BOARD_SIZE = 50;
/** One collator for ordering names (`localeCompare` builds one per call: seconds over thousands of members). */
const NAME_ORDER = new Intl.Collator('it');
/** Members a dashboard page lists (most competent first). */
export const DASHBOARD_MEMBERS = 50;
/** A lead's teams side by side (ScoringService.teamComparison). */
export interface TeamComparison {
  weeks: string[];
  minimumGroupSize: number;
  teams: Array<{
    id: string;
    name: string;
    members: number;
    withheld: boolean;
    /** Participation per person, each week of the period. */
    weekly: number[];
    participation: number;
    competence: number;
    contributors: number;
  }>;
}

/** How long a comparison of teams is reused (ms). */
const COMPARISON_TTL_MS = 60_000;

/** Unanswered questions the team dashboard's gaps count, newest first, at most. */
export const GAPS_QUESTIONS = 20_000;
/** How long the dashboards' tally of unanswered questions per topic is reused. */
export const GAPS_TALLY_MS = 60_000;
const OBJECT_ID = /^[0-9a-f]{24}$/i;

export { toLine };

type Card = Record<string, unknown> & {
  t?: Record<string, Record<string, Record<string, number>>>;
  d?: Record<string, number>;
  n?: Record<string, number>;
  levels?: Record<string, Level>;
  badges?: Record<string, Date>;
  coach?: Record<string, { by: string; at: Date }>;
  seq?: number;
};

export type BoardScope = 'global' | 'team' | 'topic';

/** What a rebuild did: lines read, people, totals that changed, and where the time went. */
export interface RebuildReport {
  events: number;
  people: number;
  changed: number;
  ms: number;
  scanMs: number;
  cardsMs: number;
  boards: number;
  boardsMs: number;
}

export interface BoardQuery {
  dimension: Dimension;
  scope: BoardScope;
  /** Team or topic id for those scopes. */
  scopeId?: string;
  period: PeriodKind;
  /** The period's key (`2026-W48`…); default: the current one. */
  key?: string;
}

export interface WhyFilters {
  dimension?: Dimension;
  topic?: string;
  rule?: RuleId;
  /** Where the previous page ended (`nextCursor` of that page); none: the newest lines. */
  cursor?: string;
}

/** A "why" page's cursor: the last line's time and id, as URL-safe text. */
export function encodeWhyCursor(line: { at: Date; id: string }): string {
  return Buffer.from(JSON.stringify([line.at.getTime(), line.id])).toString('base64url');
}

/** The cursor of a "why" page of `subjectId`; a malformed one, or another person's, is a 400. */
export function decodeWhyCursor(raw: string, subjectId: string): WhyCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new BadRequestError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new BadRequestError();
  const [at, id] = parsed as [unknown, unknown];
  if (typeof at !== 'number' || !Number.isSafeInteger(at) || typeof id !== 'string')
    throw new BadRequestError();
  const match = /^([0-9a-f]{24}):(\d{1,9})$/.exec(id);
  if (!match || match[1] !== subjectId) throw new BadRequestError();
  return { at: new Date(at), id };
}

function isStaff(viewer: SessionUser): boolean {
  return viewer.roles.includes('admin') || viewer.roles.includes('team_lead');
}

/** The scope key cards and boards use. */
function scopeKey(query: Pick<BoardQuery, 'scope' | 'scopeId'>): string {
  if (query.scope === 'global') return 'g';
  return `${query.scope === 'team' ? 'tm' : 'tp'}${query.scopeId}`;
}

/** The board a query names, or a 400 when it names none (unknown dimension, scope or period, a malformed id or key). */
function boardOf(query: BoardQuery, now: Date, timeZone: string): BoardKey {
  if (!DIMENSIONS.includes(query.dimension)) throw new BadRequestError();
  if (!PERIOD_KINDS.includes(query.period)) throw new BadRequestError();
  if (query.scope !== 'global' && query.scope !== 'team' && query.scope !== 'topic')
    throw new BadRequestError();
  if (query.scope !== 'global' && !OBJECT_ID.test(query.scopeId ?? '')) throw new BadRequestError();
  if (query.key !== undefined && !isPeriodKey(query.period, query.key)) throw new BadRequestError();
  return {
    dimension: query.dimension,
    scope: scopeKey({ scope: query.scope, scopeId: query.scopeId?.toLowerCase() }),
    period: query.key ?? periodKey(query.period, now, timeZone),
  };
}

/**
 * The read side of scores and the admin operations on them: profiles with
 * their "why", leaderboards, team dashboards, levels and privileges, coach
 * nominations, privacy, rebuild and recompute, serial-voting checks and the
 * bulk reversal of a deactivated person's votes.
 */
export class ScoringService {
  readonly #ledger: ScoreLedger;
  readonly #settings: ScoringSettings;
  readonly #audit: AuditService;
  readonly #events: EventBus;
  readonly #logger: Logger;
  readonly #clock: () => Date;
  /** Team members' cards for the team dashboard, kept between requests. */
  readonly #teamCards: TeamCards;
  /** Teams side by side, by set of teams and period (see teamComparison). */
  readonly #comparisons = new Map<string, { at: number; value: Promise<TeamComparison> }>();
  readonly #teams: TeamsService;
  readonly #scores: ScoresRepo;
  readonly #posts: PostsRepo;
  readonly #directory: DirectoryRepo;
  #gapsTally: { at: number; value: Promise<Map<string, number>> } | undefined;
  readonly #cardReads = new Map<string, Promise<Card>>();

  constructor(deps: {
    ledger: ScoreLedger;
    settings: ScoringSettings;
    audit: AuditService;
    events: EventBus;
    logger: Logger;
    teams: TeamsService;
    /** Boards, cards, the "why" list, team members. */
    scores: ScoresRepo;
    /** Unanswered questions (the team dashboard's gaps). */
    posts: PostsRepo;
    /** Topics (the team dashboard's gaps). */
    directory: DirectoryRepo;
    clock?: () => Date;
  }) {
    this.#teams = deps.teams;
    this.#scores = deps.scores;
    this.#posts = deps.posts;
    this.#directory = deps.directory;
    this.#ledger = deps.ledger;
    this.#settings = deps.settings;
    this.#audit = deps.audit;
    this.#events = deps.events;
    this.#logger = deps.logger;
    this.#clock = deps.clock ?? (() => new Date());
    this.#teamCards = new TeamCards((users) => this.#scores.cards(users));
    this.#ledger.onWritten((user) => this.#teamCards.changed(user));
  }

  get settings(): ScoringSettings {
    return this.#settings;
  }

  get ledger(): ScoreLedger {
    return this.#ledger;
  }

  /**
   * A person's card. Reads asked while one is under way share it (a scores
   * page asks for the summary and the "why" list at once): the card is the
   * largest document a page reads.
   */
  #card(userId: string): Promise<Card> {
    if (!OBJECT_ID.test(userId)) return Promise.resolve({});
    const pending = this.#cardReads.get(userId);
    if (pending) return pending;
    const read = this.#scores.card(userId).then((card) => card as Card);
    this.#cardReads.set(userId, read);
    const forget = () => {
      if (this.#cardReads.get(userId) === read) this.#cardReads.delete(userId);
    };
    read.then(forget, forget);
    return read;
  }

  /** Publisher privilege: may this person edit published articles in one of these topics directly? */
  async isPublisher(userId: string, topicIds: readonly string[]): Promise<boolean> {
    const card = await this.#card(userId);
    const { rules } = await this.#settings.rules();
    return topicIds.some((t) => levelRank(levelOfCard(card, t, rules)) >= levelRank('publisher'));
  }

  /** The person's level in a topic now. */
  async levelIn(userId: string, topicId: string): Promise<Level> {
    const { rules } = await this.#settings.rules();
    return levelOfCard(await this.#card(userId), topicId, rules);
  }

  /**
   * May `viewer` see `subjectId`'s individual scores? Open mode: everyone.
   * Protected mode: the person, and leads and admins (each look is logged and
   * listed to the person); others only if the person opted in.
   */
  async canSeeScores(viewer: SessionUser, subjectId: string): Promise<{ allowed: boolean; logged: boolean }> {
    if (viewer.id === subjectId) return { allowed: true, logged: false };
    if ((await this.#settings.privacy()) === 'open') return { allowed: true, logged: false };
    if (isStaff(viewer)) return { allowed: true, logged: true };
    const subject = await User.findById(subjectId, { scoresPublic: 1 }).lean();
    return { allowed: Boolean(subject?.scoresPublic), logged: false };
  }

  async #logView(
    viewer: SessionUser,
    subjectId: string,
    what: 'profile' | 'why' | 'dashboard',
  ): Promise<void> {
    const card = await ScoreView.collection.findOneAndUpdate(
      { _id: `${subjectId}:count` as never },
      { $inc: { n: 1 } } as never,
      { upsert: true, returnDocument: 'after' },
    );
    const n = (card?.n as number | undefined) ?? 1;
    const page = Math.floor((n - 1) / 100);
    await ScoreView.collection.updateOne(
      { _id: `${subjectId}:${page}` as never },
      { $push: { items: { by: viewer.id, byName: viewer.displayName, what, at: this.#clock() } } } as never,
      { upsert: true },
    );
  }

  /** Who looked at this person's individual scores (protected mode), newest first. */
  async viewsOf(
    subjectId: string,
    limit = 100,
  ): Promise<Array<{ by: string; byName: string; what: string; at: Date }>> {
    const counter = await ScoreView.collection.findOne({ _id: `${subjectId}:count` as never });
    const n = (counter?.n as number | undefined) ?? 0;
    const items: Array<{ by: string; byName: string; what: string; at: Date }> = [];
    for (let page = Math.floor((n - 1) / 100); page >= 0 && items.length < limit; page--) {
      const doc = await ScoreView.findById(`${subjectId}:${page}`).lean();
      items.push(...((doc?.items ?? []) as typeof items).slice().reverse());
    }
    return items.slice(0, limit);
  }

  /**
   * A person's scores: totals by dimension and period, competence per topic
   * (all-time and current), levels, badges, coach nominations and the last 12
   * weeks. Throws 403 when the viewer may not see them.
   */
  async profile(subjectId: string, viewer: SessionUser, locale: Locale) {
    const access = await this.canSeeScores(viewer, subjectId);
    if (!access.allowed) throw new ForbiddenError('scores.private');
    if (access.logged) await this.#logView(viewer, subjectId, 'profile');
    const card = await this.#card(subjectId);
    const { rules } = await this.#settings.rules();
    const now = this.#clock();
    const tz = this.#ledger.timeZone;
    const periods = (['week', 'month', 'quarter', 'year', 'all'] as const).map((kind) => ({
      kind,
      key: periodKey(kind, now, tz),
    }));
    const totals = (['participation', 'competence'] as const).map((dimension) => ({
      dimension,
      periods: periods.map((p) => ({ ...p, points: card.t?.[dimension]?.g?.[p.key] ?? 0 })),
    }));
    const decayNow = 2 ** ((now.getTime() - DECAY_EPOCH) / DAY_MS / rules.halfLifeDays);
    const topicKeys = new Set<string>();
    for (const dimension of ['participation', 'competence'] as const)
      for (const scope of Object.keys(card.t?.[dimension] ?? {}))
        if (scope.startsWith('tp')) topicKeys.add(scope.slice(2));
    const topicDocs = await findByIds(Topic, topicKeys, { names: 1, slug: 1 });
    const topics = topicDocs
      .map((topic) => {
        const id = String(topic._id);
        const level = levelOfCard(card, id, rules);
        return {
          id,
          slug: topic.slug,
          name: topic.names?.[locale] ?? topic.slug,
          competence: card.t?.competence?.[`tp${id}`]?.all ?? 0,
          current: Math.round((card.d?.[`tp${id}`] ?? 0) / decayNow),
          participation: card.t?.participation?.[`tp${id}`]?.all ?? 0,
          level,
          levelRank: levelRank(level),
          accepted: (card.accepted as Record<string, number> | undefined)?.[id] ?? 0,
          promoted: (card.promoted as Record<string, number> | undefined)?.[id] ?? 0,
          nominatedCoach: Boolean(card.coach?.[id]),
        };
      })
      .sort((a, b) => b.competence - a.competence || a.name.localeCompare(b.name));
    const weeks = lastWeeks(now, 12, tz);
    const badges = BADGES.filter((b) => card.badges?.[b.id]).map((b) => ({
      id: b.id,
      at: card.badges?.[b.id],
    }));
    return {
      totals,
      currentCompetence: Math.round((card.d?.g ?? 0) / decayNow),
      topics,
      badges,
      chart: {
        weeks,
        participation: weeks.map((w) => card.t?.participation?.g?.[w] ?? 0),
        competence: weeks.map((w) => card.t?.competence?.g?.[w] ?? 0),
      },
      lines: card.seq ?? 0,
      halfLifeDays: rules.halfLifeDays,
      logged: access.logged,
    };
  }

  /**
   * The ledger lines behind a person's numbers, newest first (by time, then
   * id), filtered by dimension, topic or rule, a page at a time from a cursor
   * (the previous page's `nextCursor`; a malformed one is a 400).
   */
  async why(subject: string, viewer: SessionUser, filters: WhyFilters) {
    if (!OBJECT_ID.test(subject)) throw new NotFoundError();
    const subjectId = subject.toLowerCase();
    if (filters.dimension !== undefined && !DIMENSIONS.includes(filters.dimension))
      throw new BadRequestError();
    if (filters.rule !== undefined && !RULE_IDS.includes(filters.rule)) throw new BadRequestError();
    if (filters.topic !== undefined && !OBJECT_ID.test(filters.topic)) throw new BadRequestError();
    const after = filters.cursor ? decodeWhyCursor(filters.cursor, subjectId) : undefined;
    const access = await this.canSeeScores(viewer, subjectId);
    if (!access.allowed) throw new ForbiddenError('scores.private');
    if (access.logged && !after) await this.#logView(viewer, subjectId, 'why');
    const [card, found] = await Promise.all([
      this.#card(subjectId),
      this.#scores.why(subjectId, {
        dimension: filters.dimension,
        topic: filters.topic?.toLowerCase(),
        rule: filters.rule,
        after,
        limit: WHY_PAGE_SIZE + 1,
      }),
    ]);
    const hasMore = found.length > WHY_PAGE_SIZE;
    const lines = found.slice(0, WHY_PAGE_SIZE);
    const people = await findByIds(
      User,
      lines.map((l) => l.actor),
      { displayName: 1 },
    );
    const names = new Map(people.map((p) => [String(p._id), p.displayName]));
    const last = lines[lines.length - 1];
    return {
      lines: lines.map((l) => ({ ...l, actorName: l.actor ? (names.get(l.actor) ?? null) : null })),
      /** Not the first page (the page links back to the newest lines). */
      paged: Boolean(after),
      hasMore,
      nextCursor: hasMore && last ? encodeWhyCursor(last) : null,
      total: card.seq ?? 0,
    };
  }

  /** Which boards may this person read? Operators: global, topic and their own team; leads and admins: every team. */
  canReadBoard(viewer: SessionUser, query: Pick<BoardQuery, 'scope' | 'scopeId'>): boolean {
    if (query.scope !== 'team') return true;
    return isStaff(viewer) || viewer.teamId === query.scopeId;
  }

  /**
   * A leaderboard: its top and the viewer's rank, from the scores repository
   * (never the ledger, never a sort of everyone). In protected mode only people
   * who opted in are named; everyone else is counted in their team's line. The
   * viewer's own rank is always given. A query that names no board is a 400.
   */
  async leaderboard(query: BoardQuery, viewer: SessionUser, limit = BOARD_SIZE) {
    const board = boardOf(query, this.#clock(), this.#ledger.timeZone);
    if (!this.canReadBoard(viewer, query)) throw new ForbiddenError('scores.boardForbidden');
    // Increments still in memory are stored (and ranked) first.
    await this.#ledger.boards.flush();
    const { mode: privacy, minimumGroupSize } = await this.#settings.privacySettings();
    const page = await this.#scores.board(board, {
      limit,
      viewer: viewer.id,
      named: privacy === 'protected' ? 'optedIn' : 'everyone',
    });
    // Team lines of too few people would name them: merged into "other teams", or left out.
    const groups = protectGroups(page.teams, minimumGroupSize);
    const teamIds = groups.groups.map((t) => t.team).filter((t): t is string => t !== null);
    const [users, teams] = await Promise.all([
      findByIds(
        User,
        page.rows.map((e) => e.user),
        { displayName: 1, avatar: 1, team: 1 },
      ),
      findByIds(Team, teamIds, { name: 1 }),
    ]);
    const byId = new Map(users.map((u) => [String(u._id), u]));
    const teamNames = new Map(teams.map((t) => [String(t._id), t.name]));
    return {
      key: board.period,
      privacy,
      people: page.people,
      rows: page.rows.map((e) => ({
        ...e,
        name: byId.get(e.user)?.displayName ?? '',
        isViewer: e.user === viewer.id,
      })),
      teams: [
        ...groups.groups.map((t) => ({
          team: t.team ?? 'none',
          teamName: t.team ? (teamNames.get(t.team) ?? '') : '',
          others: false,
          people: t.people,
          points: t.points,
        })),
        ...(groups.others ? [{ team: 'others', teamName: '', others: true, ...groups.others }] : []),
      ],
      /** People counted in no team line (their teams too small even merged). */
      withheld: groups.withheld,
      minimumGroupSize,
      mine: page.mine,
      viewerShown: page.rows.some((e) => e.user === viewer.id),
    };
  }

  /** Teams a person may open the dashboard of: leads their own teams, admins every team. */
  async dashboardTeams(viewer: SessionUser): Promise<Array<{ id: string; name: string }>> {
    if (viewer.roles.includes('admin')) return this.#teams.options();
    if (!viewer.roles.includes('team_lead')) return [];
    return (
      await Team.find({ leads: new Types.ObjectId(viewer.id) }, { name: 1 })
        .sort({ name: 1 })
        .lean()
    ).map((t) => ({
      id: String(t._id),
      name: t.name,
    }));
  }

  /**
   * A team's dashboard: members × topics competence (with levels), each
   * member's participation over the last 12 weeks, and knowledge gaps (topics
   * with unanswered questions, topics where no member is a Contributor yet).
   * Members are listed by competence, most first, `DASHBOARD_MEMBERS` a page
   * (`page`, from 1; `all` for the CSV tables); the topics, the shading scale
   * and the gaps are the whole team's on every page.
   */
  async dashboard(
    teamId: string,
    viewer: SessionUser,
    locale: Locale,
    options: { page?: number; all?: boolean; weeks?: number } = {},
  ) {
    if (!OBJECT_ID.test(teamId)) throw new NotFoundError('scores.teamNotFound');
    const team = await Team.findById(teamId, { name: 1, leads: 1 }).lean();
    if (!team) throw new NotFoundError('scores.teamNotFound');
    const leads = team.leads.map(String);
    if (!viewer.roles.includes('admin') && !leads.includes(viewer.id))
      throw new ForbiddenError('scores.dashboardForbidden');
    const members = await this.#scores.teamMembers(String(team._id));
    const { mode, minimumGroupSize } = await this.#settings.privacySettings();
    // Member by member for those who may see individual scores (the same people
    // canSeeScores lets in); anyone else would get the team's figures, if the
    // team is large enough for them not to name its members.
    const figures = dashboardFigures(mode === 'open' || isStaff(viewer), members.length, minimumGroupSize);
    const cards = (await this.#teamCards.of(
      String(team._id),
      members.map((m) => m.id),
    )) as unknown as Map<string, Card>;
    const { rules } = await this.#settings.rules();
    const competenceOf = (card: Card | undefined) =>
      (card?.t?.competence ?? {}) as Record<string, Record<string, number> | undefined>;

    // The whole team's topics, shading scale and Contributors per topic, from the cards' own topics.
    const topicIds = new Set<string>();
    const contributorsOf = new Map<string, number>();
    let max = 1;
    for (const m of members) {
      for (const t of m.topics) topicIds.add(t);
      const card = cards.get(m.id);
      for (const [scope, totals] of Object.entries(competenceOf(card))) {
        if (!scope.startsWith('tp')) continue;
        const topic = scope.slice(2);
        topicIds.add(topic);
        max = Math.max(max, totals?.all ?? 0);
        if (card && levelRank(levelOfCard(card, topic, rules)) >= 1)
          contributorsOf.set(topic, (contributorsOf.get(topic) ?? 0) + 1);
      }
    }
    const topics = (await findByIds(Topic, topicIds, { names: 1, slug: 1 }))
      .map((t) => ({ id: String(t._id), slug: t.slug, name: t.names?.[locale] ?? t.slug }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const weeks = lastWeeks(this.#clock(), options.weeks ?? 12, this.#ledger.timeZone);

    // Most competent first (all topics), then by name.
    const ranked = members
      .map((m) => ({ member: m, total: competenceOf(cards.get(m.id)).g?.all ?? 0 }))
      .sort((a, b) => b.total - a.total || NAME_ORDER.compare(a.member.displayName, b.member.displayName))
      .map((r) => r.member);
    const pageCount = Math.max(1, Math.ceil(ranked.length / DASHBOARD_MEMBERS));
    const page = Math.min(Math.max(1, Math.floor(options.page ?? 1)), pageCount);
    const shown = options.all
      ? ranked
      : ranked.slice((page - 1) * DASHBOARD_MEMBERS, page * DASHBOARD_MEMBERS);
    const memberPage = {
      page,
      hasNext: !options.all && page < pageCount,
      first: options.all || ranked.length === 0 ? 1 : (page - 1) * DASHBOARD_MEMBERS + 1,
      last: options.all ? ranked.length : Math.min(ranked.length, page * DASHBOARD_MEMBERS),
      total: ranked.length,
    };
    // Only the members whose figures are shown are logged as viewed.
    if (mode === 'protected' && figures === 'individuals')
      for (const m of shown) if (m.id !== viewer.id) await this.#logView(viewer, m.id, 'dashboard');

    const heatmap = shown.map((m) => {
      const card = cards.get(m.id);
      const competence = competenceOf(card);
      return {
        id: m.id,
        name: m.displayName,
        cells: topics.map((t) => {
          const points = competence[`tp${t.id}`]?.all ?? 0;
          const level = card ? levelOfCard(card, t.id, rules) : ('candidate' as Level);
          return { topic: t.id, points, level, heat: Math.round((points / max) * 4) };
        }),
      };
    });
    const trendOf = (card: Card | undefined) => weeks.map((w) => card?.t?.participation?.g?.[w] ?? 0);
    const trend = shown.map((m) => ({ id: m.id, name: m.displayName, points: trendOf(cards.get(m.id)) }));

    const unansweredByTopic = await this.#unansweredByTopic();
    const allTopics = await this.#directory.topics();
    const gaps = allTopics
      .map((t) => {
        const id = String(t._id);
        const contributors = contributorsOf.get(id) ?? 0;
        return {
          id,
          slug: t.slug,
          name: t.names?.[locale] ?? t.slug,
          unanswered: unansweredByTopic.get(id) ?? 0,
          contributors,
          noContributor: contributors === 0,
        };
      })
      // Gaps that matter: questions waiting, or a topic the team works in without a Contributor.
      .filter((g) => g.unanswered > 0 || (g.noContributor && topicIds.has(g.id)))
      .sort(
        (a, b) =>
          b.unanswered - a.unanswered ||
          Number(b.noContributor) - Number(a.noContributor) ||
          a.name.localeCompare(b.name),
      );
    const base = {
      team: { id: String(team._id), name: team.name },
      figures,
      minimumGroupSize,
      weeks,
      memberPage,
    };
    if (figures === 'withheld') return { ...base, topics: [], heatmap: [], trend: [], gaps: [] };
    if (figures === 'team') {
      // One line for the whole team: its points per topic and per week, no levels.
      const name = team.name;
      const sums = topics.map((t) =>
        members.reduce((sum, m) => sum + (competenceOf(cards.get(m.id))[`tp${t.id}`]?.all ?? 0), 0),
      );
      const teamMax = Math.max(1, ...sums);
      const weekly = weeks.map((_, i) =>
        members.reduce((sum, m) => sum + (trendOf(cards.get(m.id))[i] ?? 0), 0),
      );
      return {
        ...base,
        memberPage: { page: 1, hasNext: false, first: 1, last: members.length, total: members.length },
        topics,
        heatmap: [
          {
            id: '',
            name,
            cells: topics.map((t, i) => ({
              topic: t.id,
              points: sums[i] ?? 0,
              level: 'candidate' as Level,
              heat: Math.round(((sums[i] ?? 0) / teamMax) * 4),
            })),
          },
        ],
        trend: [{ id: '', name, points: weekly }],
        gaps,
      };
    }
    return { ...base, topics, heatmap, trend, gaps };
  }

  /**
   * The teams a lead (or an admin) looks after, side by side over the same
   * weeks: per person, so teams of different sizes compare — participation
   * each week and in all, competence in all, and how many members are at
   * least Contributor somewhere. A team too small for its figures not to name
   * its members (see dashboardFigures) is listed without figures. Null when
   * the person sees fewer than two teams.
   */
  async teamComparison(viewer: SessionUser, weeksCount = 12): Promise<TeamComparison | null> {
    const teams = await this.dashboardTeams(viewer);
    if (teams.length < 2) return null;
    // Sums over every member of every team: reused for a minute per set of teams and period.
    const key = `${weeksCount}|${isStaff(viewer) ? 's' : ''}|${teams.map((t) => t.id).join(',')}`;
    const kept = this.#comparisons.get(key);
    if (kept && Date.now() - kept.at < COMPARISON_TTL_MS) return kept.value;
    const value = this.#compareTeams(viewer, teams, weeksCount);
    if (this.#comparisons.size >= 100) this.#comparisons.delete(this.#comparisons.keys().next().value!);
    this.#comparisons.set(key, { at: Date.now(), value });
    value.catch(() => this.#comparisons.delete(key));
    return value;
  }

  async #compareTeams(
    viewer: SessionUser,
    teams: Array<{ id: string; name: string }>,
    weeksCount: number,
  ): Promise<TeamComparison> {
    const { mode, minimumGroupSize } = await this.#settings.privacySettings();
    const { rules } = await this.#settings.rules();
    const weeks = lastWeeks(this.#clock(), weeksCount, this.#ledger.timeZone);
    const rows = [];
    for (const team of teams) {
      const members = await this.#scores.teamMembers(team.id);
      const figures = dashboardFigures(mode === 'open' || isStaff(viewer), members.length, minimumGroupSize);
      if (figures === 'withheld' || members.length === 0) {
        rows.push({
          ...team,
          members: members.length,
          withheld: true,
          weekly: [],
          participation: 0,
          competence: 0,
          contributors: 0,
        });
        continue;
      }
      const cards = (await this.#teamCards.of(
        team.id,
        members.map((m) => m.id),
      )) as unknown as Map<string, Card>;
      const weekly = weeks.map(() => 0);
      let competence = 0;
      let contributors = 0;
      for (const m of members) {
        const card = cards.get(m.id);
        const participation = card?.t?.participation?.g ?? {};
        weeks.forEach((w, i) => {
          weekly[i]! += participation[w] ?? 0;
        });
        const byScope = (card?.t?.competence ?? {}) as Record<string, Record<string, number> | undefined>;
        competence += byScope.g?.all ?? 0;
        const topics = Object.keys(byScope).filter((scope) => scope.startsWith('tp'));
        if (card && topics.some((scope) => levelRank(levelOfCard(card, scope.slice(2), rules)) >= 1))
          contributors++;
      }
      const perPerson = (n: number) => Math.round((n / members.length) * 10) / 10;
      rows.push({
        ...team,
        members: members.length,
        withheld: false,
        weekly: weekly.map(perPerson),
        participation: perPerson(weekly.reduce((a, b) => a + b, 0)),
        competence: perPerson(competence),
        contributors,
      });
    }
    return { weeks, minimumGroupSize, teams: rows };
  }

  /**
   * Unanswered questions per topic (the newest GAPS_QUESTIONS), from the posts'
   * own lists: one tally shared by every dashboard for GAPS_TALLY_MS (a gap is
   * a matter of days, and reading 20,000 questions per view cost most of a
   * large team's dashboard), read once however many views ask at the same time.
   */
  #unansweredByTopic(): Promise<Map<string, number>> {
    const now = Date.now();
    if (this.#gapsTally && now - this.#gapsTally.at < GAPS_TALLY_MS) return this.#gapsTally.value;
    const value = (async () => {
      const tally = new Map<string, number>();
      let after: Array<number | string> | undefined;
      for (let read = 0; read < GAPS_QUESTIONS; ) {
        const limit = Math.min(1000, GAPS_QUESTIONS - read);
        const page = await this.#posts.feed({ unanswered: true, order: 'newest', after, limit });
        for (const q of page)
          for (const t of q.topics ?? []) tally.set(String(t), (tally.get(String(t)) ?? 0) + 1);
        read += page.length;
        const last = page[page.length - 1];
        if (!last || page.length < limit) break;
        after = [new Date(last.createdAt).getTime(), String(last._id)];
      }
      return tally;
    })();
    this.#gapsTally = { at: now, value };
    // A failed read is not kept.
    value.catch(() => {
      if (this.#gapsTally?.value === value) this.#gapsTally = undefined;
    });
    return value;
  }

  /** Coaches are nominated by a knowledge manager, or by a lead of the person's team. */
  async mayNominate(viewer: SessionUser, subjectTeamId: string | null): Promise<boolean> {
    if (viewer.roles.includes('knowledge_manager')) return true;
    if (!viewer.roles.includes('team_lead') || !subjectTeamId) return false;
    const team = await Team.findById(subjectTeamId, { leads: 1 }).lean();
    return Boolean(team?.leads.map(String).includes(viewer.id));
  }

  /** A team lead (of the person's team) or a knowledge manager nominates a Coach in a topic. */
  async nominateCoach(
    subjectId: string,
    topicId: string,
    on: boolean,
    actor: SessionUser & AuditActor,
    ip = '',
  ) {
    if (!Types.ObjectId.isValid(subjectId) || !Types.ObjectId.isValid(topicId)) throw new NotFoundError();
    const [subject, topic] = await Promise.all([
      User.findById(subjectId, { team: 1, displayName: 1 }).lean(),
      Topic.findById(topicId, { slug: 1 }).lean(),
    ]);
    if (!subject || !topic) throw new NotFoundError();
    if (subjectId === actor.id) throw new ForbiddenError('scores.nominateSelf');
    if (!(await this.mayNominate(actor, subject.team ? String(subject.team) : null)))
      throw new ForbiddenError('scores.nominateForbidden');
    await ScoreCard.collection.updateOne(
      { _id: subjectId as never },
      on
        ? { $set: { [`coach.${topicId}`]: { by: actor.id, at: this.#clock() } } }
        : { $unset: { [`coach.${topicId}`]: '' } },
      { upsert: true },
    );
    this.#teamCards.changed(subjectId);
    await this.#audit.record({
      actor,
      action: on ? 'scoring.coachNominated' : 'scoring.coachWithdrawn',
      target: { type: 'user', id: subjectId, label: subject.displayName },
      details: { topic: topic.slug },
      ip,
    });
    if (on) {
      const { rules } = await this.#settings.rules();
      // Read after the write above (not a read that may have started before it).
      const card = (await this.#scores.card(subjectId)) as Card;
      if (levelOfCard(card, topicId, rules) === 'coach' && card.levels?.[topicId] !== 'coach') {
        await ScoreCard.collection.updateOne(
          { _id: subjectId as never },
          { $set: { [`levels.${topicId}`]: 'coach' } },
        );
        await this.#events.publish('score.levelReached', {
          userId: subjectId,
          topicId,
          level: 'coach',
          at: this.#clock(),
        });
      }
    }
  }

  /** A moderator reverses one ledger line (with an audit entry). */
  async reverseLine(eventId: string, actor: SessionUser & AuditActor, ip = ''): Promise<boolean> {
    const line = await this.#ledger.reverseEvent(eventId, 'moderator', this.#clock(), actor.id);
    if (!line) return false;
    await this.#audit.record({
      actor,
      action: 'scoring.lineReversed',
      target: { type: 'scoreEvent', id: eventId },
      details: { user: line.user, rule: line.rule, points: line.points },
      ip,
    });
    return true;
  }

  /** Reverses the points of every vote a deactivated person cast (an admin's bulk action). */
  async reverseVotesOf(
    userId: string,
    actor: SessionUser & AuditActor,
    ip = '',
  ): Promise<{ votes: number; lines: number }> {
    if (!Types.ObjectId.isValid(userId)) throw new NotFoundError();
    const user = await User.findById(userId, { active: 1, displayName: 1 }).lean();
    if (!user) throw new NotFoundError();
    if (user.active) throw new ForbiddenError('scores.reverseActive');
    const votes = await Vote.find({ voter: user._id }, { _id: 1 }).lean();
    let lines = 0;
    for (const vote of votes) {
      lines += (await this.#ledger.reverseSource(`vote:${vote._id}`, 'deactivated', this.#clock(), actor.id))
        .length;
    }
    await this.#audit.record({
      actor,
      action: 'scoring.votesReversed',
      target: { type: 'user', id: userId, label: user.displayName },
      details: { votes: votes.length, lines },
      ip,
    });
    return { votes: votes.length, lines };
  }

  /**
   * The serial-voting check (run on a schedule): a voter who gave one author
   * `votes` or more votes within `windowMinutes` has those votes' points
   * reversed, with an audit entry. Votes leave the window afterwards.
   */
  async checkSerialVoting(): Promise<Array<{ voter: string; author: string; votes: number }>> {
    const { rules } = await this.#settings.rules();
    const now = this.#clock();
    const windowMs = rules.serialVoting.windowMinutes * 60_000;
    // Votes stay twice the window, so a run straddling two checks is still seen whole.
    await RecentVote.deleteMany({ at: op({ $lt: new Date(now.getTime() - 2 * windowMs) }) });
    const recent = await RecentVote.find({}).lean();
    const pairs = new Map<string, typeof recent>();
    for (const v of recent) {
      const key = `${v.voter}>${v.author}`;
      pairs.set(key, [...(pairs.get(key) ?? []), v]);
    }
    const found: Array<{ voter: string; author: string; votes: number }> = [];
    for (const list of pairs.values()) {
      list.sort((a, b) => a.at.getTime() - b.at.getTime());
      // the largest run of votes within one window
      let best: typeof list = [];
      for (let i = 0, j = 0; j < list.length; j++) {
        while (list[j]!.at.getTime() - list[i]!.at.getTime() > windowMs) i++;
        if (j - i + 1 > best.length) best = list.slice(i, j + 1);
      }
      if (best.length < rules.serialVoting.votes) continue;
      const { voter, author } = list[0]!;
      let reversedLines = 0;
      for (const v of best) {
        reversedLines += (await this.#ledger.reverseSource(v._id, 'serialVoting', now, null)).length;
        await RecentVote.deleteOne({ _id: v._id });
      }
      found.push({ voter, author, votes: best.length });
      await this.#audit.record({
        actor: null,
        action: 'scoring.serialVoting',
        target: { type: 'user', id: voter },
        details: { author, votes: best.length, lines: reversedLines },
      });
      await this.#events.publish('score.serialVotingReversed', {
        voterId: voter,
        authorId: author,
        votes: best.length,
        at: now,
      });
    }
    return found;
  }

  /** Anti-gaming day counters are kept three days; older ones are deleted. */
  async removeExpiredCaps(): Promise<void> {
    await ScoreCap.deleteMany({ expiresAt: op({ $lt: this.#clock() }) });
  }

  /**
   * Rebuilds every card and board from the ledger (the ledger is not touched).
   * Reports how many people's all-time totals changed: 0 when the incremental
   * totals were right.
   */
  async rebuild(): Promise<RebuildReport> {
    return this.#ledger.exclusive(() => this.#rebuild());
  }

  /**
   * One pass over the ledger: each person's card as the lines make it, built
   * as nested objects (the shape stored), with the sequence and team of their
   * latest line, and each person's board totals (`totals.<dimension>.<scope>.<period>`:
   * a card holds a topic's or team's all-time total only).
   */
  async #cardsFromLedger(rules: ScoringRules) {
    const tz = this.#ledger.timeZone;
    const cards = new Map<
      string,
      { doc: Record<string, unknown>; totals: Record<string, unknown>; seq: number; team: string | null }
    >();
    let events = 0;
    // The driver's cursor, with only what totals need (the rebuild reads every line).
    const cursor = ScoreEvent.collection.find(
      {},
      {
        batchSize: 5000,
        projection: { user: 1, dimension: 1, topics: 1, team: 1, points: 1, rule: 1, at: 1, reverses: 1 },
      },
    );
    for await (const raw of cursor) {
      events++;
      const line = raw as unknown as Pick<LedgerLine, 'dimension' | 'points' | 'rule' | 'at' | 'reverses'> & {
        _id: string;
        user: Types.ObjectId;
        topics: Types.ObjectId[];
        team: Types.ObjectId | null;
      };
      const user = String(line.user);
      const lineTeam = line.team ? String(line.team) : null;
      const { card: increments, boards: boardIncrements } = incrementsOf(
        { ...line, topics: line.topics.map(String), team: lineTeam },
        tz,
        rules.halfLifeDays,
      );
      let card = cards.get(user);
      if (!card) {
        card = {
          doc: { _id: user, t: {}, d: {}, n: {}, accepted: {}, promoted: {} },
          totals: {},
          seq: 0,
          team: null,
        };
        cards.set(user, card);
      }
      // "<dimension>|<scope>|<period>": none of the three holds a dot.
      for (const { id, points } of boardIncrements) addAt(card.totals, id.replaceAll('|', '.'), points);
      const seq = Number(line._id.slice(line._id.lastIndexOf(':') + 1));
      if (seq > card.seq) {
        card.seq = seq;
        card.team = lineTeam;
      }
      for (const [path, value] of Object.entries(increments)) addAt(card.doc, path, value);
    }
    return { cards, events };
  }

  /**
   * Checks every person's all-time totals against the ledger, writing nothing
   * (`npm run counters:check`): the people whose card disagrees with their lines.
   */
  async checkTotals(): Promise<{
    people: number;
    lines: number;
    drifted: Array<{ user: string; dimension: Dimension; stored: number; actual: number }>;
  }> {
    return this.#ledger.exclusive(async () => {
      await this.#ledger.boards.flush();
      const { rules } = await this.#settings.rules();
      const { cards, events } = await this.#cardsFromLedger(rules);
      const total = (card: Card | undefined, dimension: Dimension) => card?.t?.[dimension]?.g?.all ?? 0;
      const drifted: Array<{ user: string; dimension: Dimension; stored: number; actual: number }> = [];
      const seen = new Set<string>();
      for await (const stored of ScoreCard.find({}, { 't.participation.g.all': 1, 't.competence.g.all': 1 })
        .lean()
        .cursor()) {
        const user = String(stored._id);
        seen.add(user);
        const actual = cards.get(user)?.doc as Card | undefined;
        for (const dimension of DIMENSIONS)
          if (total(stored as Card, dimension) !== total(actual, dimension))
            drifted.push({
              user,
              dimension,
              stored: total(stored as Card, dimension),
              actual: total(actual, dimension),
            });
      }
      for (const [user, { doc }] of cards) {
        if (seen.has(user)) continue;
        for (const dimension of DIMENSIONS)
          if (total(doc as Card, dimension) !== 0)
            drifted.push({ user, dimension, stored: 0, actual: total(doc as Card, dimension) });
      }
      return { people: new Set([...seen, ...cards.keys()]).size, lines: events, drifted };
    });
  }

  async #rebuild(): Promise<RebuildReport> {
    const started = Date.now();
    await this.#ledger.boards.flush();
    const { rules } = await this.#settings.rules();
    const { cards, events } = await this.#cardsFromLedger(rules);
    const scanMs = Date.now() - started;
    // Keep what the ledger does not hold: coach nominations and awards already announced.
    const kept = new Map<string, Card>();
    for await (const old of ScoreCard.find(
      {},
      { coach: 1, levels: 1, badges: 1, 't.participation.g.all': 1, 't.competence.g.all': 1 },
    )
      .lean()
      .cursor()) {
      kept.set(String(old._id), old as Card);
    }
    let changed = 0;
    const total = (card: Card | undefined, dimension: Dimension) => card?.t?.[dimension]?.g?.all ?? 0;
    const newCards: Array<Record<string, unknown>> = [];
    for (const [user, { doc, seq }] of cards) {
      const old = kept.get(user);
      doc.seq = seq;
      doc.coach = old?.coach ?? {};
      doc.levels = old?.levels ?? {};
      doc.badges = old?.badges ?? {};
      const fresh = doc as Card;
      if (
        total(old, 'participation') !== total(fresh, 'participation') ||
        total(old, 'competence') !== total(fresh, 'competence')
      )
        changed++;
      newCards.push(doc);
    }
    for (const [user, old] of kept) {
      if (cards.has(user)) continue;
      if (total(old, 'participation') !== 0 || total(old, 'competence') !== 0) changed++;
      newCards.push({
        _id: user,
        t: {},
        d: {},
        n: {},
        accepted: {},
        promoted: {},
        seq: 0,
        coach: old.coach ?? {},
        levels: old.levels ?? {},
        badges: old.badges ?? {},
      });
    }
    this.#ledger.boards.discard();
    this.#teamCards.clear();
    const cardsStarted = Date.now();
    await recreateCollection(ScoreCard as never);
    for (let i = 0; i < newCards.length; i += 200)
      await ScoreCard.collection.insertMany(newCards.slice(i, i + 200) as never[]);
    const cardsMs = Date.now() - cardsStarted;
    // Dashboards read the new cards (one read meanwhile may have kept old ones).
    this.#teamCards.clear();
    const boardsStarted = Date.now();
    let boardCount = 0;
    // The leaderboards are the cards' totals seen the other way round: built
    // and written one dimension at a time (through the scores repository, so
    // that what answers boards follows).
    await this.#scores.boardWrites.replaced(async (stored) => {
      await recreateCollection(ScoreBoard as never);
      for (const dimension of ['participation', 'competence'] as const) {
        const boards = new Map<string, BoardShardDoc>();
        for (const [user, { totals, team }] of cards) {
          const scopes = (totals[dimension] ?? {}) as Record<string, Record<string, number>>;
          for (const [scope, periods] of Object.entries(scopes)) {
            for (const [period, points] of Object.entries(periods)) {
              const board = `${dimension}|${scope}|${period}`;
              const id = `${board}|${boardShard(board, user)}`;
              let entry = boards.get(id);
              if (!entry) {
                entry = { _id: id, p: {}, tm: {} };
                boards.set(id, entry);
              }
              entry.p[user] = points;
              entry.tm[user] = team;
            }
          }
        }
        const docs = [...boards.values()];
        boardCount += docs.length;
        for (let i = 0; i < docs.length; i += 200)
          await ScoreBoard.collection.insertMany(docs.slice(i, i + 200) as never[]);
        await stored(docs);
      }
    });
    const boardsMs = Date.now() - boardsStarted;
    const ms = Date.now() - started;
    const report = {
      events,
      people: newCards.length,
      changed,
      ms,
      scanMs,
      cardsMs,
      boards: boardCount,
      boardsMs,
    };
    this.#logger.info(report, 'scores rebuilt from the ledger');
    return report;
  }

  /**
   * "Recompute from the ledger with the current rules": every line still in
   * force whose rule is now worth a different amount gets an adjustment line
   * (the ledger stays append-only, and each adjustment is reversed with its
   * source), then every total is rebuilt. Capped lines keep their cap.
   */
  async recompute(actor: (SessionUser & AuditActor) | null, ip = '') {
    return this.#ledger.exclusive(async () => {
      const started = Date.now();
      const { rules, version } = await this.#settings.rules();
      const originals = new Map<string, { line: LedgerLine; net: number }>();
      const maxSeq = new Map<string, number>();
      const cursor = ScoreEvent.collection.find({}, { batchSize: 5000 });
      let scanned = 0;
      for await (const raw of cursor) {
        scanned++;
        const doc = raw as Record<string, unknown>;
        const line = toLine(doc);
        const seq = Number(line.id.slice(line.id.lastIndexOf(':') + 1));
        maxSeq.set(line.user, Math.max(maxSeq.get(line.user) ?? 0, seq));
        const extra = doc as { adjusts?: string | null; root?: string | null };
        const root = line.reverses || extra.adjusts ? (extra.root ?? extra.adjusts ?? line.reverses) : null;
        if (root) {
          const target = originals.get(root);
          if (target) target.net += line.points;
          else originals.set(root, { line: { ...line, id: root, reverses: 'pending' }, net: line.points });
          continue;
        }
        const existing = originals.get(line.id);
        if (existing) {
          existing.line = line;
          existing.net += line.points;
        } else originals.set(line.id, { line, net: line.points });
      }
      const adjustments: Array<Record<string, unknown>> = [];
      const sources = new Map<string, Array<{ event: string; user: string; rule: string; points: number }>>();
      const byDimension = { participation: 0, competence: 0 } as Record<Dimension, number>;
      const people = new Set<string>();
      const now = this.#clock();
      for (const { line, net } of originals.values()) {
        if (line.reverses || line.capped || (line.base === 0 && line.points === 0)) continue;
        if (!(line.rule in RULES)) continue;
        // A reversed line (net 0 after its reversal) stays reversed.
        if (net === 0 && line.points !== 0) continue;
        const target = rules.points[line.rule as RuleId];
        const delta = target - net;
        if (delta === 0) continue;
        const seq = (maxSeq.get(line.user) ?? 0) + 1;
        maxSeq.set(line.user, seq);
        const id = `${line.user}:${seq}`;
        adjustments.push({
          _id: id,
          user: new Types.ObjectId(line.user),
          dimension: line.dimension,
          topics: line.topics.map((t) => new Types.ObjectId(t)),
          team: line.team ? new Types.ObjectId(line.team) : null,
          points: delta,
          base: delta,
          rule: line.rule,
          capped: null,
          source: line.source,
          actor: actor ? new Types.ObjectId(actor.id) : null,
          at: line.at,
          reverses: null,
          adjusts: line.id,
          root: line.id,
          reason: 'recompute',
          rulesVersion: version,
          writtenAt: now,
        });
        const key = sourceKeyOf(line.source);
        sources.set(key, [
          ...(sources.get(key) ?? []),
          { event: id, user: line.user, rule: line.rule, points: delta },
        ]);
        byDimension[line.dimension] += delta;
        people.add(line.user);
      }
      for (let i = 0; i < adjustments.length; i += 1000)
        await ScoreEvent.collection.insertMany(adjustments.slice(i, i + 1000) as never[]);
      for (const [key, open] of sources)
        await ScoreSource.collection.updateOne(
          { _id: key as never },
          { $push: { open: { $each: open } } } as never,
          { upsert: true },
        );
      const rebuilt = await this.#rebuild();
      const report = {
        scanned,
        adjusted: adjustments.length,
        people: people.size,
        participation: byDimension.participation,
        competence: byDimension.competence,
        rulesVersion: version,
        ms: Date.now() - started,
        rebuildMs: rebuilt.ms,
      };
      if (actor)
        await this.#audit.record({
          actor,
          action: 'scoring.recomputed',
          target: { type: 'setting', id: 'scoring', label: `v${version}` },
          details: report,
          ip,
        });
      return report;
    });
  }
}
