import mongoose from 'mongoose';
import { NotificationState } from '../../models/notification-state.ts';
import { Session } from '../../models/session.ts';
import type { Logger } from '../core/logger.ts';
import type { KbRepo } from '../kb/kb.repo.ts';
import type { NotificationsRepo } from '../notifications/notifications.repo.ts';
import type { DirectoryRepo } from '../people/directory.repo.ts';
import type { PeopleRepo } from '../people/people.repo.ts';
import type { PostsRepo } from '../posts/posts.repo.ts';
import type { ThreadsRepo } from '../posts/threads.repo.ts';
import type { ScoresRepo } from '../scoring/scores.repo.ts';
import { useBoardWrites } from '../scoring/scoring.ledger.ts';
import type { UsersRepo } from '../users/users.repo.ts';
import type { VotesRepo } from '../votes/votes.repo.ts';
import type { StorageAdapterKind } from './adapter.ts';
import { EmbeddedDirectoryRepo } from './embedded/directory.ts';
import { EmbeddedKbRepo } from './embedded/kb.ts';
import { Mirror } from './embedded/mirror.ts';
import { EmbeddedNotificationsRepo } from './embedded/notifications.ts';
import { EmbeddedPeopleRepo } from './embedded/people.ts';
import { EmbeddedPostsRepo } from './embedded/posts.ts';
import { EmbeddedScoresRepo } from './embedded/scores.ts';
import { EmbeddedThreadsRepo } from './embedded/threads.ts';
import { EmbeddedUsersRepo } from './embedded/users.ts';
import { EmbeddedVotesRepo } from './embedded/votes.ts';
import { StorageMigrations } from './migrations.ts';
import { MongoDirectoryRepo } from './mongodb/directory.ts';
import { MongoKbRepo } from './mongodb/kb.ts';
import { MongoNotificationsRepo } from './mongodb/notifications.ts';
import { MongoPeopleRepo } from './mongodb/people.ts';
import { MongoPostsRepo } from './mongodb/posts.ts';
import { MongoScoresRepo } from './mongodb/scores.ts';
import { MongoThreadsRepo } from './mongodb/threads.ts';
import { MongoUsersRepo } from './mongodb/users.ts';
import { MongoVotesRepo } from './mongodb/votes.ts';

/** Every repository, from one adapter. Services receive the ones they need. */
export interface Repositories {
  readonly adapter: StorageAdapterKind;
  readonly posts: PostsRepo;
  readonly threads: ThreadsRepo;
  readonly directory: DirectoryRepo;
  readonly notifications: NotificationsRepo;
  readonly kb: KbRepo;
  readonly people: PeopleRepo;
  readonly votes: VotesRepo;
  readonly users: UsersRepo;
  readonly scores: ScoresRepo;
  /**
   * Resolves once the repositories can answer: storage-shape migrations are
   * applied, and the embedded adapter has read its collections.
   */
  ready(): Promise<void>;
  /**
   * Called when the app stops, after its last write: background storage
   * migrations stop (the next start finishes them), then the embedded adapter
   * writes what it holds for a fast next start, unless it cannot finish by
   * `deadline` (epoch ms).
   */
  close(deadline?: number): Promise<void>;
}

/**
 * The repositories of the chosen adapter, for the database the process is
 * connected to. With the embedded adapter this process becomes the engine's
 * only writer: its writes run in lanes and its in-process indexes follow them.
 */
export function createRepositories(adapter: StorageAdapterKind, logger?: Logger): Repositories {
  const migrations = new StorageMigrations(logger);
  if (adapter === 'mongodb') {
    const scores = new MongoScoresRepo();
    // Every leaderboard writer of this process (a replay's own buffer too) keeps the entries in step.
    useBoardWrites(scores.boardWrites);
    return {
      adapter,
      posts: new MongoPostsRepo(),
      threads: new MongoThreadsRepo(),
      directory: new MongoDirectoryRepo(),
      notifications: new MongoNotificationsRepo(),
      kb: new MongoKbRepo(),
      people: new MongoPeopleRepo(),
      votes: new MongoVotesRepo(),
      users: new MongoUsersRepo(),
      scores,
      ready: () => migrations.ready(),
      close: () => migrations.close(),
    };
  }
  const mirror = Mirror.of(mongoose.connection.name);
  // Read by `_id` on every request (the session, its person's unread state): held whole.
  mirror.track(Session as never);
  mirror.track(NotificationState as never);
  const repos = {
    adapter,
    posts: new EmbeddedPostsRepo(mirror),
    threads: new EmbeddedThreadsRepo(mirror),
    directory: new EmbeddedDirectoryRepo(mirror),
    notifications: new EmbeddedNotificationsRepo(mirror),
    kb: new EmbeddedKbRepo(mirror),
    people: new EmbeddedPeopleRepo(mirror),
    votes: new EmbeddedVotesRepo(),
    users: new EmbeddedUsersRepo(mirror),
    scores: new EmbeddedScoresRepo(mirror),
  };
  useBoardWrites(repos.scores.boardWrites);
  let migrated: Promise<void> | undefined;
  return {
    ...repos,
    ready: async () => {
      migrated ??= migrations.ready();
      await migrated;
      await mirror.ready();
    },
    close: async (deadline?: number) => {
      await migrations.close();
      await mirror.save(deadline);
    },
  };
}
