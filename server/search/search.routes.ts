import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { guard } from '../auth/guard.ts';
import type { TFunction } from '../core/i18n.ts';
import { parseInput } from '../core/validation.ts';
import type { KbService } from '../kb/kb.service.ts';
import type { PeopleService } from '../people/people.service.ts';
import type { TeamsService } from '../teams/teams.service.ts';
import { type SearchPageInput, searchPageSchema, similarSchema } from './search.schemas.ts';
import type { SearchService, SimilarItem } from './search.service.ts';
import { MAX_GROUP_WORDS, MAX_SYNONYM_GROUPS, type SearchSynonyms, synonymsText } from './search.synonyms.ts';
import { KB_STATES, SEARCH_KINDS, type SearchFilters, type SearchViewer } from './search.types.ts';

export interface SearchRouteDeps {
  search: SearchService;
  synonyms: SearchSynonyms;
  people: PeopleService;
  teams: TeamsService;
  kb: Pick<KbService, 'readableNumber'>;
}

/** "KB-8", "kb 8", "KB8": an article's number, typed to go to it. */
const ARTICLE_NUMBER = /^kb[-\s]?(\d{1,7})$/i;

const PAGE_SIZE = 10;

function viewerOf(req: Request): SearchViewer {
  return { id: req.user!.id, roles: req.user!.roles };
}

/** The results page's address with some parameters changed (page reset unless given). */
function pageUrl(
  input: SearchPageInput,
  changes: Partial<Record<string, string | number | undefined>>,
): string {
  const params = new URLSearchParams();
  const values: Record<string, string | number | undefined> = {
    q: input.q,
    kind: input.kind,
    topic: input.topic,
    state: input.state,
    author: input.author,
    team: input.team,
    mine: input.mine ? 'on' : undefined,
    from: input.from,
    to: input.to,
    ...changes,
  };
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== '' && !(key === 'page' && value === 1))
      params.set(key, String(value));
  }
  return `/search?${params.toString()}`;
}

function similarJson(items: SimilarItem[], t: TFunction) {
  return items.map((item) => ({
    type: item.type,
    id: item.id,
    kind: item.kind,
    kindLabel: t(`search.kindOne.${item.kind}`),
    title: item.title,
    titleParts: item.titleParts,
    url: item.url,
    kbState: item.kbState,
  }));
}

const synonymsSchema = z.object({ synonyms: z.string().max(60_000).catch('') });

export function searchRoutes({ search, synonyms, people, teams, kb }: SearchRouteDeps): Router {
  const router = Router();

  /** The synonyms form: knowledge managers say which words mean the same to the people searching. */
  const renderSynonyms = async (req: Request, res: Response, text?: string) => {
    const current = await synonyms.settings();
    res.render('pages/search/synonyms', {
      title: req.t('search.synonyms.title'),
      text: text ?? synonymsText(current.groups),
      groups: current.groups.length,
      version: current.version,
      limits: { groups: MAX_SYNONYM_GROUPS, words: MAX_GROUP_WORDS },
    });
  };

  router.get('/search/synonyms', guard('kb.manage'), async (req: Request, res: Response) => {
    await renderSynonyms(req, res);
  });

  router.post('/search/synonyms', guard('kb.manage'), async (req: Request, res: Response) => {
    const { synonyms: text } = parseInput(synonymsSchema, req.body);
    const changed = await synonyms.save(text, req.user!, req.ip ?? '');
    req.session.flash = [
      { type: 'success', key: changed ? 'search.synonyms.saved' : 'search.synonyms.unchanged' },
    ];
    res.redirect(303, '/search/synonyms');
  });

  router.get('/search', guard('search.use'), async (req: Request, res: Response) => {
    const input = parseInput(searchPageSchema, req.query);
    // An article's number alone goes to the article, when it exists and the person may read it.
    const number = ARTICLE_NUMBER.exec(input.q)?.[1];
    if (number && input.page === 1 && (await kb.readableNumber(Number(number), req.user!))) {
      res.redirect(303, `/kb/${Number(number)}`);
      return;
    }
    const viewer = viewerOf(req);
    const authorId = input.mine ? viewer.id : input.author;
    const [topics, teamOptions, topicIds, author] = await Promise.all([
      people.topicOptions(),
      teams.options(),
      input.topic ? search.topicWithDescendants(input.topic) : undefined,
      input.author && !input.mine ? people.profile(input.author).catch(() => null) : null,
    ]);
    const filters: SearchFilters = {
      kinds: input.kind ? [input.kind] : undefined,
      topics: topicIds,
      kbStates: input.state ? [input.state] : undefined,
      authorId,
      teamId: input.team,
      from: input.from ? new Date(`${input.from}T00:00:00Z`) : undefined,
      to: input.to ? new Date(Date.parse(`${input.to}T00:00:00Z`) + 86_400_000) : undefined,
    };
    const results = input.q
      ? await search.search(viewer, { text: input.q, filters, page: input.page, pageSize: PAGE_SIZE })
      : null;
    const topicById = new Map(topics.map((t) => [t.id, t]));
    const teamById = new Map(teamOptions.map((t) => [t.id, t.name]));
    const allCount = results ? SEARCH_KINDS.reduce((sum, k) => sum + results.counts[k], 0) : 0;
    const filtered = Boolean(
      input.topic || input.state || input.author || input.team || input.mine || input.from || input.to,
    );
    res.render('pages/search/index', {
      title: input.q ? req.t('search.titleFor', { query: input.q }) : req.t('search.title'),
      input,
      results,
      hits: results?.hits.map((hit) => ({
        ...hit,
        topicList: hit.topics.map((id) => topicById.get(id)).filter(Boolean),
        teamName: hit.teamId ? (teamById.get(hit.teamId) ?? null) : null,
      })),
      tabs: [
        {
          label: req.t('search.kind.all'),
          count: allCount,
          url: pageUrl(input, { kind: undefined }),
          active: !input.kind,
        },
        ...SEARCH_KINDS.map((kind) => ({
          label: req.t(`search.kind.${kind}`),
          count: results?.counts[kind] ?? 0,
          url: pageUrl(input, { kind }),
          active: input.kind === kind,
        })),
      ],
      topics,
      teams: teamOptions,
      states: KB_STATES,
      authorName: input.mine ? req.user!.displayName : (author?.displayName ?? null),
      clearAuthorUrl: pageUrl(input, { author: undefined, mine: undefined }),
      clearFiltersUrl: pageUrl(input, {
        topic: undefined,
        state: undefined,
        author: undefined,
        team: undefined,
        mine: undefined,
        from: undefined,
        to: undefined,
      }),
      filtered,
      pagination: results ? { page: results.page, hasNext: results.hasNext } : null,
    });
  });

  /** Without JavaScript: the "check similar" list as a page of its own. */
  router.get('/search/similar', guard('search.use'), async (req: Request, res: Response) => {
    const input = parseInput(similarSchema, req.query);
    const items = input.q ? await search.similar(viewerOf(req), input.q, input.limit) : [];
    res.render('pages/search/similar', {
      title: req.t('search.similar.title'),
      q: input.q,
      similar: input.q ? { query: input.q, items } : null,
    });
  });

  /** "Search first": similar questions and published KB articles for a title being typed. */
  router.get('/api/search/similar', guard('search.use'), async (req: Request, res: Response) => {
    const input = parseInput(similarSchema, req.query);
    const items = input.q ? await search.similar(viewerOf(req), input.q, input.limit) : [];
    res.set('Cache-Control', 'private, no-store');
    res.json({ query: input.q, items: similarJson(items, req.t) });
  });

  return router;
}
