import { type Request, type Response, Router } from 'express';
import { Types } from 'mongoose';
import type { z } from 'zod';
import { User } from '../../models/user.ts';
import { guard } from '../auth/guard.ts';
import type { Locale } from '../config.ts';
import { sendCsv } from '../core/csv.ts';
import { BadRequestError, NotFoundError } from '../core/errors.ts';
import { safeRedirectPath, wantsJson } from '../core/http.ts';
import { parseInput } from '../core/validation.ts';
import type { TeamsService } from '../teams/teams.service.ts';
import type { TopicsService } from '../topics/topics.service.ts';
import { PERIOD_KINDS } from './periods.ts';
import { BADGES, DIMENSIONS, LEVELS, RULE_IDS } from './scoring.rules.ts';
import {
  boardSchema,
  csvTableSchema,
  dashboardQuerySchema,
  nominateSchema,
  TREND_WEEKS,
  visibilitySchema,
  whySchema,
} from './scoring.schemas.ts';
import type { ScoringService } from './scoring.service.ts';

const lang = (req: Request): Locale => req.locale;

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** A page's query parameters, or a 400 naming none of them when they are malformed. */
function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query ?? {});
  if (!result.success) throw new BadRequestError();
  return result.data;
}

async function topicOptions(topics: TopicsService, req: Request) {
  const { all } = await topics.tree();
  const byId = new Map(all.map((t) => [t.id, t]));
  const depth = (t: (typeof all)[number]): number =>
    t.parent && byId.has(t.parent) ? 1 + depth(byId.get(t.parent)!) : 0;
  return all
    .map((t) => ({ id: t.id, name: t.names[lang(req)], depth: depth(t) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Leaderboards, people's scores and their "why", coach nominations, team dashboards. */
export function scoringRoutes(deps: {
  scoring: ScoringService;
  topics: TopicsService;
  teams: TeamsService;
}): Router {
  const { scoring, topics, teams } = deps;
  const router = Router();

  /** The board a leaderboard request names (its filters, its team or topic) and the menus' choices. */
  const boardRequest = async (req: Request) => {
    const filters = parseQuery(boardSchema, req.query);
    const viewer = req.user!;
    const named =
      filters.scope === 'team' ? filters.team : filters.scope === 'topic' ? filters.topic : undefined;
    // The board's team or topic, when the scope uses one: a malformed id is a 400, an unknown one a 404.
    if (named !== undefined && !OBJECT_ID.test(named)) throw new BadRequestError();
    const scopeId = (
      filters.scope === 'team'
        ? (filters.team ?? viewer.teamId ?? undefined)
        : filters.scope === 'topic'
          ? filters.topic
          : undefined
    )?.toLowerCase();
    const [teamList, topicList] = await Promise.all([teams.options(), topicOptions(topics, req)]);
    if (filters.scope === 'topic' && scopeId && !topicList.some((t) => t.id === scopeId))
      throw new NotFoundError('topics.notFound');
    if (filters.scope === 'team' && filters.team && !teamList.some((t) => t.id === scopeId))
      throw new NotFoundError('scores.teamNotFound');
    const needsScope = filters.scope !== 'global' && !scopeId;
    const board = needsScope ? null : await scoring.leaderboard({ ...filters, scopeId }, viewer);
    return { filters, scopeId, teamList, topicList, needsScope, board };
  };

  router.get('/leaderboards', guard('scores.view'), async (req: Request, res: Response) => {
    const { filters, scopeId, teamList, topicList, needsScope, board } = await boardRequest(req);
    const viewer = req.user!;
    const readableTeams = teamList.filter((t) =>
      scoring.canReadBoard(viewer, { scope: 'team', scopeId: t.id }),
    );
    const shown = { ...filters, team: filters.scope === 'team' ? scopeId : filters.team };
    const csvQuery = new URLSearchParams(
      Object.entries(shown).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
    );
    res.render('pages/scores/leaderboard', {
      title: req.t('scores.board.title'),
      filters: shown,
      dimensions: DIMENSIONS,
      periods: PERIOD_KINDS,
      teams: readableTeams,
      topics: topicList,
      board,
      needsScope,
      csvHref: `/leaderboards.csv?${csvQuery}`,
    });
  });

  /** The leaderboard as CSV: the named people, then the team lines (protected mode), as the page shows them. */
  router.get('/leaderboards.csv', guard('scores.view'), async (req: Request, res: Response) => {
    const { filters, board } = await boardRequest(req);
    if (!board) throw new NotFoundError();
    const people = board.rows.map((r) => [r.rank, r.name, '', r.points]);
    if (board.mine && !board.viewerShown)
      people.push([board.mine.rank, req.user!.displayName, '', board.mine.points]);
    const lines = board.teams.map((t) => [
      '',
      t.others ? req.t('scores.board.otherTeams') : t.teamName || req.t('scores.board.noTeam'),
      t.people,
      t.points,
    ]);
    sendCsv(
      res,
      `leaderboard-${filters.dimension}-${filters.scope}-${board.key}.csv`,
      [
        req.t('scores.board.rank'),
        req.t('scores.board.name'),
        req.t('scores.board.peopleCount'),
        req.t('scores.board.points'),
      ],
      [...people, ...lines],
    );
  });

  router.get('/people/:id/scores', guard('scores.view'), async (req: Request, res: Response) => {
    const id = String(req.params.id);
    if (!Types.ObjectId.isValid(id)) throw new NotFoundError('people.notFound');
    const person = await User.findById(id, { displayName: 1, active: 1, scoresPublic: 1, team: 1 }).lean();
    if (!person || (!person.active && !req.user!.roles.includes('admin')))
      throw new NotFoundError('people.notFound');
    const filters = parseQuery(whySchema, req.query);
    const viewer = req.user!;
    const [summary, why] = await Promise.all([
      scoring.profile(id, viewer, lang(req)),
      scoring.why(id, viewer, filters),
    ]);
    const isSelf = viewer.id === id;
    const privacy = await scoring.settings.privacy();
    const canNominate = await scoring.mayNominate(viewer, person.team ? String(person.team) : null);
    res.render('pages/scores/profile', {
      title: req.t('scores.profile.title', { name: person.displayName }),
      person: { id, displayName: person.displayName, scoresPublic: Boolean(person.scoresPublic) },
      summary,
      chartData: {
        labels: summary.chart.weeks,
        series: [
          { label: req.t('scores.dimensions.participation'), data: summary.chart.participation },
          { label: req.t('scores.dimensions.competence'), data: summary.chart.competence },
        ],
      },
      why,
      filters,
      dimensions: DIMENSIONS,
      rules: RULE_IDS,
      levels: LEVELS,
      badges: BADGES.map((b) => ({ ...b, earned: summary.badges.some((e) => e.id === b.id) })),
      isSelf,
      privacy,
      canNominate: canNominate && !isSelf,
      canReverse: req.user!.roles.includes('admin'),
      views: isSelf && privacy === 'protected' ? await scoring.viewsOf(id) : null,
    });
  });

  router.post(
    '/people/:id/scores/coach',
    guard('scores.nominateCoach'),
    async (req: Request, res: Response) => {
      const id = String(req.params.id);
      const input = parseInput(nominateSchema, req.body);
      await scoring.nominateCoach(id, input.topic, input.on, req.user!, req.ip ?? '');
      if (wantsJson(req)) {
        res.json({ ok: true });
        return;
      }
      req.session.flash = [
        { type: 'success', key: input.on ? 'scores.coach.nominated' : 'scores.coach.withdrawn' },
      ];
      res.redirect(303, `/people/${id}/scores#levels`);
    },
  );

  router.post(
    '/settings/scores-visibility',
    guard('profile.editOwn'),
    async (req: Request, res: Response) => {
      const input = parseInput(visibilitySchema, req.body);
      await User.updateOne({ _id: req.user!.id }, { $set: { scoresPublic: input.scoresPublic } });
      req.session.flash = [
        {
          type: 'success',
          key: input.scoresPublic ? 'scores.visibility.nowPublic' : 'scores.visibility.nowPrivate',
        },
      ];
      res.redirect(
        303,
        safeRedirectPath((req.body as Record<string, unknown>)._return, `/people/${req.user!.id}/scores`),
      );
    },
  );

  router.post('/scores/lines/:id/reverse', guard('scoring.manage'), async (req: Request, res: Response) => {
    const id = String(req.params.id);
    if (!/^[0-9a-f]{24}:\d{1,9}$/i.test(id)) throw new NotFoundError();
    const done = await scoring.reverseLine(id, req.user!, req.ip ?? '');
    req.session.flash = [
      { type: done ? 'success' : 'info', key: done ? 'scores.why.reversed' : 'scores.why.notReversible' },
    ];
    res.redirect(303, `/people/${id.slice(0, 24)}/scores`);
  });

  router.get('/dashboard', guard('scores.dashboard'), async (req: Request, res: Response) => {
    const teams = await scoring.dashboardTeams(req.user!);
    if (teams.length === 1) {
      res.redirect(303, `/teams/${teams[0]!.id}/dashboard`);
      return;
    }
    res.render('pages/scores/dashboards', { title: req.t('scores.dashboard.title'), teams });
  });

  router.get('/teams/:id/dashboard', guard('scores.dashboard'), async (req: Request, res: Response) => {
    const { page, weeks } = parseInput(dashboardQuerySchema, req.query);
    const data = await scoring.dashboard(String(req.params.id), req.user!, lang(req), { page, weeks });
    const [teams, comparison] = await Promise.all([
      scoring.dashboardTeams(req.user!),
      scoring.teamComparison(req.user!, weeks),
    ]);
    res.render('pages/scores/dashboard', {
      title: req.t('scores.dashboard.teamTitle', { team: data.team.name }),
      ...data,
      teams,
      trendWeeks: TREND_WEEKS,
      chosenWeeks: weeks,
      chartData: {
        labels: data.weeks,
        series: data.trend.map((m) => ({ label: m.name, data: m.points })),
      },
      comparison,
      comparisonChart: comparison && {
        labels: comparison.weeks,
        series: comparison.teams
          .filter((row) => !row.withheld)
          .map((row) => ({ label: row.name, data: row.weekly })),
      },
    });
  });

  router.get(
    '/teams/:id/dashboard/:table.csv',
    guard('scores.dashboard'),
    async (req: Request, res: Response) => {
      const table = csvTableSchema.safeParse(req.params.table);
      if (!table.success) throw new NotFoundError();
      const { weeks } = parseInput(dashboardQuerySchema, req.query);
      const data = await scoring.dashboard(String(req.params.id), req.user!, lang(req), { all: true, weeks });
      const slug = data.team.name.toLowerCase().replace(/\W+/g, '-');
      if (table.data === 'heatmap') {
        sendCsv(
          res,
          `${slug}-competence.csv`,
          [
            req.t('scores.dashboard.member'),
            ...data.topics.flatMap((t) => [t.name, `${t.name} (${req.t('scores.level')})`]),
          ],
          data.heatmap.map((r) => [
            r.name,
            ...r.cells.flatMap((c) => [c.points, req.t(`scores.levels.${c.level}`)]),
          ]),
        );
      } else if (table.data === 'trend') {
        sendCsv(
          res,
          `${slug}-participation.csv`,
          [req.t('scores.dashboard.member'), ...data.weeks],
          data.trend.map((m) => [m.name, ...m.points]),
        );
      } else {
        sendCsv(
          res,
          `${slug}-gaps.csv`,
          [
            req.t('scores.dashboard.topic'),
            req.t('scores.dashboard.unanswered'),
            req.t('scores.dashboard.contributors'),
          ],
          data.gaps.map((g) => [g.name, g.unanswered, g.contributors]),
        );
      }
    },
  );

  return router;
}
