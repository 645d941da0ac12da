/**
 * The documents the services write, built from the same inputs, for the
 * scale seed's bulk path. Each builder names the service code it mirrors;
 * test/integration/seed/scale-seed.test.ts checks that a document built here
 * equals the one the service stores for the same input (field by field), so
 * a change to a service that is not made here fails a test.
 */
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { confirmationId } from '../../models/confirmation.ts';
import { revisionId } from '../../models/revision.ts';
import { voteId } from '../../models/vote.ts';
import { excerpt } from '../../server/content/markdown.ts';
import type { RenderedTexts } from '../../server/content/renderer.ts';
import type { PostInput } from '../../server/posts/posts.schemas.ts';

export type RawDoc = Record<string, unknown> & { _id: unknown };
const oid = (id: string) => new Types.ObjectId(id);

/** posts.service.ts `contentHash` (kind, title and text: the duplicate-post check's fingerprint). */
export function contentHash(input: PostInput): string {
  const text =
    input.kind === 'insight' ? [input.situation, input.action, input.outcome].join('\n') : input.body;
  return createHash('sha256')
    .update(`${input.kind}\n${input.title.trim().toLowerCase()}\n${text.trim()}`)
    .digest('hex')
    .slice(0, 32);
}

/** posts.service.ts `textFields`. */
export function textFields(input: PostInput): Record<string, string> {
  return input.kind === 'insight'
    ? { situation: input.situation, action: input.action, outcome: input.outcome }
    : { body: input.body };
}

export interface PostCounters {
  voteScore: number;
  upvotes: number;
  downvotes: number;
  confirmations: number;
  answerCount: number;
  commentCount: number;
  acceptedAnswer: string | null;
  lastActivityAt: Date;
  updatedAt: Date;
}

/**
 * PostsService.create: the post's text (post_contents), its list document
 * (posts, with the counters its later answers, comments, votes and
 * confirmations leave) and revision 1.
 */
export function postDocuments(
  id: string,
  author: { id: string; teamId: string | null },
  input: PostInput,
  rendered: RenderedTexts<string>,
  now: Date,
  counters: PostCounters,
): { post: RawDoc; content: RawDoc; revision: RawDoc } {
  const fields = textFields(input);
  const html = Object.fromEntries(Object.entries(rendered.html).map(([k, v]) => [`${k}Html`, v]));
  const content: RawDoc = {
    _id: oid(id),
    body: '',
    bodyHtml: '',
    situation: '',
    situationHtml: '',
    action: '',
    actionHtml: '',
    outcome: '',
    outcomeHtml: '',
    ...fields,
    ...html,
    attachments: [],
    mentions: rendered.mentions.map(oid),
    citations: rendered.citations,
  };
  const topics = [...new Set(input.topics)].map(oid);
  const post: RawDoc = {
    _id: oid(id),
    kind: input.kind,
    title: input.title.trim(),
    excerpt: excerpt(input.kind === 'insight' ? input.situation : input.body),
    author: oid(author.id),
    team: author.teamId ? oid(author.teamId) : null,
    topics,
    tags: input.tags,
    channel: input.kind === 'insight' ? input.channel : null,
    attachmentCount: 0,
    hasImage: false,
    voteScore: counters.voteScore,
    upvotes: counters.upvotes,
    downvotes: counters.downvotes,
    confirmations: counters.confirmations,
    answerCount: counters.answerCount,
    commentCount: counters.commentCount,
    views: 0,
    acceptedAnswer: counters.acceptedAnswer ? oid(counters.acceptedAnswer) : null,
    promotedTo: { article: null, number: null },
    revision: 1,
    editedAt: null,
    lastActivityAt: counters.lastActivityAt,
    deleted: null,
    duplicateOf: null,
    contentHash: contentHash(input),
    createdAt: now,
    updatedAt: counters.updatedAt,
    __v: 0,
  };
  const revision: RawDoc = {
    _id: revisionId('post', id, 1),
    targetType: 'post',
    targetId: oid(id),
    number: 1,
    editor: oid(author.id),
    at: now,
    snapshot: {
      title: input.title,
      ...fields,
      topics: input.topics.join(','),
      tags: input.tags.join(', '),
    },
    note: '',
  };
  return { post, content, revision };
}

export interface AnswerState {
  accepted: boolean;
  acceptedAt: Date | null;
  acceptedBy: string | null;
  voteScore: number;
  upvotes: number;
  downvotes: number;
  commentCount: number;
  updatedAt: Date;
}

/** AnswersService.create (with what accept, votes and comments leave on it) and its revision 1. */
export function answerDocuments(
  id: string,
  postId: string,
  authorId: string,
  body: string,
  rendered: RenderedTexts<'body'>,
  now: Date,
  state: AnswerState,
): { answer: RawDoc; revision: RawDoc } {
  return {
    answer: {
      _id: oid(id),
      post: oid(postId),
      author: oid(authorId),
      body,
      bodyHtml: rendered.html.body,
      accepted: state.accepted,
      acceptedAt: state.acceptedAt,
      acceptedBy: state.acceptedBy ? oid(state.acceptedBy) : null,
      voteScore: state.voteScore,
      upvotes: state.upvotes,
      downvotes: state.downvotes,
      commentCount: state.commentCount,
      mentions: rendered.mentions.map(oid),
      citations: rendered.citations,
      revision: 1,
      editedAt: null,
      deleted: null,
      createdAt: now,
      updatedAt: state.updatedAt,
      __v: 0,
    },
    revision: {
      _id: revisionId('answer', id, 1),
      targetType: 'answer',
      targetId: oid(id),
      number: 1,
      editor: oid(authorId),
      at: now,
      snapshot: { body },
      note: '',
    },
  };
}

/** AnswersService.comment on a post or an answer, and its revision 1. */
export function commentDocuments(
  id: string,
  target: { type: 'post' | 'answer'; id: string; postId: string },
  authorId: string,
  body: string,
  rendered: RenderedTexts<'body'>,
  now: Date,
): { comment: RawDoc; revision: RawDoc } {
  return {
    comment: {
      _id: oid(id),
      targetType: target.type,
      targetId: oid(target.id),
      post: oid(target.postId),
      author: oid(authorId),
      body,
      bodyHtml: rendered.html.body,
      mentions: rendered.mentions.map(oid),
      revision: 1,
      editedAt: null,
      deleted: null,
      createdAt: now,
      updatedAt: now,
      __v: 0,
    },
    revision: {
      _id: revisionId('comment', id, 1),
      targetType: 'comment',
      targetId: oid(id),
      number: 1,
      editor: oid(authorId),
      at: now,
      snapshot: { body },
      note: '',
    },
  };
}

/** VotesService.vote, a first vote on an item. */
export function voteDocument(
  voterId: string,
  target: { type: 'post' | 'answer'; id: string; postId: string; authorId: string },
  value: 1 | -1,
  now: Date,
): RawDoc {
  return {
    _id: voteId(voterId, target.type, target.id),
    voter: oid(voterId),
    targetType: target.type,
    targetId: oid(target.id),
    post: oid(target.postId),
    author: oid(target.authorId),
    value,
    createdAt: now,
    updatedAt: now,
  };
}

/** PostsService.confirm: "I've seen this too". */
export function confirmationDocument(postId: string, userId: string, now: Date): RawDoc {
  return { _id: confirmationId(postId, userId), post: oid(postId), user: oid(userId), createdAt: now };
}
