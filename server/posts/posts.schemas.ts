import { z } from 'zod';
import { FLAG_REASONS } from '../../models/content-flag.ts';
import { CHANNELS, POST_KINDS } from '../../models/post.ts';
import { field } from '../core/validation.ts';

/** Free tags: lower-case words or short phrases, separated by commas. */
const tags = z
  .string()
  .max(300)
  .optional()
  .transform((value) => [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((t) =>
          t
            .trim()
            .toLowerCase()
            .replace(/\s+/g, '-')
            .replace(/[^\p{L}\p{N}_-]/gu, ''),
        )
        .filter(Boolean),
    ),
  ])
  .pipe(
    z
      .array(z.string().max(30, { error: 'validation.tagTooLong' }))
      .max(8, { error: 'validation.tooManyTags' }),
  );

const topics = field.list(field.objectId(), { min: 1, max: 5 });
const markdown = (max: number) => field.text({ min: 1, max });

export const insightSchema = z.object({
  title: field.text({ min: 8, max: 160 }),
  situation: markdown(5000),
  action: markdown(5000),
  outcome: markdown(5000),
  channel: z.enum(CHANNELS, { error: 'validation.choice' }),
  topics,
  tags,
});

export const tipSchema = z.object({
  title: field.text({ min: 8, max: 160 }),
  body: markdown(10_000),
  topics,
  tags,
});

export const questionSchema = tipSchema;

export const SCHEMA_BY_KIND = { insight: insightSchema, tip: tipSchema, question: questionSchema } as const;

export type InsightInput = z.output<typeof insightSchema>;
export type TipInput = z.output<typeof tipSchema>;
export type PostInput = ({ kind: 'insight' } & InsightInput) | ({ kind: 'tip' | 'question' } & TipInput);

export const kindSchema = z.enum(POST_KINDS, { error: 'validation.choice' });

export const answerSchema = z.object({ body: markdown(10_000) });
export const commentSchema = z.object({ body: field.text({ min: 1, max: 1000 }) });
export const deletionSchema = z.object({ reason: field.optionalText(300) });
export const flagSchema = z.object({
  reason: z.enum(FLAG_REASONS, { error: 'validation.choice' }),
  comment: field.optionalText(500),
});

export const FEED_SORTS = ['newest', 'active', 'top'] as const;
export const TOP_PERIODS = ['week', 'month'] as const;

export const feedQuerySchema = z.object({
  kind: z.enum(POST_KINDS).optional().catch(undefined),
  topic: field.optionalObjectId().catch(undefined),
  tag: z.string().trim().toLowerCase().max(30).optional().catch(undefined),
  author: field.optionalObjectId().catch(undefined),
  team: field.optionalObjectId().catch(undefined),
  unanswered: z.enum(['1']).optional().catch(undefined),
  sort: z.enum(FEED_SORTS).optional().catch(undefined),
  period: z.enum(TOP_PERIODS).optional().catch(undefined),
  cursor: z.string().max(500).optional().catch(undefined),
});

export type FeedQuery = z.output<typeof feedQuerySchema>;
