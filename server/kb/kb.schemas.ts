import { z } from 'zod';
import { KB_STATES } from '../../models/kb-article.ts';
import { KB_FLAG_KINDS } from '../../models/kb-feedback.ts';
import { field } from '../core/validation.ts';

const section = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v ?? '').trim());

export const articleSchema = z.object({
  title: field.text({ min: 8, max: 160 }),
  problem: field.text({ min: 1, max: 10_000 }),
  environment: section(5000),
  cause: section(5000),
  resolution: section(10_000),
  topics: field.list(field.objectId(), { min: 1, max: 5 }),
  reviewBy: z
    .union([z.literal(''), z.iso.date({ error: 'validation.date' })])
    .optional()
    .transform((v) => (v ? new Date(`${v}T00:00:00Z`) : undefined)),
  note: field.optionalText(300),
});

export const transitionSchema = z.object({ to: z.enum(KB_STATES, { error: 'validation.choice' }) });
export const feedbackSchema = z.object({
  helpful: z.enum(['yes', 'no'], { error: 'validation.choice' }).transform((v) => v === 'yes'),
  comment: field.optionalText(1000),
});
export const kbFlagSchema = z.object({
  kind: z.enum(KB_FLAG_KINDS, { error: 'validation.choice' }),
  comment: field.optionalText(1000),
});
export const resolveFlagSchema = z.object({
  outcome: z.enum(['fixed', 'declined'], { error: 'validation.choice' }),
  resolution: field.optionalText(500),
});
export const restoreSchema = z.object({ version: z.coerce.number().int().min(1) });
export const kbIndexSchema = z.object({
  topic: field.optionalObjectId().catch(undefined),
  sort: z.enum(['helpful', 'recent']).optional().catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined),
  state: z.enum(KB_STATES).optional().catch(undefined),
  page: field.page(),
});
export const diffSchema = z.object({
  from: z.coerce.number().int().min(1).optional().catch(undefined),
  to: z.coerce.number().int().min(1).optional().catch(undefined),
});
