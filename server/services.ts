import { KbArticle } from '../models/kb-article.ts';
import { AuditService } from './audit/audit.service.ts';
import { AuthService } from './auth/auth.service.ts';
import type { Config } from './config.ts';
import { EditorService } from './content/editor.service.ts';
import { ContentRenderer } from './content/renderer.ts';
import type { EventBus } from './core/events.ts';
import type { Logger } from './core/logger.ts';
import type { Repositories } from './db/repositories.ts';
import { KbService } from './kb/kb.service.ts';
import type { DatabaseSessionStore } from './middleware/session-store.ts';
import { NotificationsService } from './notifications/notifications.service.ts';
import { Directory } from './people/directory.ts';
import { PeopleService } from './people/people.service.ts';
import { AnswersService } from './posts/answers.service.ts';
import { DuplicatesService } from './posts/duplicates.service.ts';
import { FeedsService } from './posts/feeds.service.ts';
import { ModerationService } from './posts/moderation.service.ts';
import { PostsService } from './posts/posts.service.ts';
import { BoardBuffer, ScoreLedger } from './scoring/scoring.ledger.ts';
import { ScoringService } from './scoring/scoring.service.ts';
import { ScoringSettings } from './scoring/scoring.settings.ts';
import { SearchService } from './search/search.service.ts';
import { SearchSynonyms } from './search/search.synonyms.ts';
import type { FileStorage } from './storage/file-storage.ts';
import { createFileStorage } from './storage/index.ts';
import { TeamsService } from './teams/teams.service.ts';
import { TopicsService } from './topics/topics.service.ts';
import { UsersService } from './users/users.service.ts';
import { VotesService } from './votes/votes.service.ts';

export interface ServiceDeps {
  config: Config;
  logger: Logger;
  events: EventBus;
  sessions: DatabaseSessionStore;
  /** The storage adapter's repositories. */
  repos: Repositories;
  storage?: FileStorage;
  /** The search engine instance to share (it caches its index in memory). */
  search?: SearchService;
  /** The time of facts; the demo seed replays months of history with it. */
  clock?: () => Date;
}

/** Every service, built once with its dependencies; pages, sockets and tests share them. */
export interface Services {
  audit: AuditService;
  auth: AuthService;
  users: UsersService;
  teams: TeamsService;
  people: PeopleService;
  notifications: NotificationsService;
  search: SearchService;
  /** The synonyms knowledge managers declare for search. */
  synonyms: SearchSynonyms;
  storage: FileStorage;
  sessions: DatabaseSessionStore;
  renderer: ContentRenderer;
  /** The writing toolbar: previews and pasted pictures. */
  editor: EditorService;
  topics: TopicsService;
  /** Names of people, topics and teams, and a topic's ancestors and descendants. */
  directory: Directory;
  posts: PostsService;
  answers: AnswersService;
  feeds: FeedsService;
  moderation: ModerationService;
  /** Questions closed as duplicates and merged (knowledge managers). */
  duplicates: DuplicatesService;
  votes: VotesService;
  kb: KbService;
  scoring: ScoringService;
}

export function createServices(deps: ServiceDeps): Services {
  const { config, logger, events, sessions } = deps;
  const storage = deps.storage ?? createFileStorage(config);
  const directory = new Directory(deps.repos.directory);
  const audit = new AuditService(logger);
  const auth = new AuthService({ config, logger, events, audit, sessions, users: deps.repos.users });
  const renderer = new ContentRenderer(deps.repos.users);
  const search = deps.search ?? new SearchService({ logger });
  const synonyms = new SearchSynonyms(audit);
  search.useExpansions(async () => ({ synonyms: await synonyms.table() }));
  const posts = new PostsService({
    logger,
    clock: deps.clock,
    threads: deps.repos.threads,
    posts: deps.repos.posts,
    directory,
    events,
    audit,
    storage,
    renderer,
    limits: {
      maxFileBytes: config.posting.attachmentMaxBytes,
      maxPostBytes: config.posting.postAttachmentsMaxBytes,
      maxFiles: config.posting.maxFiles,
      postIntervalSeconds: config.posting.intervalSeconds,
      duplicateWindowMinutes: config.posting.duplicateWindowMinutes,
    },
  });
  const answers = new AnswersService({
    clock: deps.clock,
    events,
    audit,
    renderer,
    threads: deps.repos.threads,
    directory,
  });
  const kb = new KbService({
    repo: deps.repos.kb,
    directory,
    posts: deps.repos.posts,
    threads: deps.repos.threads,
    events,
    audit,
    renderer,
    clock: deps.clock,
  });
  kb.attachToRenderer();
  // Comments on articles: their author is the article's owner (or creator).
  answers.registerCommentTarget('article', {
    async find(id) {
      const article = await KbArticle.findById(id, { owner: 1, createdBy: 1, state: 1 }).lean();
      if (article?.state !== 'published') return null;
      return { authorId: String(article.owner ?? article.createdBy), postId: null };
    },
    async threadUrl(id) {
      const article = await KbArticle.findById(id, { number: 1 }).lean();
      return article ? `/kb/${article.number}` : null;
    },
    visibleTo: (id, viewer) => kb.isVisibleTo(id, viewer),
  });
  const notifications = new NotificationsService({
    events,
    logger,
    repo: deps.repos.notifications,
    directory,
  });
  const scoringSettings = new ScoringSettings(audit);
  const ledger = new ScoreLedger({
    settings: scoringSettings,
    events,
    logger,
    timeZone: config.scoresTimeZone,
    boards: new BoardBuffer(logger, undefined, deps.repos.scores.boardWrites),
  });
  const teams = new TeamsService(audit);
  const scoring = new ScoringService({
    ledger,
    settings: scoringSettings,
    audit,
    events,
    logger,
    teams,
    scores: deps.repos.scores,
    posts: deps.repos.posts,
    directory: deps.repos.directory,
    clock: deps.clock,
  });
  kb.setPublisherCheck((userId, topicIds) => scoring.isPublisher(userId, topicIds));
  return {
    audit,
    auth,
    users: new UsersService({ events, audit, auth, sessions, users: deps.repos.users }),
    teams,
    people: new PeopleService({
      storage,
      events,
      repo: deps.repos.people,
      directory,
      posts: deps.repos.posts,
    }),
    notifications,
    search,
    synonyms,
    storage,
    sessions,
    renderer,
    editor: new EditorService({
      renderer,
      storage,
      uploadsPerMinute: config.posting.uploadsPerMinute,
      limits: {
        maxFileBytes: config.posting.attachmentMaxBytes,
        maxPostBytes: config.posting.attachmentMaxBytes,
        maxFiles: 1,
      },
    }),
    topics: new TopicsService(audit, events, deps.repos.directory),
    directory,
    posts,
    answers,
    feeds: new FeedsService({ posts: deps.repos.posts, directory, events }),
    moderation: new ModerationService({ audit, events, posts, answers, directory }),
    duplicates: new DuplicatesService({
      posts: deps.repos.posts,
      threads: deps.repos.threads,
      answers,
      search,
      events,
      audit,
      clock: deps.clock,
    }),
    votes: new VotesService(events, deps.repos.votes, deps.clock),
    kb,
    scoring,
  };
}
