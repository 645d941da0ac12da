import mongoose from 'mongoose';
import { NotificationState } from '../../models/notification-state.ts';
import { Session } from '../../models/session.ts';
import type { DirectoryRepo } from '../people/directory.repo.ts';
import type { PostsRepo } from '../posts/posts.repo.ts';
import type { ThreadsRepo } from '../posts/threads.repo.ts';
import type { ScoresRepo } from '../scoring/scores.repo.ts';
import { useBoardWrites } from '../scoring/scoring.ledger.ts';
import type { StorageAdapterKind } from './adapter.ts';
import { EmbeddedDirectoryRepo } from './embedded/directory.ts';
import { Mirror } from './embedded/mirror.ts';
import { EmbeddedPostsRepo } from './embedded/posts.ts';
import { EmbeddedScoresRepo } from './embedded/scores.ts';
import { EmbeddedThreadsRepo } from './embedded/threads.ts';
import { MongoDirectoryRepo } from './mongodb/directory.ts';
import { MongoPostsRepo } from './mongodb/posts.ts';
import { MongoScoresRepo } from './mongodb/scores.ts';
import { MongoThreadsRepo } from './mongodb/threads.ts';

/** Every repository, from one adapter. Services receive the ones they need. */
export interface Repositories {
  readonly adapter: StorageAdapterKind;
  readonly posts: PostsRepo;
  readonly threads: ThreadsRepo;
  readonly directory: DirectoryRepo;
  readonly scores: ScoresRepo;
  /** Resolves once the repositories can answer (the embedded adapter has read its collections). */
  ready(): Promise<void>;
}

/**
 * The repositories of the chosen adapter, for the database the process is
 * connected to. With the embedded adapter this process becomes the engine's
 * only writer: its writes run in lanes and its in-process indexes follow them.
 */
export function createRepositories(adapter: StorageAdapterKind): Repositories {
  if (adapter === 'mongodb') {
    const scores = new MongoScoresRepo();
    // Every leaderboard writer of this process (a replay's own buffer too) keeps the entries in step.
    useBoardWrites(scores.boardWrites);
    return {
      adapter,
      posts: new MongoPostsRepo(),
      threads: new MongoThreadsRepo(),
      directory: new MongoDirectoryRepo(),
      scores,
      ready: async () => {},
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
    scores: new EmbeddedScoresRepo(mirror),
  };
  useBoardWrites(repos.scores.boardWrites);
  return { ...repos, ready: () => mirror.ready() };
}
