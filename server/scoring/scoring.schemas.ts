import { z } from 'zod';
import { field } from '../core/validation.ts';
import { PERIOD_KINDS } from './periods.ts';
import { DIMENSIONS, RULE_IDS } from './scoring.rules.ts';
import { PRIVACY_MODES } from './scoring.settings.ts';

const optionalId = z
  .string()
  .trim()
  .regex(/^[0-9a-f]{24}$/i)
  .optional()
  .catch(undefined);

/** Leaderboard filters (a GET form): anything malformed falls back to the default. */
export const boardSchema = z.object({
  dimension: z.enum(DIMENSIONS).catch('competence'),
  scope: z.enum(['global', 'team', 'topic']).catch('global'),
  team: optionalId,
  topic: optionalId,
  period: z.enum(PERIOD_KINDS).catch('month'),
  key: z.string().trim().max(12).optional().catch(undefined),
});

export const whySchema = z.object({
  dimension: z.enum(DIMENSIONS).optional().catch(undefined),
  topic: optionalId,
  rule: z.enum(RULE_IDS).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export const nominateSchema = z.object({
  topic: field.objectId(),
  on: z.enum(['1', '0'], { error: 'validation.choice' }).transform((v) => v === '1'),
});

export const visibilitySchema = z.object({
  scoresPublic: z.enum(['1', '0'], { error: 'validation.choice' }).transform((v) => v === '1'),
});

export const privacySchema = z.object({ mode: z.enum(PRIVACY_MODES, { error: 'validation.choice' }) });

export const reverseVotesSchema = z.object({ user: field.objectId() });

export const csvTableSchema = z.enum(['heatmap', 'trend', 'gaps']);
