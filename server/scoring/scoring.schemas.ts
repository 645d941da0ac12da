import { z } from 'zod';
import { field } from '../core/validation.ts';
import { PERIOD_KINDS } from './periods.ts';
import { DIMENSIONS, RULE_IDS } from './scoring.rules.ts';

/** A query parameter a form may send empty ("all", "my team"): empty is absent. */
const optionalText = (max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string().trim().max(max).optional(),
  );

/** An id parameter: absent or empty, or an id (anything else is a 400). */
const strictId = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z
    .string()
    .trim()
    .regex(/^[0-9a-f]{24}$/i)
    .optional(),
);

/**
 * Leaderboard filters (a GET form): the choices of its menus fall back to the
 * default when malformed; the board's team or topic (when the scope uses it)
 * and a period key are checked where they are used — a malformed or unknown
 * one is a 4xx.
 */
export const boardSchema = z.object({
  dimension: z.enum(DIMENSIONS).catch('competence'),
  scope: z.enum(['global', 'team', 'topic']).catch('global'),
  team: optionalText(64).catch(undefined),
  topic: optionalText(64).catch(undefined),
  period: z.enum(PERIOD_KINDS).catch('month'),
  key: optionalText(12),
});

/** The "why" list's filters and cursor: empty means "all"; anything else malformed is a 400. */
export const whySchema = z.object({
  dimension: z.preprocess((v) => (v === '' ? undefined : v), z.enum(DIMENSIONS).optional()),
  topic: strictId,
  rule: z.preprocess((v) => (v === '' ? undefined : v), z.enum(RULE_IDS).optional()),
  cursor: optionalText(200),
});

/** A team dashboard's page of members (a bad value is the first page). */
/** The dashboard's trend periods, in weeks (12 unless asked). */
export const TREND_WEEKS = [4, 12, 26, 52] as const;

export const dashboardQuerySchema = z.object({
  page: field.page(),
  weeks: z.coerce
    .number()
    .refine((n) => (TREND_WEEKS as readonly number[]).includes(n))
    .catch(12),
});

export const nominateSchema = z.object({
  topic: field.objectId(),
  on: z.enum(['1', '0'], { error: 'validation.choice' }).transform((v) => v === '1'),
});

export const visibilitySchema = z.object({
  scoresPublic: z.enum(['1', '0'], { error: 'validation.choice' }).transform((v) => v === '1'),
});

export const reverseVotesSchema = z.object({ user: field.objectId() });

export const csvTableSchema = z.enum(['heatmap', 'trend', 'gaps']);
