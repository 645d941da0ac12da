import { z } from 'zod';
import { field } from '../core/validation.ts';
import { KB_STATES, SEARCH_KINDS } from './search.types.ts';

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
  .optional()
  .catch(undefined);

/**
 * The results page's query string. A filter value that makes no sense is
 * ignored rather than refused: a search page always answers.
 */
export const searchPageSchema = z.object({
  q: z
    .string()
    .max(1000)
    .optional()
    .catch(undefined)
    .transform((v) => (v ?? '').trim().slice(0, 200)),
  kind: z.enum(SEARCH_KINDS).optional().catch(undefined),
  topic: field.optionalObjectId().catch(undefined),
  state: z.enum(KB_STATES).optional().catch(undefined),
  author: field.optionalObjectId().catch(undefined),
  team: field.optionalObjectId().catch(undefined),
  mine: field.checkbox().catch(false),
  from: isoDay,
  to: isoDay,
  page: field.page(),
});

export type SearchPageInput = z.output<typeof searchPageSchema>;

/** "Search first" while a question title is typed (a trailing space means the last word is complete). */
export const similarSchema = z.object({
  q: z
    .string()
    .max(1000)
    .optional()
    .catch(undefined)
    .transform((v) => (v ?? '').trimStart().slice(0, 200)),
  limit: z.coerce.number().int().min(1).max(10).catch(6).default(6),
});
