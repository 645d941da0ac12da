import { Types } from 'mongoose';
import { Answer } from '../../../models/answer.ts';
import { Comment } from '../../../models/comment.ts';
import { Confirmation } from '../../../models/confirmation.ts';
import type { AnswerRow, CommentRow, ThreadsRepo } from '../../posts/threads.repo.ts';

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** Threads on MongoDB: each list one indexed query (`{ post, createdAt }`). */
export class MongoThreadsRepo implements ThreadsRepo {
  async answersOf(postId: string): Promise<AnswerRow[]> {
    if (!OBJECT_ID.test(postId)) return [];
    return (await Answer.find({ post: new Types.ObjectId(postId) })
      .sort({ createdAt: 1, _id: 1 })
      .lean()) as AnswerRow[];
  }

  async commentsOf(postId: string): Promise<CommentRow[]> {
    if (!OBJECT_ID.test(postId)) return [];
    return (await Comment.find({ post: new Types.ObjectId(postId) })
      .sort({ createdAt: 1, _id: 1 })
      .lean()) as CommentRow[];
  }

  async confirmersOf(postId: string) {
    if (!OBJECT_ID.test(postId)) return [];
    return Confirmation.find({ post: new Types.ObjectId(postId) }, { user: 1, createdAt: 1 })
      .sort({ createdAt: 1, _id: 1 })
      .lean();
  }
}
